"""Leases: a job that only one hub may run at a time (polling Telegram). The holder renews its
lease well before it runs out; when it dies, another hub takes over once the lease has expired."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.models import Lease, utcnow


def hold(session: Session, name: str, holder: str, ttl: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``holder``; False while someone else holds it."""
    now = now or utcnow()
    taken = session.execute(update(Lease).where(Lease.name == name,
                                                or_(Lease.holder == holder, Lease.expires_at <= now))
                            .values(holder=holder, expires_at=now + ttl)
                            .execution_options(synchronize_session=False)).rowcount
    if taken:
        return True
    if session.get(Lease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Lease(name=name, holder=holder, expires_at=now + ttl))
    except IntegrityError:  # another hub created it at the same moment
        return False
    return True


def release(session: Session, name: str, holder: str) -> None:
    session.execute(update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=utcnow())
                    .execution_options(synchronize_session=False))
