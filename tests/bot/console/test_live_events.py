"""Live events: the hub publishes a new message and a hand-off where it records them (an
emergency as soon as it is recorded, before the engine is asked), the console's actions publish
theirs, each naming the conversation's district; in one process through asyncio queues, across
hubs through Redis pub/sub (the Redis of the machine, on a channel of the test's own)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.service import ConsoleService
from bot.console.stream import may_see
from bot.hub.bot_client import RasaClient
from bot.hub.events_bus import MESSAGE, QUEUE, EventBus, LiveEvent, LocalBus, RedisBus, Subscription, event_bus
from bot.hub.hub import Hub
from bot.hub.messages import Inbound
from careline.stack import free_port
from knowledge.actors import Actor
from knowledge.models import Conversation, Handoff
from tests.bot.console.conftest import Desk
from tests.bot.hub.engine_standin import EngineStandIn

REDIS = "redis://127.0.0.1:6379/0"


def _hub(sessions: sessionmaker[Session], bus: EventBus) -> Hub:
    return Hub(sessions, RasaClient(f"http://127.0.0.1:{free_port()}", timeout=2), lock_storage="memory://",
               events=bus)


async def _collect(subscription: Subscription, count: int, timeout: float = 10.0) -> list[LiveEvent]:
    seen: list[LiveEvent] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(seen) < count and loop.time() < deadline:
        event = await subscription.next(timeout=max(0.01, deadline - loop.time()))
        if event is not None:
            seen.append(event)
    return seen


def _facts(events: list[LiveEvent]) -> list[tuple[str, str]]:
    return [(e.kind, e.data.get("sender") or e.data.get("change")) for e in events]


def test_every_subscriber_gets_each_event_once_and_a_slow_one_loses_only_its_oldest() -> None:
    async def scenario() -> None:
        bus = LocalBus(max_queued=3)
        async with bus.subscribe() as first, bus.subscribe() as second:
            for n in range(5):
                await bus.publish(LiveEvent(QUEUE, n, {"change": "handoff"}))
            assert [e.conversation_id for e in await _collect(first, 3)] == [2, 3, 4]
            assert [e.conversation_id for e in await _collect(second, 3)] == [2, 3, 4]
            assert await first.next(timeout=0.05) is None
        await bus.publish(LiveEvent(QUEUE, 9))  # nobody listening: nothing kept

    asyncio.run(scenario())


def test_the_setting_names_the_bus() -> None:
    assert isinstance(event_bus(""), LocalBus) and isinstance(event_bus(REDIS), RedisBus)
    with pytest.raises(ValueError):
        event_bus("kafka://somewhere")


def test_an_emergency_in_a_consultants_conversation_and_their_reply_reach_an_open_console(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = desk.waiting(channel="cli")

    async def scenario() -> list[LiveEvent]:
        async with desk.hub.events.subscribe() as console:
            await desk.service.claim(conversation_id, actor)
            await desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text="救命 我摔倒了"))
            await desk.service.say(conversation_id, actor, "别动，我马上叫人")
            return await _collect(console, 5)

    seen = asyncio.run(scenario())
    assert _facts(seen) == [(QUEUE, "claimed"), (MESSAGE, "user"), (QUEUE, "handoff"), (MESSAGE, "bot"),
                            (MESSAGE, "consultant")]
    assert {e.conversation_id for e in seen} == {conversation_id}
    assert {e.district_id for e in seen} == {desk.district_id}, "who may see them, without the database"
    assert seen[2].data["urgency"] == 9 and "text" not in str(seen), "ids and facts, never what was said"


def test_an_emergency_reaches_the_consoles_before_the_engine_has_answered_it(desk: Desk) -> None:
    """The person's conversation is the bot's: the hub's emergency check queues it at once, the
    engine (a stand-in that takes 3 s) still answers, and the hand-off is not opened twice."""
    name = f"t-{uuid.uuid4().hex[:8]}"
    with EngineStandIn(delay=3.0) as engine:
        hub = Hub(desk.sessions, RasaClient(engine.url, timeout=10), lock_storage="memory://", events=LocalBus())

        async def scenario() -> tuple[list[LiveEvent], int, list[str]]:
            async with hub.events.subscribe() as console:
                handling = asyncio.create_task(hub.handle(Inbound(channel="cli", conversation=name, address=name,
                                                                  text="救命 我摔倒了", district_key="maple-town")))
                seen = await _collect(console, 2, timeout=2.5)
                turns_then = len(engine.turns)
                replies = await handling
                return seen, turns_then, [r.text for r in replies]

        seen, turns_then, replies = asyncio.run(scenario())
    assert _facts(seen) == [(MESSAGE, "user"), (QUEUE, "handoff")] and turns_then == 0, "before the engine answered"
    assert seen[1].data["urgency"] == 9 and seen[1].district_id == desk.district_id
    assert replies[1:] == ["you said: 救命 我摔倒了"] and len(engine.turns) == 1, "the engine is still asked, once"
    assert "120" in replies[0], "the engine's answer had no emergency advice: the hub's comes first"
    with desk.sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        assert conversation.status == "open"
        assert session.scalar(select(func.count()).select_from(Handoff)
                              .where(Handoff.conversation_id == conversation.id)) == 1


def test_a_stream_tells_who_may_have_an_event_by_the_district_it_names(desk: Desk) -> None:
    """Named: decided without the database (whose sessions would fail here). Not named (a hub
    of an older version, through Redis): the conversation's district is looked up."""
    other = desk.other_district()
    mine, _ = desk.waiting()
    theirs, _ = desk.waiting(district_id=other)
    consultant, outsider, admin = desk.consultant(), desk.consultant(district_id=other), desk.consultant(is_admin=True)

    def no_database() -> Session:
        raise AssertionError("the database was asked")

    unreachable: sessionmaker[Session] = no_database  # type: ignore[assignment]

    def sees(event: LiveEvent, actor: Actor, sessions: sessionmaker[Session] = unreachable) -> bool:
        return asyncio.run(may_see(event, actor, sessions))

    named_mine, named_theirs = LiveEvent(QUEUE, mine, {}, desk.district_id), LiveEvent(QUEUE, theirs, {}, other)
    assert (sees(named_mine, consultant), sees(named_theirs, consultant)) == (True, False)
    assert (sees(named_mine, outsider), sees(named_theirs, outsider)) == (False, True)
    assert sees(named_mine, admin) and sees(named_theirs, admin)
    assert sees(LiveEvent(MESSAGE, mine), consultant, desk.sessions)
    assert not sees(LiveEvent(MESSAGE, theirs), consultant, desk.sessions)
    assert not sees(LiveEvent(MESSAGE, 10**9), consultant, desk.sessions), "no such conversation"


