"""Server-side sessions of the consultants' console.

The browser holds a random token (256 bits); the table holds its SHA-256, so a copy of the
database does not sign anyone in. Each session carries its CSRF token (a synchronizer token).
A session ends when it has not been used for ``idle``, ``max_age`` after sign-in, at sign-out,
or when its consultant is disabled, retired by a bundle or gets a new password."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge.models import ConsoleSession, Consultant


@dataclass(frozen=True)
class SessionLimits:
    idle: dt.timedelta = dt.timedelta(minutes=30)
    max_age: dt.timedelta = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Started:
    token: str
    csrf_token: str
    row: ConsoleSession


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


def start(session: Session, consultant_id: int, limits: SessionLimits, now: dt.datetime) -> Started:
    """A new session (sessions that are over are removed on the way)."""
    session.execute(delete(ConsoleSession).where(
        (ConsoleSession.expires_at <= now) | (ConsoleSession.last_seen_at <= now - limits.idle)))
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = ConsoleSession(token_hash=token_hash(token), consultant_id=consultant_id, csrf_token=csrf,
                         created_at=now, last_seen_at=now, expires_at=now + limits.max_age)
    session.add(row)
    session.flush()
    return Started(token, csrf, row)


def resume(session: Session, token: str | None, limits: SessionLimits,
           now: dt.datetime) -> tuple[ConsoleSession, Consultant] | None:
    """The live session of ``token`` and its consultant, marked as used now; None (and the
    session removed) when it is over or its consultant may no longer sign in."""
    if not token or len(token) > 128:
        return None
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))
    if row is None:
        return None
    consultant = session.get(Consultant, row.consultant_id)
    over = row.expires_at <= now or row.last_seen_at <= now - limits.idle
    if over or consultant is None or not consultant.active or consultant.disabled or not consultant.password_hash:
        session.delete(row)
        session.flush()
        return None
    row.last_seen_at = now
    session.flush()
    return row, consultant


def end(session: Session, token: str | None) -> ConsoleSession | None:
    """Remove the session of ``token``; the removed row (for the audit), or None."""
    if not token:
        return None
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))
    if row is not None:
        session.delete(row)
        session.flush()
    return row


def end_all(session: Session, consultant_id: int) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.consultant_id == consultant_id))
