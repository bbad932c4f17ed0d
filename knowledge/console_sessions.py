"""Server-side sessions of the consultants' console.

The browser holds a random token (256 bits); the table holds its SHA-256, so a copy of the
database does not sign anyone in. Each session carries its CSRF token (a synchronizer token).
A session ends when it has not been used for ``idle``, ``max_age`` after sign-in, at sign-out,
or when its consultant is disabled, retired by a bundle or gets a new password. When it was last
used is written at most once every :data:`TOUCH_AFTER`, so that a console's frequent small
requests (its live fragments) only read."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from knowledge.models import ConsoleSession, Consultant

#: how stale ``last_seen_at`` may be before a use writes it again: a session may end this much
#: before ``idle`` has passed since its last use
TOUCH_AFTER = dt.timedelta(minutes=1)


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


@dataclass(frozen=True)
class Seen:
    """A session as it stands."""

    row: ConsoleSession
    consultant: Consultant | None
    over: bool
    """It has ended, or its consultant may no longer sign in."""
    fresh: bool
    """Live and marked as used less than :data:`TOUCH_AFTER` ago: using it now writes nothing."""


def find(session: Session, token: str | None, limits: SessionLimits, now: dt.datetime) -> Seen | None:
    """The session of ``token``, changing nothing; None when there is none."""
    if not token or len(token) > 128:
        return None
    found = session.execute(select(ConsoleSession, Consultant)
                            .outerjoin(Consultant, Consultant.id == ConsoleSession.consultant_id)
                            .where(ConsoleSession.token_hash == token_hash(token))).first()
    if found is None:
        return None
    row, consultant = found
    over = row.expires_at <= now or row.last_seen_at <= now - limits.idle or consultant is None \
        or not consultant.active or consultant.disabled or not consultant.password_hash
    return Seen(row, consultant, over, fresh=not over and row.last_seen_at > now - TOUCH_AFTER)


def resume(session: Session, token: str | None, limits: SessionLimits,
           now: dt.datetime) -> tuple[ConsoleSession, Consultant] | None:
    """The live session of ``token`` and its consultant, marked as used now; None (and the
    session removed) when it is over or its consultant may no longer sign in."""
    seen = find(session, token, limits, now)
    if seen is None:
        return None
    if seen.over or seen.consultant is None:
        session.delete(seen.row)
        session.flush()
        return None
    seen.row.last_seen_at = now
    session.flush()
    return seen.row, seen.consultant


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