def _redis_pair(desk: Desk) -> tuple[Hub, RedisBus]:
    channel = f"careline:test:{uuid.uuid4().hex}"
    publishing = _hub(desk.sessions, RedisBus(REDIS, channel))
    return publishing, RedisBus(REDIS, channel)


def test_a_console_on_one_hub_sees_what_another_hub_received_through_redis(desk: Desk) -> None:
    other_hub, console_bus = _redis_pair(desk)
    service = ConsoleService(other_hub)
    actor: Actor = desk.consultant()
    conversation_id, name = desk.waiting(channel="cli")

    async def scenario() -> list[LiveEvent]:
        async with console_bus.subscribe() as console:
            await service.claim(conversation_id, actor)
            await other_hub.handle(Inbound(channel="cli", conversation=name, address=name, text="还在吗"))
            seen = await _collect(console, 3)
        await console_bus.aclose()
        await other_hub.events.aclose()
        return seen

    seen = asyncio.run(scenario())
    assert _facts(seen) == [(QUEUE, "claimed"), (MESSAGE, "user"), (MESSAGE, "system")]
    assert seen[0].data["consultant_id"] == actor.consultant_id


def test_a_hub_whose_redis_is_gone_still_answers(desk: Desk) -> None:
    hub = _hub(desk.sessions, RedisBus(f"redis://127.0.0.1:{free_port()}/0"))
    _, name = desk.waiting(channel="cli")
    replies = asyncio.run(hub.handle(Inbound(channel="cli", conversation=name, address=name, text="有人吗")))
    assert [r.role for r in replies] == ["with_consultant"]


def test_events_travel_as_json() -> None:
    event = LiveEvent(QUEUE, 7, {"change": "handoff", "urgency": 9}, district_id=3)
    assert LiveEvent.from_json(event.to_json()) == event
    older = LiveEvent.from_json('{"kind":"queue","conversation_id":7,"data":{"change":"claimed"}}')
    assert older == LiveEvent(QUEUE, 7, {"change": "claimed"}) and older.district_id is None
