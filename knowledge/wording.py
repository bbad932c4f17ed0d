"""Saying things in Mandarin and English, shared by the action server and the hub: how a
bilingual text table is read, and dates, times and bookings said the way people say them.

It lives below both (``actions/`` and ``bot/hub/`` import it; it imports neither), so the hub
can name a booking in a family alert exactly as the assistant does. It needs nothing beyond the
standard library: the engine's own venv imports it too (through ``actions.texts``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the engine's venv (Rasa's SQLAlchemy) imports this module through actions.texts
    from knowledge.models import Booking

WEEKDAYS = {"zh": "一二三四五六日", "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                                      "Sunday")}

RELATIVE_DAYS = {0: ("今天", "today"), 1: ("明天", "tomorrow"), 2: ("后天", "the day after tomorrow")}

T: dict[str, dict[str, str]] = {
    "home_service_line": {"zh": "{name}，{when}（已提交申请）", "en": "{name}, {when} (requested)"},
    "volunteer_line": {"zh": "志愿者上门，{when}（已提交申请）", "en": "volunteer visit, {when} (requested)"},
}

# "on {day}" reads well with "Tuesday 1 December", not with "tomorrow".
_RELATIVE_AFTER_ON = re.compile(r"\bon ((?:the day (?:after|before) )?(?:today|tomorrow|yesterday))\b")


def say_from(table: dict[str, dict[str, str]], key: str, lang: str, **params: Any) -> str:
    """A text of a bilingual table in ``lang`` (Mandarin when a language is missing), filled in.
    Every text catalogue of CareLine (actions, hub, channels) reads its table through this."""
    entry = table[key]
    said = entry.get(lang, entry["zh"]).format(**params)
    return _RELATIVE_AFTER_ON.sub(r"\1", said) if lang == "en" else said


def day(value: dt.date, lang: str, today: dt.date | None = None) -> str:
    """'明天' / 'tomorrow' when near, otherwise '11月24日（星期二）' / 'Tuesday 24 November'."""
    if today is not None and (value - today).days in RELATIVE_DAYS:
        return RELATIVE_DAYS[(value - today).days][0 if lang == "zh" else 1]
    if lang == "zh":
        return f"{value.month}月{value.day}日（星期{WEEKDAYS['zh'][value.weekday()]}）"
    return f"{WEEKDAYS['en'][value.weekday()]} {value.day} {value.strftime('%B')}"


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
        return say_from(T, "home_service_line", lang, name=item.home_service.name[lang], when=when)
    return say_from(T, "volunteer_line", lang, when=when)


def money(value: Decimal | float | int, lang: str) -> str:
    amount = Decimal(value)
    text = f"{int(amount)}" if amount == amount.to_integral_value() else f"{amount:.2f}".rstrip("0")
    if lang == "zh":
        return "免费" if amount == 0 else f"{text}元"
    return "free" if amount == 0 else f"{text} yuan"


def price_text(price: Any, subsidised: Any, lang: str) -> str:
    """The full price, and what it comes to with a subsidy: whether this elder has one is not
    known here, so the lower price is never quoted as theirs."""
    if subsidised is not None and subsidised < price:
        return f"{money(price, lang)}（有补贴的老人{money(subsidised, lang)}）" if lang == "zh" \
            else f"{money(price, lang)} ({money(subsidised, lang)} with a subsidy)"
    return money(price, lang)


def meal_price(meal: Any, delivery: bool, lang: str) -> str:
    """The price of a meal of a meal service, with the delivery fee when delivered."""
    fee = meal.delivery_fee if delivery else 0
    subsidised = meal.subsidised_price + fee if meal.subsidised_price is not None else None
    return price_text(meal.price + fee, subsidised, lang)


def amount_text(amount: dict | None, lang: str) -> str | None:
    if not amount:
        return None
    per = {"once": ("一次性", "one-off"), "day": ("每天", "a day"), "month": ("每月", "a month"),
           "year": ("每年", "a year"), "hour": ("每小时", "an hour"), "meal": ("每餐", "a meal"),
           "visit": ("每次", "a visit")}[amount["per"]]
    low = money(Decimal(str(amount["value"])), lang)
    high = money(Decimal(str(amount["max"])), lang) if amount.get("max") is not None else None
    if lang == "zh":
        text = f"{per[0]}{low}" + (f"到{high}" if high else "")
    else:
        text = (f"{low} to {high}" if high else low) + f" {per[1]}"
    note = (amount.get("note") or {}).get(lang)
    return f"{text}（{note}）" if note and lang == "zh" else (f"{text} ({note})" if note else text)
