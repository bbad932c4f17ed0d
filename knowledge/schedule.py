"""Dated sessions of repeating activities, generated a few weeks ahead from their RRULE."""

from __future__ import annotations

import datetime as dt

from dateutil.rrule import rrulestr
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Activity, ActivitySession

SESSION_KEY_FORMAT = "%Y-%m-%dT%H:%M"


def occurrences(repeat: str, time: str, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """Start times of a repeating activity between two dates (both included)."""
    hour, minute = (int(part) for part in time.split(":"))
    dtstart = dt.datetime.combine(start, dt.time(hour, minute))
    rule = rrulestr(repeat, dtstart=dtstart, ignoretz=True)
    until = dt.datetime.combine(end, dt.time(23, 59))
    return [when.replace(hour=hour, minute=minute) for when in rule.between(dtstart, until, inc=True)]


def extend_schedule(session: Session, activity: Activity, today: dt.date, weeks: int) -> tuple[int, int]:
    """Create the generated sessions from today to ``weeks`` ahead and retire future ones that
    the (possibly changed) rule no longer produces and nobody has booked.

    Returns (created, retired).
    """
    existing = {
        s.key: s
        for s in session.scalars(select(ActivitySession).where(ActivitySession.activity_id == activity.id))
    }
    wanted: set[str] = set()
    created = retired = 0
    if activity.active and activity.repeat and activity.repeat_time:
        for starts_at in occurrences(activity.repeat, activity.repeat_time, today,
                                     today + dt.timedelta(weeks=weeks)):
            key = starts_at.strftime(SESSION_KEY_FORMAT)
            wanted.add(key)
            row = existing.get(key)
            ends_at = starts_at + dt.timedelta(minutes=activity.duration_minutes)
            if row is None:
                session.add(ActivitySession(
                    activity_id=activity.id, key=key, starts_at=starts_at, ends_at=ends_at,
                    capacity=activity.capacity, booked=0, generated=True, active=True,
                ))
                created += 1
            elif row.generated:
                if not row.active:
                    created += 1
                row.active, row.capacity, row.ends_at = True, activity.capacity, ends_at
    start_of_today = dt.datetime.combine(today, dt.time())
    for key, row in existing.items():
        if (row.generated and row.active and key not in wanted and row.starts_at >= start_of_today
                and row.booked == 0):
            row.active = False
            retired += 1
    return created, retired


def extend_all(session: Session, today: dt.date, weeks: int) -> int:
    """Extend every active repeating activity; returns how many sessions were created."""
    created = 0
    query = select(Activity).where(Activity.active.is_(True), Activity.repeat.is_not(None))
    for activity in session.scalars(query):
        created += extend_schedule(session, activity, today, weeks)[0]
    return created
