from __future__ import annotations

from pathlib import Path

import pytest
from structlog.testing import capture_logs

from careline.settings import Settings
from voice.errors import UnsupportedLanguageError
from voice.stt.registry import Recognizers, choose
from voice.stt.vosk import VoskRecognizer
from voice.stt.whisper import WhisperRecognizer


def test_default_is_the_packaged_whisper_for_both_languages(voice_settings: Settings) -> None:
    for language in ("zh", "en"):
        choice = choose(voice_settings, language)
        assert (choice.engine, choice.reason) == ("whisper", "default")


def test_a_valid_vosk_model_serves_its_language_and_start_up_says_so(voice_settings: Settings,
                                                                      ko_model_dir: Path) -> None:
    settings = voice_settings.model_copy(update={"vosk_model_zh": ko_model_dir})
    assert choose(settings, "zh").engine == "vosk"
    registry = Recognizers(settings)
    with capture_logs() as logs:
        loaded = registry.load_all()
    assert isinstance(loaded["zh"], VoskRecognizer)
    assert isinstance(loaded["en"], WhisperRecognizer)
    said = {entry["language"]: entry["engine"] for entry in logs if entry["event"] == "speech_recognizer"}
    assert said["zh"].startswith("vosk") and said["en"].startswith("whisper")
    assert registry.get("zh") is loaded["zh"]  # loaded once


def test_an_invalid_vosk_model_falls_back_with_a_warning(voice_settings: Settings, tmp_path: Path) -> None:
    settings = voice_settings.model_copy(update={"vosk_model_en": tmp_path})
    assert choose(settings, "en").reason == "vosk_model_invalid"
    with capture_logs() as logs:
        recognizer = Recognizers(settings).get("en")
    assert isinstance(recognizer, WhisperRecognizer)
    warning = next(entry for entry in logs if entry["event"] == "vosk_model_invalid")
    assert "no_am" in warning["problems"]


def test_whisper_model_is_assembled_once(voice_settings: Settings, recognizers: Recognizers) -> None:
    recognizers.get("en")
    model = voice_settings.var_dir / "cache" / "whisper-base" / "model.bin"
    assert model.stat().st_size > 140_000_000
    assert not list(model.parent.glob(".model.bin.*"))  # no temporary left


def test_unknown_language(recognizers: Recognizers) -> None:
    with pytest.raises(UnsupportedLanguageError) as error:
        recognizers.get("fr")
    assert "zh" in error.value.say("zh")
