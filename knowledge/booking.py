"""Booking and cancelling, with capacity respected and no double booking under concurrency.

Capacity is kept by a guarded counter (``UPDATE … SET booked = booked + 1 WHERE booked <
capacity``), atomic on SQLite and PostgreSQL alike; a second active booking of the same session
or meal day by the same elder is refused by a partial unique index. Every function works inside
the caller's transaction (using a savepoint where it may fail) and never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge import events, hours
from knowledge.activities import order_deadline, serves_on
from knowledge.models import (
    ActivitySession,
    Booking,
    Elder,
    HomeService,
    MealService,
    MealSlot,
    utcnow,
)


class Refusal(StrEnum):
    NOT_FOUND = "not_found"
    INACTIVE = "inactive"
    PAST = "past"
    FULL = "full"
    ALREADY_BOOKED = "already_booked"
    NOT_SERVED = "not_served"
    TOO_LATE = "too_late"
    NO_DELIVERY = "no_delivery"
    UNAVAILABLE_TIME = "unavailable_time"
    WRONG_DISTRICT = "wrong_district"
    ALREADY_CANCELLED = "already_cancelled"
    NOT_OWNER = "not_owner"


@dataclass(frozen=True)
class Outcome:
    booking: Booking | None = None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def _made(session: Session, booking: Booking, source: str | None) -> None:
    events.record(session, booking.elder_id, events.BOOKING_MADE, booking_id=booking.id, source=source,
                  channel=booking.created_via)


def _elder(session: Session, elder_id: int) -> Elder | None:
    elder = session.get(Elder, elder_id)
    return elder if elder is not None and elder.active else None


def book_session(session: Session, elder_id: int, session_id: int, now: dt.datetime,
                 via: str = "system", source: str | None = None) -> Outcome:
    """Book one place in an activity session for an elder."""
    elder = _elder(session, elder_id)
    slot = session.get(ActivitySession, session_id)
    if elder is None or slot is None:
        return Outcome(refusal=Refusal.NOT_FOUND)
    if slot.activity.district_id != elder.district_id:
        return Outcome(refusal=Refusal.WRONG_DISTRICT)
    if not (slot.active and slot.activity.active):
        return Outcome(refusal=Refusal.INACTIVE)
    if slot.starts_at <= now:
        return Outcome(refusal=Refusal.PAST)
    if _active_booking(session, elder_id, session_id=session_id) is not None:
        return Outcome(refusal=Refusal.ALREADY_BOOKED)
    try:
        with session.begin_nested():
            taken = session.execute(
                update(ActivitySession)
                .where(ActivitySession.id == session_id,
                       ActivitySession.booked < ActivitySession.capacity)
                .values(booked=ActivitySession.booked + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                return Outcome(refusal=Refusal.FULL)
            booking = Booking(elder_id=elder_id, kind="activity", status="active",
                              session_id=session_id, created_via=via)
            session.add(booking)
            session.flush()
    except IntegrityError:
        return Outcome(refusal=Refusal.ALREADY_BOOKED)
    session.refresh(slot)
    _made(session, booking, source)
    return Outcome(booking=booking)


def _meal_slot_id(session: Session, meal_service: MealService, day: dt.date) -> int:
    """The id of the capacity row of a meal day, created if missing (race-safe upsert)."""
    values = {"meal_service_id": meal_service.id, "date": day,
              "capacity": meal_service.daily_capacity, "booked": 0}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(MealSlot).values(**values).on_conflict_do_nothing(
        index_elements=["meal_service_id", "date"]))
    return session.scalar(select(MealSlot.id).where(MealSlot.meal_service_id == meal_service.id,
                                                    MealSlot.date == day))


def book_meal(session: Session, elder_id: int, meal_service_id: int, day: dt.date,
              now: dt.datetime, delivery: bool = False, via: str = "system", source: str | None = None) -> Outcome:
    """Order one portion of a meal service for a day, at the canteen or delivered."""
    elder = _elder(session, elder_id)
    meal = session.get(MealService, meal_service_id)
    if elder is None or meal is None:
        return Outcome(refusal=Refusal.NOT_FOUND)
    if meal.district_id != elder.district_id:
        return Outcome(refusal=Refusal.WRONG_DISTRICT)
    if not meal.active:
        return Outcome(refusal=Refusal.INACTIVE)
    if day < now.date():
        return Outcome(refusal=Refusal.PAST)
    if not serves_on(meal, day):
        return Outcome(refusal=Refusal.NOT_SERVED)
    if now >= order_deadline(meal, day):
        return Outcome(refusal=Refusal.TOO_LATE)
    if delivery and not meal.delivery:
        return Outcome(refusal=Refusal.NO_DELIVERY)
    try:
        with session.begin_nested():
            slot_id = _meal_slot_id(session, meal, day)
            if _active_booking(session, elder_id, meal_slot_id=slot_id) is not None:
                return Outcome(refusal=Refusal.ALREADY_BOOKED)
            taken = session.execute(
                update(MealSlot)
                .where(MealSlot.id == slot_id, MealSlot.booked < MealSlot.capacity)
                .values(booked=MealSlot.booked + 1)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                return Outcome(refusal=Refusal.FULL)
            booking = Booking(elder_id=elder_id, kind="meal", status="active", meal_slot_id=slot_id,
                              delivery=delivery, created_via=via)
            session.add(booking)
            session.flush()
    except IntegrityError:
        return Outcome(refusal=Refusal.ALREADY_BOOKED)
    _made(session, booking, source)
    return Outcome(booking=booking)


def request_home_service(session: Session, elder_id: int, home_service_id: int,
                         preferred_time: dt.datetime, now: dt.datetime, note: str | None = None,
                         via: str = "system", source: str | None = None) -> Outcome:
    """Ask for a home visit (cleaning, bathing, haircut …) at a preferred time."""
    elder = _elder(session, elder_id)
    service = session.get(HomeService, home_service_id)
    if elder is None or service is None:
        return Outcome(refusal=Refusal.NOT_FOUND)
    if service.district_id != elder.district_id:
        return Outcome(refusal=Refusal.WRONG_DISTRICT)
    if not service.active:
        return Outcome(refusal=Refusal.INACTIVE)
    if preferred_time <= now:
        return Outcome(refusal=Refusal.PAST)
    if not hours.is_open(service.available_hours, preferred_time):
        return Outcome(refusal=Refusal.UNAVAILABLE_TIME)
    duplicate = session.scalar(select(Booking).where(
        Booking.elder_id == elder_id, Booking.home_service_id == home_service_id,
        Booking.preferred_time == preferred_time, Booking.status == "requested"))
    if duplicate is not None:
        return Outcome(booking=duplicate, refusal=Refusal.ALREADY_BOOKED)
    booking = Booking(elder_id=elder_id, kind="home_service", status="requested",
                      home_service_id=home_service_id, preferred_time=preferred_time, note=note,
                      created_via=via)
    session.add(booking)
    session.flush()
    _made(session, booking, source)
    return Outcome(booking=booking)


def request_volunteer_visit(session: Session, elder_id: int, preferred_time: dt.datetime,
                            now: dt.datetime, note: str | None = None, via: str = "system",
                            source: str | None = None) -> Outcome:
    """Ask the time bank for a volunteer to visit."""
    if _elder(session, elder_id) is None:
        return Outcome(refusal=Refusal.NOT_FOUND)
    if preferred_time <= now:
        return Outcome(refusal=Refusal.PAST)
    booking = Booking(elder_id=elder_id, kind="volunteer_visit", status="requested",
                      preferred_time=preferred_time, note=note, created_via=via)
    session.add(booking)
    session.flush()
    _made(session, booking, source)
    return Outcome(booking=booking)


def _active_booking(session: Session, elder_id: int, *, session_id: int | None = None,
                    meal_slot_id: int | None = None) -> Booking | None:
    statement = select(Booking).where(Booking.elder_id == elder_id, Booking.status == "active")
    if session_id is not None:
        statement = statement.where(Booking.session_id == session_id)
    if meal_slot_id is not None:
        statement = statement.where(Booking.meal_slot_id == meal_slot_id)
    return session.scalar(statement)


def booked_sessions(session: Session, elder_id: int, session_ids: list[int]) -> set[int]:
    """Which of these activity sessions the elder is already booked for."""
    if not session_ids:
        return set()
    return set(session.scalars(select(Booking.session_id).where(
        Booking.elder_id == elder_id, Booking.status == "active", Booking.session_id.in_(session_ids))))


def booking_starts_at(booking: Booking) -> dt.datetime | None:
    if booking.session is not None:
        return booking.session.starts_at
    if booking.meal_slot is not None:
        return order_deadline(booking.meal_slot.meal_service, booking.meal_slot.date)
    return booking.preferred_time


def cancel_booking(session: Session, booking_id: int, now: dt.datetime,
                   elder_id: int | None = None, via: str = "system", source: str | None = None) -> Outcome:
    """Cancel a booking or request; frees its place. Past ones cannot be cancelled."""
    booking = session.get(Booking, booking_id)
    if booking is None:
        return Outcome(refusal=Refusal.NOT_FOUND)
    if elder_id is not None and booking.elder_id != elder_id:
        return Outcome(refusal=Refusal.NOT_OWNER)
    if booking.status == "cancelled":
        return Outcome(booking=booking, refusal=Refusal.ALREADY_CANCELLED)
    starts = booking_starts_at(booking)
    if starts is not None and starts <= now:
        return Outcome(booking=booking, refusal=Refusal.PAST)
    cancelled = session.execute(
        update(Booking).where(Booking.id == booking_id, Booking.status != "cancelled")
        .values(status="cancelled", cancelled_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not cancelled:  # a concurrent cancel won
        session.refresh(booking)
        return Outcome(booking=booking, refusal=Refusal.ALREADY_CANCELLED)
    if booking.session_id is not None:
        session.execute(update(ActivitySession)
                        .where(ActivitySession.id == booking.session_id, ActivitySession.booked > 0)
                        .values(booked=ActivitySession.booked - 1)
                        .execution_options(synchronize_session=False))
    if booking.meal_slot_id is not None:
        session.execute(update(MealSlot)
                        .where(MealSlot.id == booking.meal_slot_id, MealSlot.booked > 0)
                        .values(booked=MealSlot.booked - 1)
                        .execution_options(synchronize_session=False))
    session.refresh(booking)
    events.record(session, booking.elder_id, events.BOOKING_CANCELLED, booking_id=booking.id, source=source,
                  channel=via)
    return Outcome(booking=booking)


def list_bookings(session: Session, elder_id: int, now: dt.datetime,
                  include_past: bool = False) -> list[Booking]:
    """An elder's active bookings and open requests, soonest first."""
    bookings = session.scalars(
        select(Booking).where(Booking.elder_id == elder_id,
                              Booking.status.in_(("active", "requested"))).order_by(Booking.id)
    ).all()
    out = [b for b in bookings if include_past or (booking_starts_at(b) or now) >= now]
    return sorted(out, key=lambda b: booking_starts_at(b) or now)
