"""Saying things in Mandarin and English, shared by the action server and the hub: dates, times
and bookings said the way people say them (their words come from the catalogue).

It lives below both (``actions/`` and ``bot/hub/`` import it; it imports neither), so the hub
can name a booking in a family alert exactly as the assistant does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

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


#: how often an amount is paid, as a policy's bundle names it
PER = {"once": N_("actions.per.once"), "day": N_("actions.per.day"), "month": N_("actions.per.month"),
       "year": N_("actions.per.year"), "hour": N_("actions.per.hour"), "meal": N_("actions.per.meal"),
       "visit": N_("actions.per.visit")}


def money(value: Decimal | float | int, lang: str) -> str:
    amount = Decimal(value)
    text = f"{int(amount)}" if amount == amount.to_integral_value() else f"{amount:.2f}".rstrip("0")
    return say("actions.free", lang) if amount == 0 else say("actions.yuan", lang, amount=text)


def price_text(price: Any, subsidised: Any, lang: str) -> str:
    """The full price, and what it comes to with a subsidy: whether this elder has one is not
    known here, so the lower price is never quoted as theirs."""
    if subsidised is not None and subsidised < price:
        return say("wording.price_with_subsidy", lang, price=money(price, lang), subsidised=money(subsidised, lang))
    return money(price, lang)


def meal_price(meal: Any, delivery: bool, lang: str) -> str:
    """The price of a meal of a meal service, with the delivery fee when delivered."""
    fee = meal.delivery_fee if delivery else 0
    subsidised = meal.subsidised_price + fee if meal.subsidised_price is not None else None
    return price_text(meal.price + fee, subsidised, lang)


def amount_text(amount: dict | None, lang: str) -> str | None:
    if not amount:
        return None
    per = say(PER[amount["per"]], lang)
    low = money(Decimal(str(amount["value"])), lang)
    if amount.get("max") is not None:
        text = say("actions.amount_range", lang, per=per, low=low, high=money(Decimal(str(amount["max"])), lang))
    else:
        text = say("actions.amount", lang, per=per, low=low)
    note = (amount.get("note") or {}).get(lang)
    return say("actions.amount_note", lang, amount=text, note=note) if note else text
