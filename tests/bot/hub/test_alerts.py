"""Family alerts: bookings made or cancelled on another channel and tomorrow's reminders reach
every linked family member in their own language, once, and not the one who acted."""

from __future__ import annotations

import datetime as dt
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.hub import alerts
from careline import clock
from knowledge import booking, db, events, links
from knowledge.bundle import import_path
from knowledge.handoffs import hub_sender
from knowledge.models import Activity, ActivitySession, Conversation, District, Elder, ElderEvent, OutboxMessage
from tests.conftest import MAPLE


def _maple(tmp_path: Path) -> sessionmaker[Session]:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    assert import_path(sessions, MAPLE, clock.local_today()).ok
    return sessions


def _family(session: Session, elder: Elder, user: str, language: str):
    account = links.account_for(session, "telegram", user, user, language)
    code = links.issue_code(session, elder.id, dt.timedelta(hours=1), key="k")
    assert links.redeem(session, account, code, key="k").elder
    return account


def _texts(session: Session, address: str) -> list[str]:
    return [row.body["text"] for row in session.scalars(select(OutboxMessage).where(OutboxMessage.address == address)
                                                         .order_by(OutboxMessage.id))]


def test_bookings_by_anyone_else_and_reminders_reach_every_linked_family_member(tmp_path: Path) -> None:
    sessions = _maple(tmp_path)
    with db.transaction(sessions) as session:
        smith = session.scalar(select(Elder).where(Elder.key == "smith"))
        district = session.get(District, smith.district_id)
        daughter = _family(session, smith, "501", "en")
        son = _family(session, smith, "502", "zh")
        outsider = links.account_for(session, "telegram", "503", "503", "en")
        son_chat = Conversation(channel="telegram", external_id="502:x", language="zh", account_id=son.id)
        session.add(son_chat)
        session.flush()
        local = clock.local_now(district.timezone)
        activity = session.scalar(select(Activity).where(Activity.district_id == district.id))
        starts = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(10, 0))
        tomorrow = ActivitySession(activity_id=activity.id, key="alerts-test", starts_at=starts,
                                   ends_at=starts + dt.timedelta(hours=1), capacity=5, booked=0, generated=False,
                                   active=True)
        session.add(tomorrow)
        session.flush()
        by_phone = booking.book_session(session, smith.id, tomorrow.id, local, via="phone", source="call-1")
        assert by_phone.ok
        made_by_son = booking.book_session(session, smith.id, tomorrow.id, local, via="telegram",
                                           source=hub_sender(son_chat.id))
        assert not made_by_son.ok  # already booked: no second event
    assert alerts.fan_out(sessions) == 2, "one alert for each linked family member"
    assert alerts.fan_out(sessions) == 0, "an event is fanned out once"
    with db.transaction(sessions) as session:
        assert booking.cancel_booking(session, by_phone.booking.id, local, via="telegram",
                                      source=hub_sender(son_chat.id)).ok
    assert alerts.fan_out(sessions) == 1, "the son cancelled: only his sister hears of it"
    with db.transaction(sessions) as session:
        again = booking.book_session(session, smith.id, tomorrow.id, local, via="console")
        assert again.ok
    alerts.fan_out(sessions)
    assert alerts.schedule_reminders(sessions, reminder_hour=0) >= 1
    assert alerts.schedule_reminders(sessions, reminder_hour=0) == 0, "one reminder per booking"
    alerts.fan_out(sessions)
    with sessions() as session:
        her, his = _texts(session, daughter.address), _texts(session, son.address)
        assert [t.split(":")[0] for t in her] == ["Notice", "Notice", "Notice", "Reminder"]
        assert "cancelled" in her[1] and "tomorrow" in her[3]
        assert [t[:2] for t in his] == ["通知", "通知", "提醒"], his
        assert _texts(session, outsider.address) == []


def test_hubs_scheduling_reminders_at_once_record_one_per_booking(maple_committing: Engine) -> None:
    sessions = db.session_factory(maple_committing)
    with db.transaction(sessions) as session:
        district = session.scalar(select(District).where(District.key == "maple-town"))
        local = dt.datetime.now(zoneinfo.ZoneInfo(district.timezone)).replace(tzinfo=None)
        activity = session.scalar(select(Activity).where(Activity.district_id == district.id))
        starts = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(10, 0))
        tomorrow = ActivitySession(activity_id=activity.id, key="reminder-race", starts_at=starts,
                                   ends_at=starts + dt.timedelta(hours=1), capacity=50, booked=0, generated=False,
                                   active=True)
        session.add(tomorrow)
        session.flush()
        elders = session.scalars(select(Elder).where(Elder.district_id == district.id)).all()
        booked = sum(booking.book_session(session, e.id, tomorrow.id, local, via="phone").ok for e in elders)
    assert booked >= 2

    def slow_reads(conn: Any, cursor: Any, statement: str, *args: Any) -> None:  # a busy database
        if statement.lstrip().upper().startswith("SELECT") and "elder_events" in statement:
            time.sleep(0.2)

    event.listen(maple_committing, "after_cursor_execute", slow_reads)
    start = threading.Barrier(6)
    counts: list[int] = []

    def hub() -> None:
        start.wait()
        counts.append(alerts.schedule_reminders(sessions, reminder_hour=0))

    threads = [threading.Thread(target=hub) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with sessions() as session:
        reminders = session.scalars(select(ElderEvent.booking_id).where(ElderEvent.kind == events.REMINDER)).all()
    assert len(reminders) == len(set(reminders)) == booked and sum(counts) == booked
