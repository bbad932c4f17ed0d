"""'One moment' is followed by the real answer, on a channel that answers in the same breath and
on Telegram: the real engine, whose REST channel here waits only a millisecond before it says
"one moment" (so every answer comes late, from a turn that goes on in the background), the real
action server, the hub, and the Telegram Bot API stand-in."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound, Reply
from careline import clock
from careline.stack import Stack
from knowledge import db
from knowledge.bundle import import_path
from knowledge.handoffs import hub_sender
from knowledge.models import Booking, Conversation, Message
from tests.bot.channels.test_telegram import link, new_user, wait_text
from tests.bot.conftest import RunningHub, elder_id, hub_settings
from tests.conftest import MAPLE
from tests.standins.telegram_api import TelegramAPI

pytestmark = [pytest.mark.dialogue, pytest.mark.long]

WAIT = 90.0


@pytest.fixture(scope="module")
def slow_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The engine with a 1 ms reply timeout over its own copy of the fixture district."""
    tmp = tmp_path_factory.mktemp("slow-engine")
    database_url = f"sqlite:///{tmp / 'careline.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), MAPLE, clock.local_today()).ok
    engine.dispose()
    stack = Stack(tmp, database_url, reply_timeout=0.001).start()
    yield stack
    stack.stop()


def _texts(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def _later(hub: Hub, conversation: str) -> list[Reply]:
    """What the hub has for a same-breath channel that polls while the person waits."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        await hub.retry_waiting()
        pending = await hub.pending("cli", conversation)
        if pending:
            return pending
        await asyncio.sleep(0.3)
    raise AssertionError("no late answer")


async def _until_answered(hub: Hub, conversation: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        await hub.retry_waiting()
        with hub.sessions() as session:
            states = session.scalars(select(Message.bot_state).join(Conversation).where(
                Conversation.external_id == conversation, Message.sender == "user")).all()
        if all(s == "answered" for s in states):
            return
        await asyncio.sleep(0.3)
    raise AssertionError(f"not answered: {states}")


def test_a_same_breath_channel_gets_the_late_answers_and_the_booking_is_confirmed(slow_servers: Stack) -> None:
    hub = Hub(db.session_factory(db.make_engine(slow_servers.database_url)),
              RasaClient(slow_servers.rasa_url, token=slow_servers.rasa_token))
    name, wang = f"t-{uuid.uuid4().hex[:8]}", elder_id(slow_servers, "wang")

    async def say(text: str) -> list[Reply]:
        return await hub.handle(Inbound(channel="cli", conversation=name, address=name, text=text, language="zh",
                                        elder_id=wang))

    async def run() -> tuple[list[Reply], ...]:
        asked = await say("我想请人上门理发")
        when = await _later(hub, name)  # polled while the person waits
        await say("下周三上午十点")
        offer = await _later(hub, name)
        held = await say("1")
        await _until_answered(hub, name)
        thanks = await say("谢谢")  # a channel that does not poll hears it with the next exchange
        return asked, when, offer, held, thanks

    asked, when, offer, held, thanks = asyncio.run(run())
    assert [r.role for r in asked] == ["holding"] and "稍等" in asked[0].text
    assert "几点" in _texts(when) or "时间" in _texts(when), _texts(when)
    assert any(r.buttons for r in offer) and "理发" in _texts(offer), _texts(offer)
    assert [r.role for r in held] == ["holding"]
    assert "已经提交" in thanks[0].text and len(thanks) >= 2, "the confirmation, then what 谢谢 got"
    assert asyncio.run(hub.pending("cli", name)) == [], "each late reply is handed out once"
    with hub.sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        transcript = [(m.sender, m.kind, m.text) for m in session.scalars(
            select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id))]
        assert session.scalar(select(Booking.id).where(Booking.elder_id == wang, Booking.kind == "home_service",
                                                       Booking.created_via == "cli")) is not None
    confirmed = [i for i, (sender, _, text) in enumerate(transcript) if sender == "bot" and "已经提交" in text]
    chose = transcript.index(("user", "text", "1"))
    assert len(confirmed) == 1 and confirmed[0] > chose, transcript
    tracker = httpx.get(f"{slow_servers.rasa_url}/conversations/{hub_sender(conversation.id)}/tracker",
                        params=slow_servers.api_params, timeout=30).json()
    heard = [e.get("text") for e in tracker["events"] if e.get("event") == "user"]
    assert heard.count("我想请人上门理发") == 1 and heard.count("1") + heard.count("/affirm") == 1, heard


@pytest.fixture
def slow_hub(slow_servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(hub_settings(slow_servers, tmp_path, telegram_token=telegram_api.token,
                                      telegram_base_url=telegram_api.base_url,
                                      telegram_base_file_url=telegram_api.base_file_url))
    yield running
    running.stop()


def test_telegram_hears_one_moment_then_the_answer_and_the_confirmation(
        slow_hub: RunningHub, telegram_api: TelegramAPI, slow_servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    link(api, slow_servers, user, "li")
    api.send_text(user, "我妈想请人上门理发")
    wait_text(api, user, "几点", WAIT)
    api.send_text(user, "下周三上午十点")
    [offer] = api.wait_for(user.id, 1, WAIT, lambda m: bool(m.buttons))
    api.press_button(user, offer, text="是")
    wait_text(api, user, "已经提交", WAIT)
    time.sleep(3)  # two more rounds of the hub's follow-ups: nothing is said twice
    chat = [m.text or "" for m in api.sent(user.id)]
    asked = next(i for i, text in enumerate(chat) if "几点" in text)
    assert any("稍等" in text for text in chat[:asked]), chat
    assert sum("已经提交" in text for text in chat) == 1 and sum("几点" in text for text in chat) == 1, chat
    with db.session_factory(db.make_engine(slow_servers.database_url))() as session:
        assert session.scalar(select(Booking.id).where(Booking.elder_id == elder_id(slow_servers, "li"),
                                                       Booking.kind == "home_service",
                                                       Booking.created_via == "telegram")) is not None


def test_the_engine_takes_a_named_message_once_however_often_it_is_sent(slow_servers: Stack) -> None:
    sender, url = f"t-{uuid.uuid4().hex[:8]}", f"{slow_servers.rasa_url}/webhooks/careline/webhook"
    body = {"sender": sender, "message": "高龄津贴是什么", "metadata": {"language": "zh"}, "message_id": "m-1"}
    first = httpx.post(url, json=body, headers=slow_servers.headers, timeout=60).json()
    assert first[0].get("custom", {}).get("holding"), first
    deadline, answer = time.monotonic() + WAIT, first
    while answer[0].get("custom", {}).get("holding") and time.monotonic() < deadline:
        time.sleep(0.2)
        answer = httpx.post(url, json={**body, "repeat": True}, headers=slow_servers.headers, timeout=60).json()
    assert "津贴" in answer[0]["text"], answer
    again = httpx.post(url, json={**body, "repeat": True}, headers=slow_servers.headers, timeout=60).json()
    assert [m["text"] for m in again] == [m["text"] for m in answer], "read back from the tracker"
    events = httpx.get(f"{slow_servers.rasa_url}/conversations/{sender}/tracker", params=slow_servers.api_params,
                       timeout=30).json()["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["高龄津贴是什么"]
