"""Updates a channel pushed to us, kept until handled.

A channel stores an update before it acknowledges it (Telegram: before the polling offset moves
past it, or before the webhook answers 2xx), so a database error leaves the update with Telegram,
which sends it again. The unique ``(channel, external_id)`` turns a second delivery into a no-op.
Handling is claimed with a lease, as in the outbox: one hub handles an update, and an update whose
hub died mid-way becomes due again when the lease runs out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.models import ChannelUpdate, utcnow

PENDING, HANDLING, DONE, FAILED = "pending", "handling", "done", "failed"


REDELIVERY_WINDOW = dt.timedelta(days=2)
"""Telegram keeps an unconfirmed update for 24 hours; an id seen longer ago than this is a new
update that reuses the number (Telegram restarts its ids after a week without updates)."""


def store(session: Session, channel: str, updates: Iterable[tuple[str, dict[str, Any]]], lease: dt.timedelta,
          now: dt.datetime | None = None) -> list[ChannelUpdate]:
    """Store ``(external_id, payload)`` pairs not seen before, already claimed by the caller (it
    handles them next); returns the new ones. Seen ones are skipped: whoever stored them handles them."""
    now = now or utcnow()
    fresh: list[ChannelUpdate] = []
    for external_id, payload in updates:
        seen = session.scalar(select(ChannelUpdate).where(ChannelUpdate.channel == channel,
                                                          ChannelUpdate.external_id == external_id))
        if seen is not None:
            if seen.received_at > now - REDELIVERY_WINDOW or seen.status not in (DONE, FAILED):
                continue
            session.delete(seen)  # an old number used again: a new row, so a new id for what it causes
            session.flush()
        row = ChannelUpdate(channel=channel, external_id=external_id, payload=payload, status=HANDLING, attempts=1,
                            next_attempt_at=now, lease_until=now + lease, received_at=now)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another hub stored the same update at the same moment
            continue
        fresh.append(row)
    return fresh


def claim_due(session: Session, channel: str, lease: dt.timedelta, limit: int = 50,
              exclude: Iterable[int] = (), now: dt.datetime | None = None) -> list[ChannelUpdate]:
    """Claim stored updates to handle (again): failed earlier and due, or whose handler's lease ran out."""
    now = now or utcnow()
    skip = set(exclude)
    due = or_(and_(ChannelUpdate.status == PENDING, ChannelUpdate.next_attempt_at <= now),
              and_(ChannelUpdate.status == HANDLING, ChannelUpdate.lease_until <= now))
    rows = session.scalars(select(ChannelUpdate).where(ChannelUpdate.channel == channel, due)
                           .order_by(ChannelUpdate.id).limit(limit)
                           .execution_options(populate_existing=True)).all()
    claimed = []
    for row in rows:
        if row.id in skip:
            continue
        taken = session.execute(
            update(ChannelUpdate).where(ChannelUpdate.id == row.id, ChannelUpdate.status == row.status,
                                        ChannelUpdate.attempts == row.attempts)
            .values(status=HANDLING, lease_until=now + lease, attempts=ChannelUpdate.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        if taken:
            session.refresh(row)
            claimed.append(row)
    return claimed


def mark_done(session: Session, update_id: int, now: dt.datetime | None = None) -> None:
    session.execute(update(ChannelUpdate).where(ChannelUpdate.id == update_id)
                    .values(status=DONE, handled_at=now or utcnow(), lease_until=None, last_error=None)
                    .execution_options(synchronize_session=False))


def mark_failed(session: Session, update_id: int, error: str, retry_at: dt.datetime | None) -> None:
    """Handle it again at ``retry_at``, or give up (None)."""
    values: dict[str, Any] = {"last_error": error[:200], "lease_until": None}
    values.update({"status": PENDING, "next_attempt_at": retry_at} if retry_at else {"status": FAILED})
    session.execute(update(ChannelUpdate).where(ChannelUpdate.id == update_id).values(**values)
                    .execution_options(synchronize_session=False))


def release(session: Session, update_ids: list[int], now: dt.datetime | None = None) -> None:
    """A stopping hub hands back the updates it was handling: due again at once."""
    session.execute(update(ChannelUpdate).where(ChannelUpdate.id.in_(update_ids), ChannelUpdate.status == HANDLING)
                    .values(status=PENDING, next_attempt_at=now or utcnow(), lease_until=None)
                    .execution_options(synchronize_session=False))


def forget(session: Session, channel: str, now: dt.datetime | None = None) -> int:
    """Delete handled updates older than the redelivery window: they hold what people wrote, and
    are only kept to recognise a second delivery. Returns how many went."""
    before = (now or utcnow()) - REDELIVERY_WINDOW
    return session.execute(delete(ChannelUpdate).where(ChannelUpdate.channel == channel,
                                                       ChannelUpdate.status.in_((DONE, FAILED)),
                                                       ChannelUpdate.received_at < before)
                           .execution_options(synchronize_session=False)).rowcount
