"""An answer the engine never gives (Rasa down, or stuck): the caller hears "one moment" at once and
"still looking" while they wait, and is put through to a person once the wait is over — never left
in silence. The hub here is a stand-in that always says "one moment" (the real hub's holding reply
when the engine cannot be reached is tested in tests/bot/hub)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator

import pytest

from bot.hub.messages import Reply
from careline.catalogue import say
from tests.voice.hotline.memory_call import MemoryCall
from tests.voice.hotline.test_turns import engines, piper  # noqa: F401 - the module's fixtures
from voice.call import CALL_RATE
from voice.hotline.engines import HotlineEngines
from voice.hotline.expect import HANDOFF
from voice.hotline.hearing import Ears, Heard
from voice.hotline.hub_client import ConversationState
from voice.hotline.line import HeardKind, Input
from voice.hotline.session import CallSession
from voice.tts.base import Speech
from voice.tts.piper import PiperSynthesizer

WAIT = 5.0


class StalledHub:
    """A hub whose engine never answers: every message gets the holding reply; asking for a
    person opens a hand-off."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str | None]] = []
        self.polls = 0

    async def send(self, text: str, language: str, *, kind: str = "speech", payload: str | None = None,
                   confidence: float | None = None) -> list[Reply]:
        self.sent.append((kind, payload))
        if payload == HANDOFF:
            return [Reply("I'm putting you through to a member of staff.", role="answer")]
        return [Reply(say("hub.holding", language), role="holding")]

    async def pending(self) -> list[Reply]:
        self.polls += 1
        return []

    async def state(self) -> ConversationState:
        handed_off = any(payload == HANDOFF for _kind, payload in self.sent)
        return ConversationState("open" if handed_off else "bot", waiting=handed_off,
                                 position=1 if handed_off else None)


def test_an_answer_that_never_comes_ends_with_a_person_not_silence(engines: HotlineEngines) -> None:  # noqa: F811
    settings = engines.settings.model_copy(update={"voice_slow_answer_seconds": WAIT, "voice_poll_seconds": 0.2,
                                                   "voice_still_working_seconds": 2.0})
    hub = StalledHub()
    call = MemoryCall()

    async def scenario() -> float:
        call.start()
        session = CallSession(call, dataclasses.replace(engines, settings=settings), hub=hub)  # type: ignore[arg-type]
        session.language = "en"
        started = time.monotonic()
        try:
            await session._exchange("what is the old age allowance", kind="speech")
        finally:
            await call.stop()
        assert session.with_consultant and session.outcome == "handoff"
        return time.monotonic() - started

    took = asyncio.run(scenario())
    assert hub.sent == [("speech", None), ("choice", HANDOFF)]
    assert took >= WAIT and hub.polls >= 3  # it waited, asking the hub for the answer
    said = [chunk for chunk in call.sent if chunk]
    assert len(said) >= 3, len(said)  # "one moment", "still looking" (every 2 s), the hand-off
    assert sum(len(chunk) for chunk in said) / 2 / CALL_RATE >= WAIT * 0.5


class SlowEars:
    """The recogniser as it is with ten turns to make out at once on two cores: slow."""

    def __init__(self, ears: Ears, delay: float) -> None:
        self.ears, self.delay = ears, delay

    def hear(self, audio: bytes, language: str | None, yes_no: bool = False) -> Heard:
        time.sleep(self.delay)
        return self.ears.hear(audio, language, yes_no=yes_no)


class QuickHub(StalledHub):
    async def send(self, text: str, language: str, *, kind: str = "speech", payload: str | None = None,
                   confidence: float | None = None) -> list[Reply]:
        self.sent.append((kind, text))
        return [Reply("The old age allowance is one hundred yuan a month.", role="answer")]


