"""Events about an elder that linked family members are told about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.models import ElderEvent, utcnow

BOOKING_MADE = "booking_made"
BOOKING_CANCELLED = "booking_cancelled"
EMERGENCY = "emergency"
REMINDER = "reminder"


def record(session: Session, elder_id: int, kind: str, *, booking_id: int | None = None,
           source: str | None = None, channel: str | None = None, data: dict[str, Any] | None = None,
           dedupe_key: str | None = None) -> ElderEvent | None:
    """Write an event in the caller's transaction, so it exists exactly when what it reports does.

    With a ``dedupe_key`` the event is written once, whoever records it first (several hubs
    scheduling reminders at once): None when it exists already."""
    event = ElderEvent(elder_id=elder_id, kind=kind, booking_id=booking_id, source=source, channel=channel,
                       data=data or {}, dedupe_key=dedupe_key)
    if dedupe_key is None:
        session.add(event)
        session.flush()
        return event
    if session.scalar(select(ElderEvent.id).where(ElderEvent.dedupe_key == dedupe_key)) is not None:
        return None
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:  # recorded by another process at the same moment
        return None
    return event


def reminder_key(booking_id: int) -> str:
    """One reminder per booking."""
    return f"reminder:{booking_id}"


def not_fanned_out(session: Session, limit: int = 100) -> list[ElderEvent]:
    return list(session.scalars(select(ElderEvent).where(ElderEvent.fanned_out_at.is_(None))
                                .order_by(ElderEvent.id).limit(limit)))


def mark_fanned_out(session: Session, event_id: int, when: dt.datetime | None = None) -> bool:
    """Claim an event for fan-out; False when another process already did."""
    return bool(session.execute(update(ElderEvent).where(ElderEvent.id == event_id, ElderEvent.fanned_out_at.is_(None))
                                .values(fanned_out_at=when or utcnow())
                                .execution_options(synchronize_session=False)).rowcount)
