"""Delivers the outbox: each queued message goes out through its channel, in order per address,
retried with exponential back-off (and the channel's own "retry after") until accepted. A message
the channel refuses for good is given up and reported, never holding the chat's later messages."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.channel import Deliverer, Refused, RetryLater, Undeliverable
from knowledge import outbox
from knowledge.db import transaction
from knowledge.models import OutboxMessage, utcnow

log = structlog.get_logger("careline.outbox")


class Dispatcher:
    def __init__(self, sessions: sessionmaker[Session], deliverers: list[Deliverer], *, lease: float = 120.0,
                 first_backoff: float = 1.0, max_backoff: float = 300.0, give_up_after: float = 2 * 86400.0,
                 idle_poll: float = 1.0) -> None:
        self.sessions = sessions
        self.deliverers = {d.channel: d for d in deliverers}
        self.lease = dt.timedelta(seconds=lease)
        self.first_backoff, self.max_backoff = first_backoff, max_backoff
        self.give_up_after = dt.timedelta(seconds=give_up_after)
        self.idle_poll = idle_poll
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inflight: set[asyncio.Task[None]] = set()

    def poke(self) -> None:
        """Something was queued: look now rather than at the next poll. Safe from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    sent = await self.dispatch_once()
                except Exception:  # the database hiccuped: log it and keep the loop alive
                    log.exception("outbox.loop_failed")
                    sent = 0
                if sent:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.idle_poll)
        finally:  # stopping: deliveries under way finish and are recorded, or they would hold their chat and go twice
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=30)

    async def dispatch_once(self) -> int:
        if not self.deliverers:
            return 0
        rows = await asyncio.to_thread(self._claim)
        if not rows:
            return 0
        deliveries = [asyncio.create_task(self._deliver(row)) for row in rows]
        self._inflight.update(deliveries)
        for task in deliveries:
            task.add_done_callback(self._inflight.discard)
        await asyncio.shield(asyncio.gather(*deliveries))
        return len(rows)

    def _claim(self) -> list[OutboxMessage]:
        with transaction(self.sessions) as session:
            return outbox.claim_due(session, list(self.deliverers), self.lease)

    async def _deliver(self, row: OutboxMessage) -> None:
        deliverer = self.deliverers[row.channel]
        try:
            await self._send_parts(deliverer, row)
        except RetryLater as later:
            await self._record(self._failed, row, f"retry after {later.seconds}", later.seconds)
        except Refused as error:
            log.warning("outbox.refused", id=row.id, channel=row.channel, role=row.body.get("role"),
                        reason=_reason(error))
            await self._record(self._failed, row, f"refused: {_reason(error)}", None, outbox.FAILED)
        except Undeliverable as error:
            log.warning("outbox.undeliverable", id=row.id, channel=row.channel, reason=_reason(error))
            await self._record(self._failed, row, f"undeliverable: {_reason(error)}", None)
        except Exception as error:  # network errors, timeouts, server errors: try again later
            wait = min(self.max_backoff, self.first_backoff * 2 ** max(0, row.attempts - 1))
            wait *= random.uniform(0.8, 1.2)
            log.info("outbox.retry", id=row.id, channel=row.channel, attempt=row.attempts, wait=round(wait, 1),
                     error=type(error).__name__)
            give_up = utcnow() - row.created_at > self.give_up_after
            await self._record(self._failed, row, f"{type(error).__name__}: {_reason(error)}",
                               None if give_up else wait)
        else:
            await self._record(self._sent, row)

    async def _record(self, write: Callable[..., None], row: OutboxMessage, *args: Any) -> None:
        """Write what became of a delivery, trying again while the database is unavailable (locked,
        restarting): a sent message left ``sending`` would hold its chat until the lease ran out and
        then go out twice."""
        deadline = asyncio.get_running_loop().time() + self.lease.total_seconds() * 0.8
        wait = 0.5
        while True:
            try:
                await asyncio.to_thread(write, row, *args)
                return
            except Exception as error:
                if asyncio.get_running_loop().time() + wait > deadline:
                    raise
                log.info("outbox.record_failed", id=row.id, error=type(error).__name__, wait=wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 10.0)

    async def _send_parts(self, deliverer: Deliverer, row: OutboxMessage) -> None:
        """Send the message, or the parts of it not yet accepted, remembering each one that was."""
        split = getattr(deliverer, "parts", None)
        parts: list[dict[str, Any]] = split(row.body) if split is not None else [row.body]
        for index in range(min(row.parts_sent, len(parts) - 1), len(parts)):
            await deliverer.deliver(row.address, parts[index])
            if index < len(parts) - 1:
                await self._record(self._part_sent, row, index + 1)

    def _part_sent(self, row: OutboxMessage, count: int) -> None:
        with transaction(self.sessions) as session:
            outbox.mark_parts_sent(session, row.id, count)
        row.parts_sent = count

    def _sent(self, row: OutboxMessage) -> None:
        with transaction(self.sessions) as session:
            outbox.mark_sent(session, row.id)

    def _failed(self, row: OutboxMessage, error: str, wait: float | None, gone: str = outbox.DEAD) -> None:
        with transaction(self.sessions) as session:
            retry_at = utcnow() + dt.timedelta(seconds=wait) if wait is not None else None
            outbox.mark_failed(session, row.id, error, retry_at, gone)


def _reason(error: Exception) -> str:
    """The channel's reason, short: Bot API descriptions name no person, but are cut anyway."""
    return str(error)[:80]
