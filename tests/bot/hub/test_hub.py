"""The hub with the real dialogue engine: transcripts, numbered choices, who owns a conversation,
and emergencies when the engine is unreachable."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound, Kind, Reply
from bot.hub.ratelimit import RateLimiter
from careline.stack import Stack
from knowledge import db
from knowledge.models import Booking, Conversation, ElderEvent, Handoff, Message
from tests.bot.conftest import elder_id

pytestmark = pytest.mark.dialogue


def _hub(servers: Stack, rasa_url: str = "", **options: object) -> Hub:
    return Hub(db.session_factory(db.make_engine(servers.database_url)),
               RasaClient(rasa_url or servers.rasa_url, timeout=30, token=servers.rasa_token), **options)


def _say(hub: Hub, conversation: str, text: str, **fields: object) -> list[Reply]:
    fields.setdefault("language", "zh")
    return asyncio.run(hub.handle(Inbound(channel="cli", conversation=conversation, address=conversation,
                                          text=text, **fields)))


def _texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def test_a_numbered_choice_books_and_the_transcript_keeps_both_sides(servers: Stack) -> None:
    hub = _hub(servers)
    name, wang = f"t-{uuid.uuid4().hex[:8]}", elder_id(servers, "wang")
    offer = _say(hub, name, "明天中午给我订个午饭", elder_id=wang)
    assert any(r.buttons for r in offer), _texts(offer)
    done = _say(hub, name, "1", elder_id=wang)
    assert "订好" in _texts(done) or "已经" in _texts(done), _texts(done)
    sessions = db.session_factory(db.make_engine(servers.database_url))
    with sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        said = [(m.sender, m.text) for m in session.scalars(select(Message).where(
            Message.conversation_id == conversation.id).order_by(Message.id))]
        assert said[0] == ("user", "明天中午给我订个午饭") and ("user", "1") in said
        assert [s for s, _ in said].count("bot") >= 2
        assert session.scalar(select(Booking.id).where(Booking.elder_id == wang, Booking.kind == "meal",
                                                       Booking.status == "active")) is not None


def test_once_a_person_owns_the_conversation_the_bot_stays_out(servers: Stack) -> None:
    hub = _hub(servers)
    name = f"t-{uuid.uuid4().hex[:8]}"
    handed = _say(hub, name, "I want to talk to a real person", language="en")
    assert "staff" in _texts(handed)
    first = _say(hub, name, "what is the old age allowance", language="en")
    second = _say(hub, name, "hello? anyone there?", language="en")
    assert "with a member of staff" in _texts(first) and second == [], "told once, not on every message"
    urgent = _say(hub, name, "help I can't breathe", language="en")
    assert "120" in _texts(urgent)
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id))
        assert handoff.urgency == 9 and conversation.status == "open"


def test_an_emergency_is_answered_even_when_the_engine_is_unreachable(servers: Stack, tmp_path: Path) -> None:
    hub = _hub(servers, "http://127.0.0.1:9")
    name, li = f"t-{uuid.uuid4().hex[:8]}", elder_id(servers, "li")
    replies = _say(hub, name, "救命 我摔倒了起不来", elder_id=li)
    assert "120" in _texts(replies) and "紧急" in _texts(replies)
    ordinary = _say(hub, name + "-b", "高龄津贴是什么", elder_id=li)
    assert "稍等" in _texts(ordinary), "a holding reply, never silence"
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        assert session.scalar(select(Handoff.urgency).where(Handoff.conversation_id == conversation.id)) == 9
        assert session.scalar(select(ElderEvent.id).where(ElderEvent.elder_id == li, ElderEvent.kind == "emergency",
                                                          ElderEvent.source == f"conv-{conversation.id}"))


def test_keypad_digits_stand_for_yes_no_and_a_person(servers: Stack) -> None:
    hub = _hub(servers)
    name = f"t-{uuid.uuid4().hex[:8]}"
    replies = _say(hub, name, "0", kind=Kind.DIGIT, language="en")
    assert "staff" in _texts(replies)


def test_a_cry_for_help_passes_the_rate_limit(servers: Stack) -> None:
    hub = _hub(servers, limiter=RateLimiter("2 per minute"))
    name, li = f"t-{uuid.uuid4().hex[:8]}", elder_id(servers, "li")
    for _ in range(2):
        _say(hub, name, "你好", elder_id=li)
    assert "消息有点多" in _texts(_say(hub, name, "你好", elder_id=li)), "the flood is held"
    replies = _say(hub, name, "救命 我摔倒了", elder_id=li)
    assert "120" in _texts(replies) and "紧急" in _texts(replies), _texts(replies)
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        assert session.scalar(select(Handoff.urgency).where(Handoff.conversation_id == conversation.id)) == 9
        assert session.scalar(select(ElderEvent.id).where(ElderEvent.elder_id == li, ElderEvent.kind == "emergency",
                                                          ElderEvent.source == f"conv-{conversation.id}"))
        cry = session.scalar(select(Message).where(Message.conversation_id == conversation.id,
                                                   Message.text == "救命 我摔倒了"))
        assert cry.bot_state == "answered"
