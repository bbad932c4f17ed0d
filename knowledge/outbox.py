"""The durable outbox: messages waiting to be delivered through a channel.

Delivery order is kept per address: a message is only handed out once every earlier message to
the same address has been sent (or given up on). A row is claimed with a conditional UPDATE and a
lease, so concurrent dispatchers never deliver the same row; a dispatcher that dies mid-delivery
loses its lease and the row becomes due again.

On PostgreSQL, enqueueing takes a transaction-scoped advisory lock on the address, so messages
to one address commit in the order of their ids: otherwise a message with a lower id could still
be uncommitted (invisible) while a later one is claimed and sent. SQLite writers are serialised
already. A claim also re-checks, in its own UPDATE, that no earlier message to the address is
still waiting."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from knowledge.models import OutboxMessage, utcnow

PENDING, SENDING, SENT, DEAD, FAILED = "pending", "sending", "sent", "dead", "failed"
"""``dead``: the address cannot be reached (blocked, gone, given up); ``failed``: the channel
refused this message for good. Neither holds the address's later messages."""


def enqueue(session: Session, channel: str, address: str, body: dict[str, Any], *,
            dedupe_key: str | None = None, conversation_id: int | None = None) -> OutboxMessage | None:
    """Queue a message; None when a message with the same ``dedupe_key`` was queued before."""
    if dedupe_key is not None and session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)) is not None:
        return None
    _serialise_address(session, channel, address)
    row = OutboxMessage(channel=channel, address=address, body=body, dedupe_key=dedupe_key,
                        conversation_id=conversation_id, status=PENDING, attempts=0, next_attempt_at=utcnow())
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent enqueue of the same key won
        return None
    return row


def _serialise_address(session: Session, channel: str, address: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.blake2b(f"outbox:{channel}:{address}".encode(), digest_size=8).digest(), "big",
                         signed=True)
    session.execute(select(func.pg_advisory_xact_lock(key)))


def claim_due(session: Session, channels: list[str], lease: dt.timedelta, limit: int = 50,
              now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Claim the next message of each address that is due, oldest first."""
    now = now or utcnow()
    rows = session.scalars(select(OutboxMessage)
                           .where(OutboxMessage.channel.in_(channels),
                                  OutboxMessage.status.in_((PENDING, SENDING)))
                           .order_by(OutboxMessage.id).limit(limit * 4)
                           .execution_options(populate_existing=True)).all()
    blocked: set[tuple[str, str]] = set()
    claimed: list[OutboxMessage] = []
    for row in rows:
        key = (row.channel, row.address)
        if key in blocked:
            continue
        blocked.add(key)
        lease_over = row.status == SENDING and row.lease_until is not None and row.lease_until <= now
        if not (row.status == PENDING and row.next_attempt_at <= now) and not lease_over:
            continue
        earlier = aliased(OutboxMessage)
        taken = session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row.id,
                                        OutboxMessage.status == row.status,
                                        or_(OutboxMessage.lease_until.is_(None),
                                            OutboxMessage.lease_until == row.lease_until),
                                        ~exists().where(earlier.channel == row.channel,
                                                        earlier.address == row.address, earlier.id < row.id,
                                                        earlier.status.in_((PENDING, SENDING))))
            .values(status=SENDING, lease_until=now + lease, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)).rowcount
        if taken:
            session.refresh(row)
            claimed.append(row)
            if len(claimed) >= limit:
                break
    return claimed


def mark_sent(session: Session, message_id: int, now: dt.datetime | None = None) -> None:
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                    .values(status=SENT, sent_at=now or utcnow(), lease_until=None, last_error=None)
                    .execution_options(synchronize_session=False))


def mark_parts_sent(session: Session, message_id: int, count: int) -> None:
    """The channel accepted the first ``count`` parts of a message it sends in several."""
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(parts_sent=count)
                    .execution_options(synchronize_session=False))


def mark_failed(session: Session, message_id: int, error: str, retry_at: dt.datetime | None,
                gone: str = DEAD) -> None:
    """Put a message back for a later attempt, or give up on it (``retry_at`` None) as ``gone``
    (:data:`DEAD` or :data:`FAILED`)."""
    values: dict[str, Any] = {"last_error": error[:200], "lease_until": None}
    values.update({"status": PENDING, "next_attempt_at": retry_at} if retry_at else {"status": gone})
    session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
                    .execution_options(synchronize_session=False))


def waiting(session: Session, channels: list[str] | None = None) -> int:
    query = select(OutboxMessage.id).where(OutboxMessage.status.in_((PENDING, SENDING)))
    if channels:
        query = query.where(OutboxMessage.channel.in_(channels))
    return len(session.scalars(query).all())


def next_due(session: Session, channels: list[str]) -> dt.datetime | None:
    return session.scalar(select(OutboxMessage.next_attempt_at)
                          .where(OutboxMessage.channel.in_(channels), OutboxMessage.status == PENDING)
                          .order_by(OutboxMessage.next_attempt_at).limit(1))