def test_words_slow_to_make_out_are_covered_by_one_moment(engines: HotlineEngines,  # noqa: F811
                                                          piper: PiperSynthesizer) -> None:  # noqa: F811
    settings = engines.settings.model_copy(update={"voice_max_gap_seconds": 1.5})
    slow = dataclasses.replace(engines, settings=settings, ears=SlowEars(engines.ears, 3.0))
    hub = QuickHub()
    call = MemoryCall()
    question = piper.synthesize("What is the old age allowance?", "en", 0.9, CALL_RATE).pcm

    async def scenario() -> tuple[float, bytes]:
        call.start()
        session = CallSession(call, slow, hub=hub)  # type: ignore[arg-type]
        session.language = "en"
        step = asyncio.create_task(session._step())
        await call.say(question)
        spoken = time.monotonic()
        first = None
        while not step.done():
            if first is None and any(call.sent):
                first = time.monotonic()
            await asyncio.sleep(0.02)
        await step
        await call.until_quiet(0.5)
        await call.stop()
        assert first is not None
        return first - spoken, session._one_moment["en"]

    waited, one_moment = asyncio.run(scenario())
    assert waited < 2.8, f"the caller heard nothing for {waited:.2f} s while their words took 3 s"
    assert [kind for kind, _text in hub.sent] == ["speech"] and "allowance" in hub.sent[0][1].lower(), hub.sent
    said = [bytes(chunk) for chunk in call.sent if chunk]
    assert said[0] == one_moment and len(said) == 2, "one moment, then the answer (not one moment again)"


class SlowVoice:
    """The speaker as it is with ten answers to voice at once: every answer slow to begin."""

    def __init__(self, speaker: object, delay: float) -> None:
        self.speaker, self.delay = speaker, delay

    def speak(self, text: str, language: str, sample_rate: int = CALL_RATE) -> Iterator[Speech]:
        time.sleep(self.delay)
        yield from self.speaker.speak(text, language, sample_rate)  # type: ignore[attr-defined]

    def prompt(self, key: str, language: str, sample_rate: int = CALL_RATE) -> Speech:
        return self.speaker.prompt(key, language, sample_rate)  # type: ignore[attr-defined]


class LateHub(QuickHub):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def send(self, text: str, language: str, *, kind: str = "speech", payload: str | None = None,
                   confidence: float | None = None) -> list[Reply]:
        await asyncio.sleep(self.delay)
        return await super().send(text, language, kind=kind, payload=payload, confidence=confidence)


def _first_sound_after_turn(engines: HotlineEngines, hub: StalledHub,  # noqa: F811
                            quiet: float) -> tuple[float, list[bytes], bytes]:
    """Seconds from the end of the caller's speech (``quiet`` seconds before the turn was taken)
    to the first sound they hear, what they heard, and the call's "one moment"."""
    call = MemoryCall()

    async def scenario() -> tuple[float, list[bytes], bytes]:
        call.start()
        session = CallSession(call, engines, hub=hub)  # type: ignore[arg-type]
        session.language = "en"
        one_moment = await session._filler()
        assert one_moment is not None
        heard = Input(HeardKind.TURN, heard=Heard("What is the old age allowance?", "en", 0.9),
                      audio_seconds=2.0, quiet_seconds=quiet)
        speech_end = time.monotonic() - quiet
        turn = asyncio.create_task(session._turn(heard))
        while not any(call.sent) and not turn.done():
            await asyncio.sleep(0.01)
        first = time.monotonic() - speech_end
        await turn
        await call.until_quiet(0.3)
        await call.stop()
        return first, [bytes(chunk) for chunk in call.sent if chunk], one_moment

    return asyncio.run(scenario())


@pytest.mark.parametrize(("hub_delay", "voice_delay"), [(1.0, 0.0), (0.0, 1.2)])
def test_the_gap_is_kept_when_the_turn_was_taken_late(engines: HotlineEngines, hub_delay: float,  # noqa: F811
                                                      voice_delay: float) -> None:
    """A turn taken 1.6 s after the caller stopped (a loaded machine, or a pause waited out): the
    answer (from the hub, then in a voice) coming after the gap (2 s) is preceded by "one moment"
    at the gap, not after it."""
    gap = engines.settings.voice_max_gap_seconds
    slow = dataclasses.replace(engines, speaker=SlowVoice(engines.speaker, voice_delay))
    first, said, one_moment = _first_sound_after_turn(slow, LateHub(hub_delay), quiet=1.6)
    assert first < gap + 0.25, f"silent for {first:.2f} s after the caller's last word, the gap is {gap} s"
    assert said[0] == one_moment and len(said) == 2, "one moment, then the answer"


def test_a_quick_answer_needs_no_one_moment(engines: HotlineEngines) -> None:  # noqa: F811
    first, said, one_moment = _first_sound_after_turn(engines, QuickHub(), quiet=0.5)
    assert first < engines.settings.voice_max_gap_seconds
    assert len(said) == 1 and said[0] != one_moment, "the answer alone"
