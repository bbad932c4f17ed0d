"""The audit log: who did what, when (``audit_log``).

Written in the same transaction as what it records, so an action and its record stand or fall
together. ``detail`` is for codes and ids (why a sign-in failed, an outcome), never for what a
person said or typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from knowledge.models import AuditEntry, utcnow


def audit(session: Session, actor_id: int | None, action: str, *, conversation_id: int | None = None,
          elder_id: int | None = None, detail: dict[str, Any] | None = None,
          at: dt.datetime | None = None) -> AuditEntry:
    """Add one entry; ``actor_id`` is the consultant, or None when nobody is known (a failed
    sign-in with an unknown username)."""
    entry = AuditEntry(at=at or utcnow(), consultant_id=actor_id, action=action, conversation_id=conversation_id,
                       elder_id=elder_id, detail=dict(detail or {}))
    session.add(entry)
    session.flush()
    return entry
