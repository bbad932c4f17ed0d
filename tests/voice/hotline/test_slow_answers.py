"""An answer the engine never gives (Rasa down, or stuck): the caller hears "one moment" at once and
"still looking" while they wait, and is put through to a person once the wait is over — never left
in silence. The hub here is a stand-in that always says "one moment" (the real hub's holding reply
when the engine cannot be reached is tested in tests/bot/hub)."""

from __future__ import annotations

import asyncio
import dataclasses
import time

from bot.hub.messages import Reply
from careline.catalogue import say
from tests.voice.hotline.memory_call import MemoryCall
from tests.voice.hotline.test_turns import engines  # noqa: F401 - the module's engines fixture
from voice.call import CALL_RATE
from voice.hotline.engines import HotlineEngines
from voice.hotline.expect import HANDOFF
from voice.hotline.hub_client import ConversationState
from voice.hotline.session import CallSession

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
