"""The audit log: who did what, when (``audit_log``): every console sign-in, sign-out and lock,
every read of an elder's profile and every action on a conversation.

Written in the same transaction as what it records, so an action and its record stand or fall
together. ``detail`` is for codes and ids (why a sign-in failed, an outcome), never for what a
person said or typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.actors import Actor
from knowledge.models import AuditEntry, utcnow


def audit(session: Session, actor: Actor | int | None, action: str, conversation_id: int | None = None,
          detail: dict[str, Any] | None = None, *, elder_id: int | None = None,
          at: dt.datetime | None = None) -> AuditEntry:
    """Add one entry; ``actor`` is an :class:`Actor`, a consultant id, or None when nobody is
    known (a failed sign-in with an unknown username, the system)."""
    consultant_id = actor.consultant_id if isinstance(actor, Actor) else actor
    entry = AuditEntry(at=at or utcnow(), consultant_id=consultant_id, action=action,
                       conversation_id=conversation_id, elder_id=elder_id, detail=dict(detail or {}))
    session.add(entry)
    session.flush()
    return entry


def records_of(session: Session, conversation_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.conversation_id == conversation_id)
                                .order_by(AuditEntry.id)))
