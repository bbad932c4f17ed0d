"""Upcoming activity sessions and meal days, with the places still free."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from knowledge.models import Activity, ActivitySession, MealService, MealSlot
from knowledge.schema_constants import WEEKDAY_CODES


@dataclass(frozen=True)
class SessionView:
    session: ActivitySession
    activity: Activity

    @property
    def free(self) -> int:
        return max(0, self.session.capacity - self.session.booked)


def upcoming_sessions(session: Session, district_id: int, now: dt.datetime, *,
                      until: dt.datetime | None = None, category: str | None = None,
                      activity_id: int | None = None, only_free: bool = False,
                      limit: int = 20) -> list[SessionView]:
    """Active sessions starting after ``now`` (local time), soonest first."""
    statement = (
        select(ActivitySession)
        .join(Activity, ActivitySession.activity_id == Activity.id)
        .options(joinedload(ActivitySession.activity))
        .where(Activity.district_id == district_id, Activity.active.is_(True),
               ActivitySession.active.is_(True), ActivitySession.starts_at > now)
        .order_by(ActivitySession.starts_at, ActivitySession.id)
    )
    if until is not None:
        statement = statement.where(ActivitySession.starts_at < until)
    if category is not None:
        statement = statement.where(Activity.category == category)
    if activity_id is not None:
        statement = statement.where(Activity.id == activity_id)
    if only_free:
        statement = statement.where(ActivitySession.booked < ActivitySession.capacity)
    return [SessionView(s, s.activity) for s in session.scalars(statement.limit(limit))]


@dataclass(frozen=True)
class MealDay:
    meal_service: MealService
    date: dt.date
    free: int
    orderable: bool


def serves_on(meal_service: MealService, day: dt.date) -> bool:
    return WEEKDAY_CODES[day.weekday()] in meal_service.days


def order_deadline(meal_service: MealService, day: dt.date) -> dt.datetime:
    hour, minute = (int(p) for p in meal_service.order_by.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute))


def meal_days(session: Session, meal_service: MealService, now: dt.datetime,
              days: int = 7) -> list[MealDay]:
    """The next days a meal service serves, with free portions and whether ordering is open."""
    start = now.date()
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    dates = [d for d in dates if serves_on(meal_service, d)]
    slots = {
        slot.date: slot for slot in session.scalars(
            select(MealSlot).where(MealSlot.meal_service_id == meal_service.id,
                                   MealSlot.date.in_(dates)))
    }
    out = []
    for day in dates:
        slot = slots.get(day)
        free = (slot.capacity - slot.booked) if slot else meal_service.daily_capacity
        out.append(MealDay(meal_service, day, max(0, free), now < order_deadline(meal_service, day)))
    return out


def meal_services(session: Session, district_id: int, meal: str | None = None,
                  delivery: bool | None = None) -> list[MealService]:
    statement = select(MealService).where(MealService.district_id == district_id,
                                          MealService.active.is_(True)).order_by(MealService.key)
    if meal is not None:
        statement = statement.where(MealService.meal == meal)
    if delivery:
        statement = statement.where(MealService.delivery.is_(True))
    return list(session.scalars(statement))


def _match_score(said: str, names: list[str], categories: tuple[str, ...] = ()) -> float:
    """How well ``said`` names one of ``names`` (0-100). A name inside what was said, or what was
    said inside a name, scores by how much of the longer one it covers, so that "health talk"
    picks the Family doctor health talk over the other talks; a bare category ("talk") scores below
    any title."""
    from rapidfuzz import fuzz

    from knowledge.text import fold, pinyin_key

    a = fold(said)
    if not a:
        return 0.0
    best = 0.0
    for name, ceiling in [*((n, 100.0) for n in names), *((c, 88.0) for c in categories)]:
        b = fold(name)
        if not b:
            continue
        if a == b:
            best = max(best, ceiling)
        elif (len(a) >= 2 and a in b) or (len(b) >= 2 and b in a):
            best = max(best, ceiling - 8.0 + 6.0 * min(len(a), len(b)) / max(len(a), len(b)))
        else:
            best = max(best, float(fuzz.partial_ratio(pinyin_key(a), pinyin_key(b))) * 0.9 * ceiling / 100.0)
    return best


def find_activities(session: Session, district_id: int, said: str, min_score: float = 80.0,
                    hints: tuple[str, ...] = ()) -> list[Activity]:
    """Active activities that ``said`` names: by title, alias, part, category, misspelling or
    homophone (太极 → 太极养生课, "the singing one" → a choir), best first."""
    from knowledge.naming import find_named

    return [m.row for m in find_named(session, said, district_id, kinds=("activity",), hints=hints,
                                      min_score=min_score, limit=20)]
