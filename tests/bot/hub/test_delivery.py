"""How often and in what order the hub asks the engine, with one hub and with two hubs over one
database (SQLite and PostgreSQL; conversation locks in the database or in Redis). The engine is
the counting stand-in (``engine_standin.py``): a real HTTP server, since only a counter can tell
that a message was asked about twice."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound
from knowledge import db
from knowledge.models import Message, OutboxMessage
from tests.bot.hub.engine_standin import EngineStandIn

LOCKS = ["", "redis://127.0.0.1:6379/0"]


def _hub(engine: Engine, url: str, locks: str = "", **options: Any) -> Hub:
    if locks:
        options["lock_storage"] = locks
    return Hub(db.session_factory(engine), RasaClient(url, timeout=10), push_channels={"telegram"}, **options)


def _message(conversation: str, text: str) -> Inbound:
    return Inbound(channel="telegram", conversation=conversation, address=conversation, text=text, language="en")


def _answers(engine: Engine) -> list[str]:
    with db.session_factory(engine)() as session:
        return [m.text for m in session.scalars(select(Message).where(Message.sender == "bot").order_by(Message.id))]


def test_two_quick_messages_reach_the_engine_once_each(empty_engine: Engine) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    with EngineStandIn(delay=0.3) as engine:
        hub = _hub(empty_engine, engine.url)

        async def run() -> None:
            first = asyncio.create_task(hub.handle(_message(conversation, "what is the allowance")))
            await asyncio.sleep(0.1)
            second = asyncio.create_task(hub.handle(_message(conversation, "blorp")))
            await asyncio.sleep(0.1)
            await hub.retry_waiting()  # the hub's retry loop comes round meanwhile
            await asyncio.gather(first, second)
            await hub.retry_waiting()

        asyncio.run(run())
    assert engine.said() == ["what is the allowance", "blorp"], "each message once: one misunderstanding, not two"
    assert _answers(empty_engine) == ["you said: what is the allowance", "you said: blorp"]
    with db.session_factory(empty_engine)() as session:
        queued = [row.body["text"] for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert queued == ["you said: what is the allowance", "you said: blorp"]


@pytest.mark.parametrize("locks", LOCKS)
def test_two_hubs_retrying_send_each_kept_message_once_and_in_order(empty_engine: Engine, locks: str) -> None:
    sent = {f"c-{uuid.uuid4().hex[:8]}": [f"question {i} of {n}" for i in range(3)] for n in ("a", "b")}
    with EngineStandIn(delay=0.2) as engine:
        engine.down = True
        first, second = _hub(empty_engine, engine.url, locks), _hub(empty_engine, engine.url, locks)

        async def keep() -> None:
            for conversation, texts in sent.items():
                for text in texts:
                    replies = await first.handle(_message(conversation, text))
                    assert [r.role for r in replies] == ["holding"]

        asyncio.run(keep())
        engine.down = False

        async def race() -> list[int]:
            return list(await asyncio.gather(first.retry_waiting(), second.retry_waiting()))

        done = asyncio.run(race())
    by_sender: dict[str, list[str]] = defaultdict(list)
    for turn in engine.turns:
        by_sender[turn.sender].append(turn.message)
    assert sorted(by_sender.values()) == sorted(sent.values()), "every kept message once, in its order"
    assert sum(done) == 6
    assert sorted(_answers(empty_engine)) == sorted(f"you said: {t}" for texts in sent.values() for t in texts)


@pytest.mark.parametrize("locks", LOCKS)
def test_two_hubs_give_the_engine_one_conversation_one_message_at_a_time(empty_engine: Engine, locks: str) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    with EngineStandIn(delay=0.4) as engine:
        first, second = _hub(empty_engine, engine.url, locks), _hub(empty_engine, engine.url, locks)

        async def run() -> None:
            one = asyncio.create_task(first.handle(_message(conversation, "one")))
            await asyncio.sleep(0.15)
            two = asyncio.create_task(second.handle(_message(conversation, "two")))
            await asyncio.gather(one, two)

        asyncio.run(run())
    assert engine.overlapping() == [], "the second hub waited for the first"
    assert engine.said() == ["one", "two"]
    assert _answers(empty_engine) == ["you said: one", "you said: two"]


def test_a_message_a_dead_hub_was_asking_is_asked_again_under_the_same_id(empty_engine: Engine) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    with EngineStandIn(delay=0.5) as engine:
        dying = _hub(empty_engine, engine.url, claim_lease=2.0)
        survivor = _hub(empty_engine, engine.url, claim_lease=2.0)

        async def run() -> int:
            asked = asyncio.create_task(dying.handle(_message(conversation, "book me a lunch")))
            for _ in range(1000):  # until the engine is working on it (however busy this machine is)
                if engine.arrived:
                    break
                await asyncio.sleep(0.01)
            asked.cancel()  # the hub died while the engine was working on the message
            assert await survivor.retry_waiting() == 0, "its claim still holds"
            await asyncio.sleep(2.0)
            return await survivor.retry_waiting()

        assert asyncio.run(run()) == 1
        [first, second] = engine.turns
    assert first.message_id == second.message_id is not None, "the engine can tell it is the same message"
    assert _answers(empty_engine) == ["you said: book me a lunch"]


@pytest.mark.parametrize("finished", [True, False])
def test_a_late_turn_is_asked_once_more_when_its_window_ends(empty_engine: Engine, finished: bool) -> None:
    conversation = f"c-{uuid.uuid4().hex[:8]}"
    with EngineStandIn() as engine:
        engine.holding = True
        hub = _hub(empty_engine, engine.url, retry_window=0.5)

        async def run() -> int:
            replies = await hub.handle(_message(conversation, "what is on tomorrow"))
            assert [r.role for r in replies] == ["holding"]
            await asyncio.sleep(0.6)
            engine.holding = not finished
            return await hub.retry_waiting()

        assert asyncio.run(run()) == 1
        assert len(engine.turns) == 2
    with db.session_factory(empty_engine)() as session:
        said = [(m.kind, m.text) for m in session.scalars(select(Message).order_by(Message.id))]
        queued = [row.body["role"] for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert said[0] == ("text", "what is on tomorrow") and said[1][0] == "holding"
    if finished:
        assert said[2:] == [("answer", "you said: what is on tomorrow")] and queued == ["holding", "answer"]
    else:
        assert said[2][0] == "notice" and "Sorry" in said[2][1] and queued == ["holding", "notice"]
