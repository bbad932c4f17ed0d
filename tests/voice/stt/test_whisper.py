"""The packaged offline default (Whisper base, int8) on speech made by the offline voices."""

from __future__ import annotations

import time

import pytest

from tests.voice.conftest import noise
from voice.audio import frames, resample, silence
from voice.errors import UnsupportedLanguageError
from voice.stt.base import Recognizer
from voice.stt.phrases import normalise
from voice.stt.whisper import WhisperStream


def test_english_sentence_comes_back_word_for_word(whisper_en: Recognizer, say_en) -> None:  # noqa: ANN001
    text = "I would like to book a lunch for tomorrow."
    result = whisper_en.transcribe(silence(0.5, 16000) + say_en(text) + silence(1.0, 16000), 16000)
    assert normalise(result.text) == normalise(text)
    assert result.confidence is not None and result.confidence > 0.6
    assert 0.2 <= result.start < result.end <= 0.5 + len(say_en(text)) / 32000 + 0.3


def test_telephone_audio_at_8khz(whisper_en: Recognizer, say_en) -> None:  # noqa: ANN001
    result = whisper_en.transcribe(say_en("Connect me to a consultant.", rate=8000), 8000)
    assert "consultant" in normalise(result.text)


def test_mandarin_is_simplified_and_has_no_spaces(whisper_zh: Recognizer, espeak) -> None:  # noqa: ANN001
    speech = espeak.synthesize("我没有听到您说话。", "zh", 0.85, 16000).pcm
    result = whisper_zh.transcribe(speech, 16000)
    assert "听到您说话" in result.text
    assert " " not in result.text
    assert "聽" not in result.text and "說" not in result.text


def test_phrases_snap_a_free_answer_to_the_menu(whisper_en: Recognizer, say_en) -> None:  # noqa: ANN001
    assert whisper_en.transcribe(say_en("Yes, please."), 16000, ["yes", "no"]).text == "yes"
    result = whisper_en.transcribe(say_en("The weather is nice today."), 16000, ["yes", "no"])
    assert result.text == "" and result.confidence is None


def test_silence_and_noise_are_not_decoded(whisper_en: Recognizer) -> None:
    started = time.monotonic()
    assert whisper_en.transcribe(silence(5.0, 16000), 16000).text == ""
    assert whisper_en.transcribe(b"", 16000).text == ""
    assert time.monotonic() - started < 0.5  # no decode ran


def test_clipping_noise_gives_a_bounded_answer(whisper_en: Recognizer) -> None:
    """Noise can make Whisper repeat itself; the decode is one pass with a bounded length (no
    temperature fallback), so an answer comes and it is short."""
    result = whisper_en.transcribe(noise(4.0, level=4.0), 16000)
    assert result.is_final
    assert len(result.text.split()) <= 12 * 4 + 20, result.text


def test_ten_minutes_of_audio_stay_within_one_segment_of_memory(whisper_en: Recognizer) -> None:
    stream = whisper_en.stream(8000)
    assert isinstance(stream, WhisperStream)
    chunk = silence(9.0, 8000) + noise(1.0, 8000, level=0.002)  # a quiet line, no voice
    finals = 0
    largest = 0.0
    for _ in range(60):
        for frame in frames(chunk, 8000, 1000):
            finals += sum(1 for r in stream.feed(frame) if r.is_final)
            largest = max(largest, stream.buffered_seconds)
    stream.finish()
    assert stream.seconds == pytest.approx(600, abs=0.5)
    assert largest <= 30.0
    assert finals >= 19  # closed every 30 s at most


def test_a_long_buffer_is_cut_at_a_pause(whisper_en: Recognizer, say_en) -> None:  # noqa: ANN001
    sentence = say_en("Please book the meal.") + silence(1.0, 16000)
    seconds_each = len(sentence) / 32000
    stream = whisper_en.stream(16000)
    finals = []
    while stream.seconds < 32:
        finals.extend(r for r in stream.feed(sentence) if r.is_final)
    assert finals, "a full 30 s buffer is closed"
    first = finals[0]
    # cut in a pause: the segment ends on whole sentences
    assert "meal" in normalise(first.text).split()[-1]
    assert stream.buffered_seconds < 30 - seconds_each / 2


def test_resampled_input(whisper_en: Recognizer, say_en) -> None:  # noqa: ANN001
    pcm = resample(say_en("Thank you for calling."), 16000, 22050)
    assert "thank you for calling" in normalise(whisper_en.transcribe(pcm, 22050).text)


def test_unsupported_language() -> None:
    from voice.stt.whisper import WhisperRecognizer

    with pytest.raises(UnsupportedLanguageError):
        WhisperRecognizer("fr", model_dir=__import__("pathlib").Path("/nonexistent"))


def test_decoding_loops_are_dropped() -> None:
    from voice.stt.whisper import _is_loop

    assert _is_loop("对故曦曦曦曦曦曦曦曦曦曦")
    assert _is_loop("the the the the the the the the the")
    assert not _is_loop("我没有听到您说话，请您大声一点")
    assert not _is_loop("yes yes")
