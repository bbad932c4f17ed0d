"""What can be booked for an elder (the activities, meals and home services of the elder's
district), and exactly what one choice would book, in words: the read-back a consultant confirms.

The rules are :mod:`knowledge.booking`'s, the ones the assistant follows: a read-back asks the
booking functions themselves, in a savepoint that is rolled back, whether the booking would be
refused now (full, past, already booked, not served that day, too late to order, no delivery,
outside the service's hours), so the page and the confirmation can never disagree about a rule.
A choice travels through the console's forms as a short token (:attr:`Choice.token`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import booking
from knowledge.activities import meal_days, meal_services, upcoming_sessions
from knowledge.booking import Outcome, Refusal
from knowledge.models import ActivitySession, Elder, HomeService, MealService
from knowledge.wording import day, meal_price, moment, money, price_text

ACTIVITY, MEAL, HOME_SERVICE = "activity", "meal", "home_service"
_TOKEN = re.compile(r"^(?:activity:(\d{1,9})|meal:(\d{1,9}):(\d{4}-\d\d-\d\d):(pickup|delivery)"
                    r"|home_service:(\d{1,9}):(\d{4}-\d\d-\d\dT\d\d:\d\d))$")


@dataclass(frozen=True)
class Choice:
    """One thing to book: an activity session, a meal on a day (eaten there or delivered), or a
    home service at a time."""

    kind: str
    item_id: int
    day: dt.date | None = None
    delivery: bool = False
    at: dt.datetime | None = None

    @property
    def token(self) -> str:
        if self.kind == MEAL and self.day is not None:
            return f"meal:{self.item_id}:{self.day.isoformat()}:{'delivery' if self.delivery else 'pickup'}"
        if self.kind == HOME_SERVICE and self.at is not None:
            return f"home_service:{self.item_id}:{self.at.strftime('%Y-%m-%dT%H:%M')}"
        return f"activity:{self.item_id}"


def parse_choice(token: str | None) -> Choice | None:
    """The choice a form sent, or None for anything else."""
    found = _TOKEN.match((token or "").strip())
    if found is None:
        return None
    session_id, meal_id, meal_day, how, service_id, at = found.groups()
    try:
        if session_id:
            return Choice(ACTIVITY, int(session_id))
        if meal_id:
            return Choice(MEAL, int(meal_id), day=dt.date.fromisoformat(meal_day), delivery=how == "delivery")
        return Choice(HOME_SERVICE, int(service_id), at=dt.datetime.fromisoformat(at))
    except ValueError:  # 2026-02-30
        return None


@dataclass(frozen=True)
class Option:
    """A line of the list a consultant chooses from."""

    choice: Choice
    what: str
    when: str
    where: str
    price: str
    free: int | None = None
    """Places left (activities and meals)."""


@dataclass(frozen=True)
class HomeServiceOption:
    """A home service: the consultant gives the day and time."""

    home_service_id: int
    what: str
    price: str
    hours: str


@dataclass(frozen=True)
class Options:
    activities: list[Option]
    meals: list[Option]
    home_services: list[HomeServiceOption]


@dataclass(frozen=True)
class ReadBack:
    """Exactly what a choice books, for whom, and what would stop it now."""

    choice: Choice
    elder_id: int
    for_whom: str
    what: str
    when: str
    where: str
    """The place, or empty for a meal delivered to the door (``delivery``)."""
    delivery: bool
    price: str
    problem: Refusal | None


def options(session: Session, elder: Elder, now: dt.datetime, lang: str, days: int = 14) -> Options:
    """What may be booked for the elder in the coming ``days``: sessions with places left,
    meal days still open for orders (eaten there, and delivered where the service delivers), and
    the home services."""
    today = now.date()
    activities = []
    for view in upcoming_sessions(session, elder.district_id, now, until=now + dt.timedelta(days=days),
                                  only_free=True, limit=40):
        where = view.activity.service_point or view.activity.place
        activities.append(Option(Choice(ACTIVITY, view.session.id), view.activity.title[lang],
                                 moment(view.session.starts_at, lang, today), where.name[lang] if where else "",
                                 money(view.activity.fee, lang), view.free))
    meals = []
    for service in meal_services(session, elder.district_id):
        for meal_day in meal_days(session, service, now, days=min(days, 7)):
            if not meal_day.orderable or meal_day.free <= 0:
                continue
            for delivery in (False, True) if service.delivery else (False,):
                meals.append(Option(Choice(MEAL, service.id, day=meal_day.date, delivery=delivery),
                                    service.name[lang], day(meal_day.date, lang, today),
                                    "" if delivery else service.service_point.name[lang],
                                    meal_price(service, delivery, lang), meal_day.free))
    homes = [HomeServiceOption(s.id, s.name[lang], price_text(s.price, s.subsidised_price, lang), s.available_hours)
             for s in session.scalars(select(HomeService).where(HomeService.district_id == elder.district_id,
                                                                HomeService.active.is_(True))
                                      .order_by(HomeService.key))]
    return Options(activities, meals, homes)


def read_back(session: Session, elder: Elder, choice: Choice, now: dt.datetime, lang: str,
              check: bool = True) -> ReadBack | None:
    """The read-back of a choice, or None when it names nothing of the elder's district; with
    ``check``, what would stop the booking now (:func:`trial`)."""
    today = now.date()
    if choice.kind == ACTIVITY:
        slot = session.get(ActivitySession, choice.item_id)
        if slot is None or slot.activity.district_id != elder.district_id:
            return None
        where = slot.activity.service_point or slot.activity.place
        what, when = slot.activity.title[lang], moment(slot.starts_at, lang, today)
        place, price = (where.name[lang] if where else ""), money(slot.activity.fee, lang)
    elif choice.kind == MEAL and choice.day is not None:
        meal = session.get(MealService, choice.item_id)
        if meal is None or meal.district_id != elder.district_id:
            return None
        what, when = meal.name[lang], f"{day(choice.day, lang, today)} {meal.serving_time}"
        place = "" if choice.delivery else meal.service_point.name[lang]
        price = meal_price(meal, choice.delivery, lang)
    elif choice.kind == HOME_SERVICE and choice.at is not None:
        service = session.get(HomeService, choice.item_id)
        if service is None or service.district_id != elder.district_id:
            return None
        what, when, place = service.name[lang], moment(choice.at, lang, today), ""
        price = price_text(service.price, service.subsidised_price, lang)
    else:
        return None
    return ReadBack(choice, elder.id, elder.name, what, when, place, choice.delivery, price,
                    trial(session, elder.id, choice, now) if check else None)


def book(session: Session, elder_id: int, choice: Choice, now: dt.datetime, via: str = "console",
         source: str | None = None) -> Outcome:
    """Book the choice for the elder, in the caller's transaction, by the booking rules."""
    if choice.kind == ACTIVITY:
        return booking.book_session(session, elder_id, choice.item_id, now, via=via, source=source)
    if choice.kind == MEAL and choice.day is not None:
        return booking.book_meal(session, elder_id, choice.item_id, choice.day, now, delivery=choice.delivery,
                                 via=via, source=source)
    if choice.kind == HOME_SERVICE and choice.at is not None:
        return booking.request_home_service(session, elder_id, choice.item_id, choice.at, now, via=via, source=source)
    return Outcome(refusal=Refusal.NOT_FOUND)


def trial(session: Session, elder_id: int, choice: Choice, now: dt.datetime) -> Refusal | None:
    """Why booking the choice would be refused now (None: it would be booked), found by booking
    it in a savepoint that is then rolled back."""
    savepoint = session.begin_nested()
    try:
        return book(session, elder_id, choice, now).refusal
    finally:
        savepoint.rollback()
