import datetime as dt
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from knowledge.booking import (
    Refusal,
    book_meal,
    book_session,
    cancel_booking,
    list_bookings,
    request_home_service,
    request_volunteer_visit,
)
from knowledge.db import session_factory
from knowledge.models import ActivitySession, Booking, Elder, HomeService, MealService, MealSlot
from tests.conftest import NOW


def _id(session: Session, model: type, key: str) -> int:
    return session.scalars(select(model.id).where(model.key == key)).one()


def _taichi(session: Session, day: int = 24) -> ActivitySession:
    return session.scalars(select(ActivitySession).where(
        ActivitySession.starts_at == dt.datetime(2026, 11, day, 9, 30))).one()


def test_capacity_is_respected(maple: Session) -> None:
    slot = _taichi(maple)
    wang, li, smith = (_id(maple, Elder, k) for k in ("wang", "li", "smith"))
    assert book_session(maple, wang, slot.id, NOW).ok
    assert book_session(maple, li, slot.id, NOW).ok
    full = book_session(maple, smith, slot.id, NOW)
    assert full.refusal is Refusal.FULL
    maple.refresh(slot)
    assert slot.booked == 2
    assert maple.scalar(select(func.count()).select_from(Booking).where(Booking.session_id == slot.id)) == 2


def test_no_double_booking_and_cancel_frees_the_place(maple: Session) -> None:
    slot = _taichi(maple)
    wang = _id(maple, Elder, "wang")
    first = book_session(maple, wang, slot.id, NOW)
    assert first.ok and first.booking is not None
    assert book_session(maple, wang, slot.id, NOW).refusal is Refusal.ALREADY_BOOKED
    assert cancel_booking(maple, first.booking.id, NOW).ok
    maple.refresh(slot)
    assert slot.booked == 0
    assert cancel_booking(maple, first.booking.id, NOW).refusal is Refusal.ALREADY_CANCELLED
    again = book_session(maple, wang, slot.id, NOW)
    assert again.ok, "booking again after cancelling is allowed"


def test_past_sessions_and_unknown_ids_are_refused(maple: Session) -> None:
    wang = _id(maple, Elder, "wang")
    past = maple.scalars(select(ActivitySession).where(ActivitySession.key == "2020-01-07T14:00")).one()
    assert book_session(maple, wang, past.id, NOW).refusal is Refusal.PAST
    assert book_session(maple, wang, 999_999, NOW).refusal is Refusal.NOT_FOUND
    assert book_session(maple, 999_999, past.id, NOW).refusal is Refusal.NOT_FOUND
    assert cancel_booking(maple, 999_999, NOW).refusal is Refusal.NOT_FOUND


def test_cancel_after_start_is_refused_and_owner_checked(maple: Session) -> None:
    slot = _taichi(maple)
    wang, li = _id(maple, Elder, "wang"), _id(maple, Elder, "li")
    booking = book_session(maple, wang, slot.id, NOW).booking
    assert booking is not None
    assert cancel_booking(maple, booking.id, NOW, elder_id=li).refusal is Refusal.NOT_OWNER
    assert cancel_booking(maple, booking.id, slot.starts_at).refusal is Refusal.PAST


def test_meal_booking_rules(maple: Session) -> None:
    lunch = _id(maple, MealService, "lunch")
    wang, li, smith = (_id(maple, Elder, k) for k in ("wang", "li", "smith"))
    monday = NOW.date()
    assert book_meal(maple, wang, lunch, monday, NOW, delivery=True).ok
    assert book_meal(maple, wang, lunch, monday, NOW).refusal is Refusal.ALREADY_BOOKED
    assert book_meal(maple, li, lunch, monday, NOW).ok
    assert book_meal(maple, smith, lunch, monday, NOW).refusal is Refusal.FULL
    assert book_meal(maple, smith, lunch, monday + dt.timedelta(days=5), NOW).refusal is Refusal.NOT_SERVED
    assert book_meal(maple, smith, lunch, monday - dt.timedelta(days=1), NOW).refusal is Refusal.PAST
    assert book_meal(maple, smith, lunch, monday + dt.timedelta(days=1), NOW.replace(hour=9)).ok
    late = NOW.replace(hour=10)
    assert book_meal(maple, smith, lunch, monday + dt.timedelta(days=1), late + dt.timedelta(days=1)).refusal \
        is Refusal.TOO_LATE
    slot = maple.scalars(select(MealSlot).where(MealSlot.date == monday)).one()
    assert (slot.booked, slot.capacity) == (2, 2)


