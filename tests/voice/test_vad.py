from __future__ import annotations

import time

import pytest

from tests.voice.conftest import noise
from voice.audio import frames, resample, silence
from voice.vad import EndOfSpeechDetector, VadEventKind, voiced_spans


def _run(detector: EndOfSpeechDetector, pcm: bytes, rate: int = 16000, ms: int = 20) -> list:
    events = []
    for frame in frames(pcm, rate, ms):
        events.extend(detector.feed(frame))
    return events


def test_a_turn_starts_and_ends_after_the_configured_silence(say_en) -> None:  # noqa: ANN001
    speech = say_en("I would like to book a lunch for tomorrow.")
    pcm = silence(0.5, 16000) + speech + silence(2.0, 16000)
    events = _run(EndOfSpeechDetector(16000, silence_ms=1200), pcm)
    kinds = [e.kind for e in events]
    assert kinds == [VadEventKind.SPEECH_START, VadEventKind.SPEECH_END]
    speech_end = 0.5 + len(speech) / 32000
    assert 0.3 <= events[0].at <= 0.9
    # the turn ends 1.2 s after the last voiced frame (Piper leaves a little tail of silence)
    assert speech_end + 0.9 <= events[1].at <= speech_end + 1.4
    assert events[1].speech_seconds > 1.0


def test_a_thinking_pause_does_not_end_the_turn_of_a_slow_speaker(say_en) -> None:  # noqa: ANN001
    part = say_en("My address is")
    pcm = part + silence(0.7, 16000) + say_en("Guihua village.") + silence(1.6, 16000)
    slow = _run(EndOfSpeechDetector(16000, silence_ms=1200), pcm)
    assert [e.kind for e in slow] == [VadEventKind.SPEECH_START, VadEventKind.SPEECH_END]
    quick = _run(EndOfSpeechDetector(16000, silence_ms=500), pcm)
    assert [e.kind for e in quick].count(VadEventKind.SPEECH_END) == 2


def test_a_click_or_cough_is_not_a_turn() -> None:
    pcm = silence(0.5, 16000) + noise(0.15, level=0.5) + silence(2.0, 16000)
    events = _run(EndOfSpeechDetector(16000, min_speech_ms=300), pcm)
    assert VadEventKind.SPEECH_END not in [e.kind for e in events]


def test_silence_only_gives_no_event() -> None:
    assert _run(EndOfSpeechDetector(8000), silence(3.0, 8000), 8000) == []


def test_a_caller_who_never_pauses_is_cut_at_the_maximum() -> None:
    events = _run(EndOfSpeechDetector(16000, max_turn_ms=2000, aggressiveness=0), noise(5.0, level=0.3))
    assert VadEventKind.TOO_LONG in [e.kind for e in events]


@pytest.mark.parametrize("rate", [8000, 22050, 48000])
def test_other_rates_work(rate: int, say_en) -> None:  # noqa: ANN001
    pcm = resample(say_en("Yes, please."), 16000, rate) + silence(1.5, rate)
    kinds = [e.kind for e in _run(EndOfSpeechDetector(rate), pcm, rate)]
    assert kinds == [VadEventKind.SPEECH_START, VadEventKind.SPEECH_END]


def test_odd_sized_frames_are_buffered(say_en) -> None:  # noqa: ANN001
    pcm = say_en("Yes, please.") + silence(1.5, 16000)
    detector = EndOfSpeechDetector(16000)
    events = []
    for start in range(0, len(pcm), 334):  # 167 samples: not a multiple of a 30 ms frame
        events.extend(detector.feed(pcm[start:start + 334]))
    assert [e.kind for e in events] == [VadEventKind.SPEECH_START, VadEventKind.SPEECH_END]


def test_ten_minutes_is_fast_and_bounded() -> None:
    detector = EndOfSpeechDetector(8000)
    chunk = silence(1.0, 8000)
    started = time.monotonic()
    for _ in range(600):
        detector.feed(chunk)
    assert time.monotonic() - started < 5
    assert detector.seconds == pytest.approx(600, abs=0.1)
    assert len(detector._pending) < 480  # less than one frame held


def test_voiced_spans_find_the_speech(say_en) -> None:  # noqa: ANN001
    speech = say_en("Hello.")
    spans = voiced_spans(silence(1.0, 16000) + speech + silence(1.0, 16000), 16000)
    assert len(spans) == 1
    start, end = spans[0]
    assert 0.7 <= start <= 1.2 and 1.0 + len(speech) / 32000 - 0.5 <= end <= 2.0 + len(speech) / 32000
    assert voiced_spans(silence(2.0, 16000), 16000) == []


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="aggressiveness"):
        EndOfSpeechDetector(16000, aggressiveness=5)
