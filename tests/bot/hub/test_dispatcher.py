"""The outbox dispatcher against a channel that fails for a while: every message arrives,
once, in order per address; a channel's "retry after" is honoured; an undeliverable message
stops blocking the ones behind it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.hub.channel import RetryLater, Undeliverable
from bot.hub.dispatcher import Dispatcher
from knowledge import db, outbox
from knowledge.models import OutboxMessage


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