def test_home_service_requests(maple: Session) -> None:
    haircut = _id(maple, HomeService, "haircut")
    wang = _id(maple, Elder, "wang")
    tuesday_10 = dt.datetime(2026, 11, 24, 10, 0)
    made = request_home_service(maple, wang, haircut, tuesday_10, NOW)
    assert made.ok and made.booking is not None and made.booking.status == "requested"
    assert request_home_service(maple, wang, haircut, tuesday_10, NOW).refusal is Refusal.ALREADY_BOOKED
    sunday = dt.datetime(2026, 11, 29, 10, 0)
    assert request_home_service(maple, wang, haircut, sunday, NOW).refusal is Refusal.UNAVAILABLE_TIME
    assert request_home_service(maple, wang, haircut, NOW - dt.timedelta(hours=1), NOW).refusal is Refusal.PAST
    assert request_volunteer_visit(maple, wang, tuesday_10, NOW, note="companion").ok
    kinds = [b.kind for b in list_bookings(maple, wang, NOW)]
    assert sorted(kinds) == ["home_service", "volunteer_visit"]


def test_list_bookings_soonest_first_without_cancelled(maple: Session) -> None:
    wang = _id(maple, Elder, "wang")
    later = book_session(maple, wang, _taichi(maple, 26).id, NOW).booking
    sooner = book_session(maple, wang, _taichi(maple, 24).id, NOW).booking
    assert later and sooner
    assert [b.id for b in list_bookings(maple, wang, NOW)] == [sooner.id, later.id]
    cancel_booking(maple, sooner.id, NOW)
    assert [b.id for b in list_bookings(maple, wang, NOW)] == [later.id]


def _race(engine: Engine, attempts: list[Callable[[Session], object]]) -> list[object]:
    """Run each attempt in its own thread and transaction, all released at once."""
    factory = session_factory(engine)
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def worker(index: int) -> None:
        with factory() as session:
            barrier.wait()
            with session.begin():
                results[index] = attempts[index](session)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _add_elders(engine: Engine, n: int) -> list[int]:
    with session_factory(engine)() as session, session.begin():
        district_id = session.scalars(select(Elder.district_id).where(Elder.key == "wang")).one()
        elders = [Elder(district_id=district_id, key=f"extra-{i}", name=f"E{i}", language="zh", active=True)
                  for i in range(n)]
        session.add_all(elders)
        session.flush()
        return [e.id for e in elders]


def test_parallel_bookings_never_exceed_capacity(maple_committing: Engine) -> None:
    elders = _add_elders(maple_committing, 12)
    with session_factory(maple_committing)() as session:
        slot_id = _taichi(session).id
        lunch = _id(session, MealService, "lunch")
    outcomes = _race(maple_committing, [
        (lambda s, e=e: book_session(s, e, slot_id, NOW).refusal) for e in elders])
    assert sorted(outcomes, key=str).count(None) == 2
    assert set(outcomes) == {None, Refusal.FULL}
    meal_outcomes = _race(maple_committing, [
        (lambda s, e=e: book_meal(s, e, lunch, NOW.date(), NOW).refusal) for e in elders])
    assert meal_outcomes.count(None) == 2
    with session_factory(maple_committing)() as session:
        slot = session.get(ActivitySession, slot_id)
        assert slot is not None and slot.booked == 2
        assert session.scalar(select(func.count()).select_from(Booking).where(
            Booking.session_id == slot_id, Booking.status == "active")) == 2
        assert session.scalar(select(func.count()).select_from(Booking).where(Booking.kind == "meal")) == 2


def test_parallel_double_booking_by_one_elder_makes_one_booking(maple_committing: Engine) -> None:
    with session_factory(maple_committing)() as session:
        wang = _id(session, Elder, "wang")
        talk = session.scalars(select(ActivitySession.id).where(ActivitySession.key == "2030-03-05T14:00")).one()
    outcomes = _race(maple_committing, [(lambda s: book_session(s, wang, talk, NOW).refusal)] * 8)
    assert outcomes.count(None) == 1
    assert set(outcomes) == {None, Refusal.ALREADY_BOOKED}
    with session_factory(maple_committing)() as session:
        slot = session.get(ActivitySession, talk)
        assert slot is not None and slot.booked == 1


def test_parallel_cancels_free_one_place(maple_committing: Engine) -> None:
    with session_factory(maple_committing)() as session, session.begin():
        wang = _id(session, Elder, "wang")
        slot_id = _taichi(session).id
        booking = book_session(session, wang, slot_id, NOW).booking
        assert booking is not None
        booking_id = booking.id
    outcomes = _race(maple_committing, [(lambda s: cancel_booking(s, booking_id, NOW).refusal)] * 6)
    assert outcomes.count(None) == 1
    with session_factory(maple_committing)() as session:
        slot = session.get(ActivitySession, slot_id)
        assert slot is not None and slot.booked == 0


@pytest.mark.parametrize("weird", [0, -1])
def test_weird_ids_are_not_found(maple: Session, weird: int) -> None:
    assert book_session(maple, weird, weird, NOW).refusal is Refusal.NOT_FOUND
