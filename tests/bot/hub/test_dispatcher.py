"""The outbox dispatcher against a channel that fails for a while: every message arrives,
once, in order per address; a channel's "retry after" is honoured; an undeliverable message
stops blocking the ones behind it."""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select

from bot.channels.telegram.deliverer import TelegramDeliverer
from bot.hub.channel import RetryLater, Undeliverable
from bot.hub.dispatcher import Dispatcher
from knowledge import db, outbox
from knowledge.models import OutboxMessage
from tests.standins.telegram_api import TelegramAPI


class FlakyChannel:
    """A channel that fails the first ``failures`` attempts with the given error."""

    channel = "flaky"

    def __init__(self, failures: list[Exception]) -> None:
        self.failures = list(failures)
        self.delivered: list[tuple[str, str]] = []
        self.attempts = 0

    async def deliver(self, address: str, body: dict[str, Any]) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        if body["text"] == "poison":
            raise Undeliverable("chat not found")
        self.delivered.append((address, body["text"]))


def _sessions(tmp_path: Path):
    engine = db.make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    db.upgrade(engine)
    return db.session_factory(engine)


async def _drain(dispatcher: Dispatcher, until: Any, timeout: float = 15.0) -> None:
    task = asyncio.create_task(dispatcher.run())
    try:
        async with asyncio.timeout(timeout):
            while not until():
                await asyncio.sleep(0.05)
    finally:
        task.cancel()


def test_failures_are_retried_until_each_message_arrives_once_in_order(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    with db.transaction(sessions) as session:
        for n in range(3):
            outbox.enqueue(session, "flaky", "a", {"text": f"a{n}", "buttons": []}, dedupe_key=f"a{n}")
        outbox.enqueue(session, "flaky", "b", {"text": "poison", "buttons": []})
        outbox.enqueue(session, "flaky", "b", {"text": "b1", "buttons": []})
    channel = FlakyChannel([ConnectionError("down"), TimeoutError(), RetryLater(0.3), OSError("reset")])
    dispatcher = Dispatcher(sessions, [channel], first_backoff=0.1, max_backoff=0.4, idle_poll=0.05)
    asyncio.run(_drain(dispatcher, lambda: len(channel.delivered) == 4))
    assert [text for address, text in channel.delivered if address == "a"] == ["a0", "a1", "a2"]
    assert ("b", "b1") in channel.delivered
    assert len(channel.delivered) == len(set(channel.delivered))
    with sessions() as session:
        statuses = {row.body["text"]: row.status for row in session.scalars(select(OutboxMessage))}
    assert statuses == {"a0": "sent", "a1": "sent", "a2": "sent", "poison": "dead", "b1": "sent"}
    assert channel.attempts >= 9


# -- Telegram's permanent refusals, through the real deliverer and the Bot API stand-in ---------------


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def _drain_telegram(api: TelegramAPI, sessions: Any, until: Any, timeout: float = 20.0) -> None:
    async with api.bot_client() as bot:
        dispatcher = Dispatcher(sessions, [TelegramDeliverer(bot)], first_backoff=0.2, max_backoff=1.0,
                                idle_poll=0.05)
        await _drain(dispatcher, until, timeout)


def _queue(sessions: Any, chat: int, *bodies: dict[str, Any]) -> None:
    with db.transaction(sessions) as session:
        for body in bodies:
            outbox.enqueue(session, "telegram", str(chat), {"buttons": [], **body})


def _statuses(sessions: Any) -> dict[str, str]:
    with sessions() as session:
        return {row.body["text"][:12]: row.status for row in session.scalars(select(OutboxMessage))}


def test_a_reply_telegram_refuses_for_good_is_given_up_and_the_alert_behind_it_arrives(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    with TelegramAPI() as api:
        user = api.user(random.randint(10**8, 10**9), "Ann", "en")
        api.fail("sendMessage", times=None, status=400, description="Bad Request: can't parse entities",
                 matching="refused reply")
        _queue(sessions, user.id, {"text": "first answer"}, {"text": "refused reply", "role": "answer"},
               {"text": "Emergency alert: Mr Smith needs help", "role": "alert"})
        asyncio.run(_drain_telegram(api, sessions, lambda: "pending" not in _statuses(sessions).values()
                                    and "sending" not in _statuses(sessions).values(), timeout=10))
        assert [m.text for m in api.sent(user.id)] == ["first answer", "Emergency alert: Mr Smith needs help"]
        refused = [c for c in api.attempts("sendMessage") if "refused" in str(c.params.get("text"))]
        assert len(refused) == 1, "a permanent refusal is not retried"
    with sessions() as session:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.status == "failed"))
    assert row is not None and row.body["text"] == "refused reply" and "can't parse entities" in row.last_error.lower()


