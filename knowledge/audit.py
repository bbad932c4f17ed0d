"""The audit log: every action of a consultant (and, with the accounts work, every read of an
elder's profile) is written in the same transaction as the action itself, so there is no action
without its record. ``detail`` holds ids and codes, never names or message text."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.actors import Actor
from knowledge.models import AuditRecord


def audit(session: Session, actor: Actor | int | None, action: str, conversation_id: int | None,
          detail: dict[str, Any] | None = None) -> AuditRecord:
    """Record that ``actor`` (an :class:`Actor`, a consultant id, or None for the system) did
    ``action`` to a conversation."""
    consultant_id = actor.consultant_id if isinstance(actor, Actor) else actor
    record = AuditRecord(consultant_id=consultant_id, action=action, conversation_id=conversation_id,
                         detail=dict(detail or {}))
    session.add(record)
    return record


def records_of(session: Session, conversation_id: int) -> list[AuditRecord]:
    return list(session.scalars(select(AuditRecord).where(AuditRecord.conversation_id == conversation_id)
                                .order_by(AuditRecord.id)))
