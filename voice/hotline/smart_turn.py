"""Smart Turn v3: a small model that hears whether a speaker has finished their sentence.

The model (``smart-turn-v3.2-cpu.onnx``, 8.7 MB, BSD-2, 23 languages including Mandarin and
English) ships inside the ``pipecat-ai`` wheel with the numpy code that makes its input (Whisper
log-mel features of the last 8 s). Both are used from the wheel's files: the model through
onnxruntime, the feature code loaded from its file, so pipecat itself (and its dependencies:
loguru, aiohttp, openai, numba …) is never imported and need not be installed.
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from voice.audio import resample, to_float
from voice.errors import EngineUnavailableError

RATE = 16000
WINDOW_SECONDS = 8
_MODEL = "audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx"
_FEATURES = "audio/turn/smart_turn/_whisper_features.py"


def _pipecat_dir() -> Path:
    spec = importlib.util.find_spec("pipecat")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailableError(engine="smart-turn", reason="the pipecat-ai wheel is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _features_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("careline_smart_turn_features", path)
    if spec is None or spec.loader is None:
        raise EngineUnavailableError(engine="smart-turn", reason=f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class SmartTurn:
    """Probability that a turn's audio ends a finished sentence. Thread-safe; load once."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort

        root = _pipecat_dir()
        model, features = root / _MODEL, root / _FEATURES
        if not model.is_file() or not features.is_file():
            raise EngineUnavailableError(engine="smart-turn", reason=f"no model in {root}")
        self._features = _features_module(features).compute_whisper_log_mel_features
        options = ort.SessionOptions()
        options.inter_op_num_threads = 1
        options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def probability(self, pcm: bytes, sample_rate: int) -> float:
        """``pcm``: the turn so far (16-bit mono); only its last 8 s are heard."""
        audio = to_float(resample(pcm, sample_rate, RATE) if sample_rate != RATE else pcm)
        window = RATE * WINDOW_SECONDS
        audio = audio[-window:] if len(audio) > window else np.pad(audio, (window - len(audio), 0))
        features: Any = self._features(audio, do_normalize=True)
        with self._lock:
            out = self._session.run(None, {"input_features": np.expand_dims(features, 0).astype(np.float32)})
        return float(np.asarray(out[0]).reshape(-1)[0])


@lru_cache(maxsize=1)
def smart_turn() -> SmartTurn:
    """The process's one model."""
    return SmartTurn()
