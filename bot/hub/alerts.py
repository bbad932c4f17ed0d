"""Tells linked family members what happened to their elder: emergencies, bookings made or
cancelled (by the elder, another family member or a consultant), and tomorrow's bookings.

Events are written by whoever caused them, in the same transaction; this turns each into one
outbox message per linked account, in that account's language. Dedupe keys make it safe to run
in several processes and to run again after a crash."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.messages import Reply
from careline import clock
from careline.catalogue import N_, say
from knowledge import events, links, outbox
from knowledge.db import transaction
from knowledge.handoffs import HUB_SENDER_PREFIX
from knowledge.models import ActivitySession, Booking, Conversation, District, Elder, ElderEvent, MealSlot
from knowledge.wording import describe_booking

BOOKING_ALERTS = {events.BOOKING_MADE: N_("hub.alert_booked"), events.BOOKING_CANCELLED: N_("hub.alert_cancelled"),
                  events.REMINDER: N_("hub.alert_reminder")}
CHANNEL_NAMES = {"phone": N_("hub.channel_phone"), "telegram": N_("hub.channel_telegram"),
                 "console": N_("hub.channel_console")}
OTHER_CHANNEL = N_("hub.channel_other")


def fan_out(sessions: sessionmaker[Session], limit: int = 100) -> int:
    """Queue alerts for events not yet fanned out; returns how many messages were queued."""
    queued = 0
    with sessions() as session:
        pending = [e.id for e in events.not_fanned_out(session, limit)]
    for event_id in pending:
        with transaction(sessions) as session:
            if not events.mark_fanned_out(session, event_id):
                continue
            queued += _fan_out_one(session, session.get(ElderEvent, event_id))
    return queued


def _actor_account(session: Session, source: str | None) -> int | None:
    if source and source.startswith(HUB_SENDER_PREFIX) and source[len(HUB_SENDER_PREFIX):].isdigit():
        conversation = session.get(Conversation, int(source[len(HUB_SENDER_PREFIX):]))
        return conversation.account_id if conversation else None
    return None


def _fan_out_one(session: Session, event: ElderEvent) -> int:
    elder = session.get(Elder, event.elder_id)
    if elder is None:
        return 0
    district = session.get(District, elder.district_id)
    actor = _actor_account(session, event.source)
    queued = 0
    for account in links.accounts_of(session, elder.id):
        if account.id == actor:
            continue  # they are in the conversation and hear the answer there
        text = alert_text(session, event, elder, district, account.language)
        if text is None:
            continue
        row = outbox.enqueue(session, account.channel, account.address, Reply(text, role="alert").to_body(),
                             dedupe_key=f"event:{event.id}:{account.id}")
        queued += row is not None
    return queued


def alert_text(session: Session, event: ElderEvent, elder: Elder, district: District | None, lang: str) -> str | None:
    name = elder.name
    today = local_today(district)
    if event.kind == events.EMERGENCY:
        return say("hub.alert_emergency", lang, elder=name, channel=channel_name(event.channel, lang),
                       text=(event.data or {}).get("text", ""), number=district.emergency_number if district else "120")
    booking = session.get(Booking, event.booking_id) if event.booking_id else None
    if booking is None:
        return None
    what = describe_booking(booking, lang, today)
    key = BOOKING_ALERTS.get(event.kind)
    return say(key, lang, elder=name, what=what) if key else None


def channel_name(channel: str | None, lang: str) -> str:
    """How an alert names the channel a person asked for help on."""
    return say(CHANNEL_NAMES.get(channel or "", OTHER_CHANNEL), lang)


def local_today(district: District | None) -> dt.date:
    return clock.local_today(district.timezone if district else None)


def schedule_reminders(sessions: sessionmaker[Session], reminder_hour: int) -> int:
    """Record a reminder event for every active booking happening tomorrow (local time), once,
    after ``reminder_hour`` local time. Returns how many were recorded."""
    recorded = 0
    with transaction(sessions) as session:
        for district in session.scalars(select(District)):
            now = clock.local_now(district.timezone)
            if now.hour < reminder_hour:
                continue
            tomorrow = now.date() + dt.timedelta(days=1)
            start = dt.datetime.combine(tomorrow, dt.time())
            end = start + dt.timedelta(days=1)
            by_session = select(Booking.id, Booking.elder_id) \
                .join(ActivitySession, Booking.session_id == ActivitySession.id) \
                .where(ActivitySession.starts_at >= start, ActivitySession.starts_at < end)
            by_meal = select(Booking.id, Booking.elder_id).join(MealSlot, Booking.meal_slot_id == MealSlot.id) \
                .where(MealSlot.date == tomorrow)
            for query in (by_session, by_meal):
                rows = session.execute(query.join(Elder, Elder.id == Booking.elder_id)
                                       .where(Booking.status == "active", Elder.district_id == district.id)).all()
                for booking_id, elder_id in rows:
                    recorded += events.record(session, elder_id, events.REMINDER, booking_id=booking_id,
                                              dedupe_key=events.reminder_key(booking_id)) is not None
    return recorded
