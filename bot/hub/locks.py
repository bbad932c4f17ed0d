"""One conversation's turns, one at a time, across every hub process that shares the load.

A hub holds a conversation's lock while it sends that conversation's messages to the engine, so
that they reach it in the order they came and never two at once. Where the lock lives:

- PostgreSQL (the default when the database is PostgreSQL): a session-level advisory lock on a
  connection of its own, so a hub that dies loses its locks with its connection.
- Redis (``redis://…``): redis-py's lock, with a lease so a dead hub's lock lapses; its key names
  the database too, so deployments sharing one Redis never wait on each other's conversation ids.
- this process (SQLite, one hub): an asyncio lock per conversation, shared by every hub object
  of the process that uses the same database.

Waiting is bounded: a lock not had within ``wait`` seconds is logged and the turn goes ahead
without it (a stuck holder must never block a chat for good; the claim on each message still
keeps it from reaching the engine twice).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
import weakref
from collections.abc import AsyncIterator
from typing import Protocol

import structlog
from sqlalchemy.engine import make_url

log = structlog.get_logger("careline.hub")

#: first key of the two-key advisory lock: the hub's conversations ("CL" and a 1)
_PG_NAMESPACE = 0x434C01


def _database_key(database_url: str) -> str:
    """A short, stable name of the database (no password) for keys in a shared store."""
    shown = make_url(database_url).render_as_string(hide_password=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:12]


class ConversationLocks(Protocol):
    def hold(self, conversation_id: int) -> contextlib.AbstractAsyncContextManager[bool]:
        """Hold the conversation's lock; the context value is False when it went ahead without."""
        ...


class LocalLocks:
    """For one process. Hub objects of one process over the same database share the locks."""

    _registries: dict[str, weakref.WeakValueDictionary[int, asyncio.Lock]] = {}

    def __init__(self, namespace: str = "", wait: float = 120.0) -> None:
        self.locks = self._registries.setdefault(namespace, weakref.WeakValueDictionary())
        self.wait = wait

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: int) -> AsyncIterator[bool]:
        lock = self.locks.get(conversation_id)
        if lock is None:
            lock = self.locks[conversation_id] = asyncio.Lock()
        try:
            await asyncio.wait_for(lock.acquire(), self.wait)
        except TimeoutError:
            log.warning("hub.lock_timeout", conversation=conversation_id, store="memory")
            yield False
            return
        try:
            yield True
        finally:
            lock.release()


class PostgresLocks:
    """Advisory locks of the PostgreSQL the hubs share; tried, not waited on in the server, so a
    cancelled turn never leaves a backend queued for a lock."""

    def __init__(self, database_url: str, wait: float = 120.0, poll: float = 0.05) -> None:
        url = make_url(database_url).set(drivername="postgresql")
        self.conninfo = url.render_as_string(hide_password=False)
        self.wait, self.poll = wait, poll

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: int) -> AsyncIterator[bool]:
        import psycopg

        async with await psycopg.AsyncConnection.connect(self.conninfo, autocommit=True) as connection:
            deadline = time.monotonic() + self.wait
            while True:
                cursor = await connection.execute("SELECT pg_try_advisory_lock(%s, %s)",
                                                  (_PG_NAMESPACE, conversation_id))
                row = await cursor.fetchone()
                if row and row[0]:
                    break
                if time.monotonic() > deadline:
                    log.warning("hub.lock_timeout", conversation=conversation_id, store="postgresql")
                    yield False
                    return
                await asyncio.sleep(self.poll)
            try:
                yield True
            finally:
                with contextlib.suppress(Exception):  # closing the connection releases it anyway
                    await connection.execute("SELECT pg_advisory_unlock(%s, %s)", (_PG_NAMESPACE, conversation_id))


class RedisLocks:
    """redis-py's lock, leased for ``lease`` seconds (longer than a turn takes)."""

    def __init__(self, url: str, wait: float = 120.0, lease: float = 180.0, namespace: str = "") -> None:
        from redis.asyncio import Redis

        self.url, self.wait, self.lease = url, wait, lease
        self.prefix = f"careline:{namespace}:conversation:" if namespace else "careline:conversation:"
        self._redis: Redis | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._factory = Redis.from_url

    def _client(self):  # noqa: ANN202 - redis.asyncio.Redis, bound to the running loop
        loop = asyncio.get_running_loop()
        if self._redis is None or self._loop is not loop:
            self._redis, self._loop = self._factory(self.url), loop
        return self._redis

    @contextlib.asynccontextmanager
    async def hold(self, conversation_id: int) -> AsyncIterator[bool]:
        from redis.exceptions import LockError

        lock = self._client().lock(f"{self.prefix}{conversation_id}", timeout=self.lease, sleep=0.05,
                                   blocking_timeout=self.wait)
        if not await lock.acquire():
            log.warning("hub.lock_timeout", conversation=conversation_id, store="redis")
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(LockError):  # the lease lapsed: someone else may hold it now
                await lock.release()


def conversation_locks(storage: str, database_url: str, wait: float = 120.0) -> ConversationLocks:
    """The locks ``storage`` names: ``redis://…``, ``memory://``, or empty for the database's own
    (advisory locks on PostgreSQL, this process on SQLite)."""
    if storage.startswith(("redis://", "rediss://", "unix://")):
        return RedisLocks(storage, wait=wait, lease=max(wait, 60.0) * 1.5, namespace=_database_key(database_url))
    if not storage and make_url(database_url).get_backend_name() == "postgresql":
        return PostgresLocks(database_url, wait=wait)
    if storage and storage != "memory://":
        raise ValueError(f"unknown lock storage {storage!r}: use redis://host:port/db, memory:// or leave it empty")
    return LocalLocks(namespace=database_url, wait=wait)
