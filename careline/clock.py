"""The one clock: the local time of the districts (``CARELINE_TIMEZONE`` or a district's own zone).

Every "today" and "now" that a person hears about (read-backs, bookings, reminders, schedules)
comes from :func:`local_now`, so the processes and the tests agree on one date even when the
machine's clock is in UTC and the districts are already in tomorrow.

``CARELINE_CLOCK_START`` sets the clock for tests and demonstrations: a local wall time, taken to
be the time at the real instant ``CARELINE_CLOCK_ANCHOR`` (Unix seconds; by default the moment a
process first reads the clock). Time then runs on at its real pace, so timeouts and leases behave
as in production; several processes given the same start and anchor agree to the second.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from functools import lru_cache

from careline.settings import get_settings


@lru_cache(maxsize=1)
def _offset() -> float:
    """Seconds to add to the real time (0 unless the clock is set)."""
    settings = get_settings()
    if settings.clock_start is None:
        return 0.0
    anchor = settings.clock_anchor if settings.clock_anchor is not None else time.time()
    start = settings.clock_start
    if start.tzinfo is None:
        start = start.replace(tzinfo=zoneinfo.ZoneInfo(settings.timezone))
    return start.timestamp() - anchor


def timestamp() -> float:
    """Unix seconds on this clock."""
    return time.time() + _offset()


def local_now(zone: str | None = None) -> dt.datetime:
    """Local wall time (naive) in ``zone``, by default the configured time zone."""
    tz = zoneinfo.ZoneInfo(zone or get_settings().timezone)
    return dt.datetime.fromtimestamp(timestamp(), tz).replace(tzinfo=None)


def local_today(zone: str | None = None) -> dt.date:
    return local_now(zone).date()


def from_utc(value: dt.datetime, zone: str | None = None) -> dt.datetime:
    """A stored time (naive UTC, as the database keeps them) as local wall time in ``zone``."""
    tz = zoneinfo.ZoneInfo(zone or get_settings().timezone)
    return value.replace(tzinfo=dt.UTC).astimezone(tz).replace(tzinfo=None)


def reset() -> None:
    """Forget the offset (tests that change the settings)."""
    _offset.cache_clear()
