"""Live events for the consultants' console: the queue changed (a hand-off opened or raised,
claimed, handed back, resolved, transferred) and a new message in a conversation (the person's,
the bot's, a consultant's).

One hub fans events out in its own process (asyncio queues); several hubs share them through
Redis pub/sub (``hub_events_url``), so a consultant connected to one hub sees what another hub
received. Events carry ids and small facts, never names or message text: a subscriber reads
the rest from the database, where access is checked. An event names the conversation's district
when its publisher knew it, so that a console's stream can tell who may have it without asking
the database for every event and every open stream. Delivery is at most once: a subscriber
that falls behind (or a Redis outage) loses events, so a console reloads its queue on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import structlog

log = structlog.get_logger("careline.hub.events")

QUEUE, MESSAGE = "queue", "message"
REDIS_CHANNEL = "careline:hub:events"


@dataclass(frozen=True)
class LiveEvent:
    kind: str
    """``queue`` or ``message``."""
    conversation_id: int
    data: dict[str, Any] = field(default_factory=dict)
    district_id: int | None = None
    """The conversation's district as its publisher knew it; None: not said (a subscriber looks it up)."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> LiveEvent:
        body = json.loads(raw)
        district = body.get("district_id")
        return cls(kind=str(body["kind"]), conversation_id=int(body["conversation_id"]),
                   data=dict(body.get("data") or {}), district_id=None if district is None else int(district))


class Subscription(Protocol):
    async def next(self, timeout: float | None = None) -> LiveEvent | None:
        """The next event, or None when ``timeout`` seconds pass without one."""

    def __aiter__(self) -> AsyncIterator[LiveEvent]: ...


class EventBus(Protocol):
    async def publish(self, event: LiveEvent) -> None: ...

    def subscribe(self) -> contextlib.AbstractAsyncContextManager[Subscription]: ...

    async def aclose(self) -> None: ...


class _Iterating:
    async def next(self, timeout: float | None = None) -> LiveEvent | None:
        raise NotImplementedError

    async def __aiter__(self) -> AsyncIterator[LiveEvent]:
        while True:
            event = await self.next()
            if event is not None:
                yield event


class _QueueSubscription(_Iterating):
    def __init__(self, queue: asyncio.Queue[LiveEvent]) -> None:
        self.queue = queue

    async def next(self, timeout: float | None = None) -> LiveEvent | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except TimeoutError:
            return None


class LocalBus:
    """Fan-out inside one process (one event loop): every subscriber has its own bounded queue;
    a subscriber that falls ``max_queued`` behind loses its oldest events, never blocks the hub."""

    def __init__(self, max_queued: int = 1000) -> None:
        self.max_queued = max_queued
        self._queues: set[asyncio.Queue[LiveEvent]] = set()

    async def publish(self, event: LiveEvent) -> None:
        for queue in list(self._queues):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(self.max_queued)
        self._queues.add(queue)
        try:
            yield _QueueSubscription(queue)
        finally:
            self._queues.discard(queue)

    async def aclose(self) -> None:
        self._queues.clear()


class _RedisSubscription(_Iterating):
    def __init__(self, pubsub: Any) -> None:
        self.pubsub = pubsub

    async def next(self, timeout: float | None = None) -> LiveEvent | None:
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            wait = 1.0 if deadline is None else max(0.0, deadline - loop.time())
            message = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=wait)
            if message is not None and message.get("type") == "message":
                try:
                    return LiveEvent.from_json(message["data"])
                except (ValueError, KeyError, TypeError):
                    log.warning("hub.event_unreadable")
            if deadline is not None and loop.time() >= deadline:
                return None


class RedisBus:
    """Redis pub/sub on one channel; every hub publishes and every console subscribes. A client
    (and its connections) belongs to one event loop, so each loop gets its own."""

    def __init__(self, url: str, channel: str = REDIS_CHANNEL) -> None:
        self.url = url
        self.channel = channel
        self._clients: dict[asyncio.AbstractEventLoop, Any] = {}

    def _client(self) -> Any:
        import redis.asyncio as redis

        loop = asyncio.get_running_loop()
        if loop not in self._clients:
            self._clients[loop] = redis.Redis.from_url(self.url)
        return self._clients[loop]

    async def publish(self, event: LiveEvent) -> None:
        await self._client().publish(self.channel, event.to_json())

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        pubsub = self._client().pubsub()
        await pubsub.subscribe(self.channel)
        try:
            yield _RedisSubscription(pubsub)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe(self.channel)
            await pubsub.aclose()

    async def aclose(self) -> None:
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()


def event_bus(url: str) -> EventBus:
    """The bus a setting names: empty or ``memory://`` for one process, ``redis://`` for Redis."""
    if not url or url.startswith("memory://"):
        return LocalBus()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisBus(url)
    raise ValueError("hub_events_url must be empty, memory:// or a redis:// URL")
