"""Saying things in Mandarin and English, shared by the action server and the hub: dates, times
and bookings said the way people say them (their words come from the catalogue).

It lives below both (``actions/`` and ``bot/hub/`` import it; it imports neither), so the hub
can name a booking in a family alert exactly as the assistant does."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from careline.catalogue import N_, say

if TYPE_CHECKING:
    from knowledge.models import Booking

WEEKDAYS = (N_("wording.monday"), N_("wording.tuesday"), N_("wording.wednesday"), N_("wording.thursday"),
            N_("wording.friday"), N_("wording.saturday"), N_("wording.sunday"))
MONTHS = (N_("wording.january"), N_("wording.february"), N_("wording.march"), N_("wording.april"),
          N_("wording.may"), N_("wording.june"), N_("wording.july"), N_("wording.august"), N_("wording.september"),
          N_("wording.october"), N_("wording.november"), N_("wording.december"))
RELATIVE_DAYS = {0: N_("wording.today"), 1: N_("wording.tomorrow"), 2: N_("wording.day_after_tomorrow")}


def day(value: dt.date, lang: str, today: dt.date | None = None) -> str:
    """'明天' / 'tomorrow' when near, otherwise '11月24日（星期二）' / 'Tuesday 24 November'."""
    if today is not None and (value - today).days in RELATIVE_DAYS:
        return say(RELATIVE_DAYS[(value - today).days], lang)
    return say("wording.date", lang, month=say(MONTHS[value.month - 1], lang), day=value.day,
               weekday=say(WEEKDAYS[value.weekday()], lang))


def clock(value: dt.time | dt.datetime, lang: str) -> str:
    hour, minute = value.hour, value.minute
    if lang == "zh":
        part = "上午" if hour < 12 else ("中午" if hour < 13 else ("下午" if hour < 18 else "晚上"))
        shown = hour if hour <= 12 else hour - 12
        if minute == 0:
            return f"{part}{shown}点"
        return f"{part}{shown}点半" if minute == 30 else f"{part}{shown}点{minute}分"
    suffix = "am" if hour < 12 else "pm"
    shown = hour % 12 or 12
    return f"{shown}:{minute:02d} {suffix}" if minute else f"{shown} {suffix}"


def moment(value: dt.datetime, lang: str, today: dt.date | None = None) -> str:
    if lang == "zh":
        return f"{day(value.date(), lang, today)}{clock(value, lang)}"
    return f"{day(value.date(), lang, today)} at {clock(value, lang)}"


def describe_booking(item: Booking, lang: str, today: dt.date) -> str:
    """One line naming a booking: what, when, where."""
    if item.session is not None:
        where = item.session.activity.service_point or item.session.activity.place
        title, when = item.session.activity.title[lang], moment(item.session.starts_at, lang, today)
        if lang == "zh":
            return f"{title}，{when}" + (f"（{where.name[lang]}）" if where else "")
        return f"{title}, {when}" + (f" ({where.name[lang]})" if where else "")
    if item.meal_slot is not None:
        meal = item.meal_slot.meal_service
        return f"{day(item.meal_slot.date, lang, today)}的{meal.name[lang]}" if lang == "zh" \
            else f"{meal.name[lang]} on {day(item.meal_slot.date, lang, today)}"
    when = moment(item.preferred_time, lang, today) if item.preferred_time else ""
    if item.home_service is not None:
        return say("wording.home_service_line", lang, name=item.home_service.name[lang], when=when)
    return say("wording.volunteer_line", lang, when=when)
