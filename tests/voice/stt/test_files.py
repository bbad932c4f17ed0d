"""Telegram voice notes (OGG/Opus) to text with the same recogniser as the hotline."""

from __future__ import annotations

import pytest

from careline.settings import Settings
from tests.voice.conftest import noise
from tests.voice.test_audio import ogg_opus
from voice.audio import silence
from voice.errors import UndecodableAudioError, UnsupportedLanguageError
from voice.stt.files import transcribe_audio, transcribe_voice_note
from voice.stt.registry import Recognizers


def test_a_voice_note_becomes_text(recognizers: Recognizers, say_en) -> None:  # noqa: ANN001
    note = ogg_opus(say_en("Please book a lunch for my mother on Friday."))
    text = transcribe_voice_note(note, "en", recognizers)
    assert "book a lunch for my mother on friday" in text.lower()


def test_an_empty_note_is_empty_text(recognizers: Recognizers) -> None:
    assert transcribe_voice_note(ogg_opus(silence(2.0, 16000)), "en", recognizers) == ""


def test_a_long_note_is_cut_at_the_limit(voice_settings: Settings, recognizers: Recognizers) -> None:
    transcript, truncated = transcribe_audio(ogg_opus(noise(12.0, level=0.001)), recognizers.get("en"),
                                             max_seconds=4)
    assert truncated and transcript.end <= 4.0


def test_not_audio_and_unknown_language_are_bilingual_errors(recognizers: Recognizers, say_en) -> None:  # noqa: ANN001
    with pytest.raises(UndecodableAudioError) as error:
        transcribe_voice_note(b"this is not audio", "zh", recognizers)
    assert "语音" in error.value.say("zh")
    with pytest.raises(UnsupportedLanguageError):
        transcribe_voice_note(ogg_opus(say_en("Hello.")), "fr", recognizers)
