"""The call session tells the hub when a call ends, however it ends: the real hub over HTTP (no
dialogue engine: the caller says nothing that would reach it), a scripted line and a silent
voice (no models are loaded)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from structlog.testing import capture_logs

from careline.settings import Settings
from careline.stack import free_port
from knowledge import db
from knowledge.handoffs import ABANDONED, Urgency, open_handoff
from knowledge.models import Conversation, Handoff, PhoneCall
from tests.bot.conftest import telegram_api  # noqa: F401  (fixture)
from tests.bot.hub.conftest import ApiHub, api_hub  # noqa: F401  (fixture)
from voice.call import FRAME_BYTES, Call, CallEvent, EventKind
from voice.hotline.engines import HotlineEngines
from voice.hotline.session import CallSession

WANG = "13800001111"  # maple-town's Mandarin-speaking elder, as the phone network gives the number


class HangingUpCall(Call):
    """A caller who hangs up as soon as the session listens; ``before`` runs just before."""

    def __init__(self, caller: str, before: Callable[[], None] | None = None) -> None:
        self.call_id, self.caller, self.called = f"end-{uuid.uuid4().hex[:10]}", caller, "12320"
        self.before = before
        self.hung_up_by_us = False

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        if self.before is not None:
            self.before, before = None, self.before
            before()
        return CallEvent(EventKind.HANGUP, reason="caller")

    def play(self, pcm: bytes) -> None:
        pass

    def stop_playing(self) -> None:
        pass

    @property
    def playing_seconds(self) -> float:
        return 0.0

    async def hang_up(self) -> None:
        self.hung_up_by_us = True


class SilentSpeaker:
    """Says every prompt and text as one silent frame."""

    def prompt(self, key: str, language: str, rate: int) -> Any:
        return SimpleNamespace(pcm=b"\x00" * FRAME_BYTES)

    def speak(self, text: str, language: str, rate: int) -> Any:
        return iter([SimpleNamespace(pcm=b"\x00" * FRAME_BYTES)])


def _run(settings: Settings, call: HangingUpCall) -> None:
    engines = HotlineEngines(settings, ears=None, speaker=SilentSpeaker(), turn_model=None)  # type: ignore[arg-type]
    asyncio.run(asyncio.wait_for(CallSession(call, engines).run(), 30))


def _logged(logs: list[dict[str, Any]]) -> str:
    return " ".join(str(value) for entry in logs for value in entry.values())


def test_a_caller_who_hangs_up_while_waiting_ends_the_call_at_the_hub(api_hub: ApiHub) -> None:  # noqa: F811
    settings = api_hub.settings.model_copy(update={"voice_hub_url": api_hub.url})
    opened: list[int] = []

    def waiting_for_a_consultant() -> None:
        with db.transaction(api_hub.sessions) as session:
            conversation = session.scalar(select(Conversation)
                                          .where(Conversation.external_id == f"call-{call.call_id}"))
            opened.append(open_handoff(session, conversation, Urgency.REQUESTED, "requested", "zh", "").id)

    call = HangingUpCall(WANG, before=waiting_for_a_consultant)
    with capture_logs() as logs:
        _run(settings, call)
    assert not call.hung_up_by_us, "the caller hung up: the session does not"
    with api_hub.sessions() as session:
        record = session.scalar(select(PhoneCall).join(Conversation, Conversation.id == PhoneCall.conversation_id)
                                .where(Conversation.external_id == f"call-{call.call_id}"))
        assert record is not None and record.ended_at is not None
        assert (record.end_reason, record.outcome, record.turns) == ("caller", "bot", 0)
        assert session.get(Handoff, opened[0]).status == ABANDONED, "the caller is gone: not in the queue"
    assert not [entry for entry in logs if entry["event"] == "call_end_not_recorded"]
    assert WANG not in _logged(logs)


def test_a_hub_out_of_reach_at_the_end_is_logged_and_the_call_still_ends(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{tmp_path}/none.db", tts_online=False,
                        voice_hub_url=f"http://127.0.0.1:{free_port()}")
    call = HangingUpCall(WANG)
    with capture_logs() as logs:
        _run(settings, call)  # never raises
    assert call.hung_up_by_us, "the line was in trouble: the session said so and hung up"
    ends = [entry for entry in logs if entry["event"] == "call_end_not_recorded"]
    assert len(ends) == 1 and ends[0]["reason"] == "local" and ends[0]["call"] == call.call_id
    assert [entry["outcome"] for entry in logs if entry["event"] == "call_end"] == ["hub_unavailable"]
    assert WANG not in _logged(logs)
