"""Turn-taking on the line itself (no hub needed): the real VAD, turn-end model and recogniser
judge Piper speech delivered in real time through the in-memory line."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from careline.settings import Settings
from tests.voice.hotline.memory_call import MemoryCall
from voice.call import CALL_RATE
from voice.hotline.engines import HotlineEngines
from voice.hotline.hearing import Ears
from voice.hotline.line import HeardKind, Input
from voice.hotline.session import CallSession
from voice.hotline.smart_turn import SmartTurn
from voice.hotline.turns import sounds_unfinished
from voice.stt.registry import Recognizers
from voice.tts.piper import PiperSynthesizer
from voice.tts.speaker import Speaker


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> HotlineEngines:
    settings = Settings(var_dir=Path(tmp_path_factory.mktemp("turns")), tts_online=False)
    recognizers = Recognizers(settings, short_window_seconds=settings.voice_short_window_seconds)
    return HotlineEngines(settings, Ears(recognizers), Speaker(settings), SmartTurn())


@pytest.fixture(scope="module")
def piper() -> PiperSynthesizer:
    return PiperSynthesizer()


def _listen(engines: HotlineEngines, *speech: bytes, language: str | None = "en",
            timeout: float = 6.0) -> list[Input]:
    """Say ``speech`` (with the silences in it) into a line and collect every input the session
    hears until it has heard nothing for ``timeout`` seconds."""

    async def run() -> list[Input]:
        call = MemoryCall()
        session = CallSession(call, engines)
        session.language = language
        call.start()
        heard: list[Input] = []

        async def caller() -> None:
            for part in speech:
                await call.say(part)

        talking = asyncio.create_task(caller())
        while True:
            got = await session.line.listen(timeout, session._judge, session._recognise)
            if got.kind is HeardKind.SILENCE:
                break
            heard.append(got)
        await talking
        await call.hang_up()
        await session.hub.aclose()
        return heard

    return asyncio.run(run())


def _silence(seconds: float) -> bytes:
    return b"\x00" * int(seconds * CALL_RATE) * 2


def test_a_finished_sentence_is_one_turn(engines: HotlineEngines, piper: PiperSynthesizer) -> None:
    heard = _listen(engines, piper.synthesize("Can you deliver lunch to me tomorrow?", "en", 0.9, CALL_RATE).pcm)
    assert len(heard) == 1 and heard[0].heard is not None
    assert "lunch" in heard[0].heard.text.lower()


def test_a_pause_of_1_2_seconds_mid_sentence_is_waited_out(engines: HotlineEngines, piper: PiperSynthesizer) -> None:
    first = piper.synthesize("I would like to book a meal for", "en", 0.9, CALL_RATE).pcm
    second = piper.synthesize("tomorrow at noon.", "en", 0.9, CALL_RATE).pcm
    heard = _listen(engines, first, _silence(1.2), second)
    assert len(heard) == 1, [h.heard.text if h.heard else None for h in heard]
    text = heard[0].heard.text.lower() if heard[0].heard else ""
    assert "meal" in text and "tomorrow" in text, text


def test_a_cough_is_no_turn_and_keys_are_heard_at_once(engines: HotlineEngines) -> None:
    click = (b"\xff\x7f\x00\x80" * 200)  # 0.1 s of a loud click
    assert _listen(engines, click, timeout=2.0) == []


@pytest.mark.parametrize(("text", "language", "unfinished"), [
    ("I would like to book a meal for", "en", True), ("Where is the nearest canteen to", "en", True),
    ("Where is the nearest canteen?", "en", False), ("Where is the nearest?", "en", True),
    ("When is the next", "en", True), ("Which one is nearest?", "en", False), ("Yes.", "en", False),
    ("我想订一份", "zh", False),
    ("我想订明天的", "zh", True), ("附近有没有食堂和", "zh", True), ("附近有没有食堂", "zh", False), ("", "en", False),
])
def test_a_sentence_does_not_end_on_a_dangling_word(text: str, language: str, unfinished: bool) -> None:
    assert sounds_unfinished(text, language) is unfinished


@pytest.mark.parametrize(("text", "last_word", "unfinished"), [
    ("I would like to book a meal for it.", 0.46, True), ("I would like to book a meal for it.", 0.71, True),
    ("I would like to book a meal for it.", 0.98, False),
    ("I need help paying for it.", None, False), ("Where is the canteen?", 0.3, False),
])
def test_an_unsure_last_word_after_a_dangling_one_is_not_believed(text: str, last_word: float | None,
                                                                  unfinished: bool) -> None:
    assert sounds_unfinished(text, "en", last_word) is unfinished


def _at_the_pause(engines: HotlineEngines, speech: bytes) -> bytes:
    """The turn's audio at its first pause, as the session hands it to the judge."""
    session = CallSession(MemoryCall(), engines)
    audio = _silence(0.5) + speech + _silence(1.2)
    for start in range(0, len(audio), 320):
        for event in session.turns.feed(audio[start:start + 320]):
            if event.kind.value == "paused":
                return session.turns.audio
    raise AssertionError("no pause")


def test_the_judge_waits_at_every_rendering_of_a_pause_and_not_after_a_finished_sentence(
        engines: HotlineEngines, piper: PiperSynthesizer) -> None:
    """Piper never says a sentence the same way twice, and at a pause Whisper sometimes finishes
    it itself ("… a meal for it.", about one rendering in ten): no rendering may be taken for the
    end of the turn, while the same words said to the end are."""
    session = CallSession(MemoryCall(), engines)
    session.language = "en"
    for _ in range(8):
        cut = _at_the_pause(engines, piper.synthesize("I would like to book a meal for", "en", 0.9, CALL_RATE).pcm)
        verdict = session._judge(cut)
        assert not verdict.finished, verdict.heard
    whole = _at_the_pause(engines, piper.synthesize("I need some help paying for it.", "en", 0.9, CALL_RATE).pcm)
    verdict = session._judge(whole)
    assert verdict.finished and verdict.heard is not None and "for it" in verdict.heard.text.lower()