def test_a_reply_longer_than_telegram_takes_arrives_in_parts_cut_at_sentence_ends(tmp_path: Path) -> None:
    sessions = _sessions(tmp_path)
    zh = "".join(f"第{n}项服务包括上门助浴、助洁和送餐。" for n in range(200))
    en = " ".join(f"Service {n} includes bathing help, cleaning and meals at home!" for n in range(100))
    text = zh + "\n" + en
    assert utf16_length(text) > 2 * 4096
    with TelegramAPI() as api:
        user = api.user(random.randint(10**8, 10**9), "Mei", "zh-hans")
        api.fail("sendMessage", times=1, status=500, matching="Service 9")  # a later part fails once, then goes
        _queue(sessions, user.id, {"text": text, "buttons": [["是", "/affirm"]]}, {"text": "next message"})
        asyncio.run(_drain_telegram(api, sessions, lambda: set(_statuses(sessions).values()) == {"sent"}))
        sent = api.sent(user.id)
    parts, last = sent[:-1], sent[-1]
    assert last.text == "next message" and len(parts) >= 3
    assert all(utf16_length(p.text) <= 4096 and re.search(r"[。！？.!?]$", p.text) for p in parts), \
        [p.text[-10:] for p in parts]
    assert "".join(p.text for p in parts).replace(" ", "").replace("\n", "") == \
        text.replace(" ", "").replace("\n", ""), "every part once, in order, nothing lost"
    assert [bool(p.buttons) for p in parts] == [False] * (len(parts) - 1) + [True], "the buttons come last"
    assert _statuses(sessions) == {text[:12]: "sent", "next message": "sent"}


# -- two dispatchers on one database ------------------------------------------------------------------


class RecordingChannel:
    """Delivers slowly enough that two dispatchers overlap, and records the order per address."""

    channel = "rec"

    def __init__(self) -> None:
        self.delivered: list[tuple[str, int]] = []

    async def deliver(self, address: str, body: dict[str, Any]) -> None:
        await asyncio.sleep(random.uniform(0.0, 0.02))
        self.delivered.append((address, body["n"]))


def _slow_after(engine: Engine, statement_start: str, seconds: float) -> None:
    """Widen a race window the way a busy database does: pause up to ``seconds`` after each such
    statement, so concurrent transactions commit in another order than they started."""

    def pause(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(statement_start):
            time.sleep(random.uniform(0, seconds))

    event.listen(engine, "after_cursor_execute", pause)


def test_two_dispatchers_keep_each_chats_messages_in_order(empty_engine: Engine) -> None:
    """Replies and alerts to one chat are queued by concurrent transactions (the hub, the alert
    fan-out, another hub): a message committed late must not be overtaken by a later one."""
    sessions = db.session_factory(empty_engine)
    chats, per_chat = ["1", "2", "3"], 25
    channel = RecordingChannel()
    _slow_after(empty_engine, "INSERT INTO OUTBOX", 0.05)

    def producer(chat: str, first: int) -> None:  # replies and alerts queued while the dispatchers run
        for n in range(first, first + per_chat):
            with db.transaction(sessions) as session:
                outbox.enqueue(session, "rec", chat, {"n": n, "text": str(n), "buttons": []})

    async def run() -> None:
        one = Dispatcher(sessions, [channel], idle_poll=0.01)
        two = Dispatcher(sessions, [channel], idle_poll=0.01)
        tasks = [asyncio.create_task(one.run()), asyncio.create_task(two.run())]
        producers = [threading.Thread(target=producer, args=(chat, first)) for chat in chats for first in (0, 1000)]
        for thread in producers:
            thread.start()
        try:
            async with asyncio.timeout(60):
                while len(channel.delivered) < len(chats) * per_chat * 2 or any(t.is_alive() for t in producers):
                    await asyncio.sleep(0.05)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(run())
    with sessions() as session:
        queued = {chat: [row.body["n"] for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.address == chat).order_by(OutboxMessage.id))] for chat in chats}
    for chat in chats:
        assert [n for address, n in channel.delivered if address == chat] == queued[chat], chat
    assert len(channel.delivered) == len(set(channel.delivered)) == len(chats) * per_chat * 2, "each once"
