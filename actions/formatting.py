"""Dates, times, money, distances and opening hours said the way people say them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from knowledge import hours
from knowledge.text import has_cjk
from knowledge.wording import RELATIVE_DAYS, WEEKDAYS, clock, day, describe_booking, moment

__all__ = ["RELATIVE_DAYS", "WEEKDAYS", "clock", "day", "describe_booking", "moment"]  # shared with the hub

def money(value: Decimal | float | int, lang: str) -> str:
    amount = Decimal(value)
    text = f"{int(amount)}" if amount == amount.to_integral_value() else f"{amount:.2f}".rstrip("0")
    if lang == "zh":
        return "免费" if amount == 0 else f"{text}元"
    return "free" if amount == 0 else f"{text} yuan"


def distance(metres: float, lang: str) -> str:
    if metres < 1000:
        rounded = max(10, int(round(metres / 10.0)) * 10)
        return f"{rounded}米" if lang == "zh" else f"{rounded} metres"
    km = f"{metres / 1000:.1f}".rstrip("0").rstrip(".")
    return f"{km}公里" if lang == "zh" else f"{km} km"


def listing(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def opening_state(expression: str, now: dt.datetime, lang: str) -> str:
    from careline.catalogue import say

    if hours.is_open(expression, now):
        return say("actions.point_open_now", lang)
    upcoming = hours.next_change(expression, now)
    if upcoming is None:
        return say("actions.point_closed", lang)
    return say("actions.point_closed_now", lang, next=moment(upcoming, lang, now.date()))


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


def person_name(name: str, lang: str) -> str:
    """A person's name as said in ``lang``: 何树林 is "He Shulin" in English."""
    if lang == "zh" or not has_cjk(name):
        return name
    import re

    latin = re.sub(r"\s*[（(][^）)]*[）)]\s*", " ", name).strip()
    if latin and not has_cjk(latin):  # "Margaret Ho（何美玲）": the name she uses in English
        return latin
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(name, style=Style.NORMAL)
    return " ".join(part for part in (syllables[0].capitalize(), "".join(syllables[1:]).capitalize()) if part)


_DAY_CODES = {"Mo": ("周一", "Mon"), "Tu": ("周二", "Tue"), "We": ("周三", "Wed"), "Th": ("周四", "Thu"),
              "Fr": ("周五", "Fri"), "Sa": ("周六", "Sat"), "Su": ("周日", "Sun"), "PH": ("节假日", "public holidays")}


def hours_text(expression: str, lang: str) -> str:
    """Opening hours as people say them: "Mo-Fr 09:00-16:00" is 周一到周五 9:00到16:00."""
    import re

    zh = lang == "zh"

    def days(found: re.Match[str]) -> str:
        names = [_DAY_CODES[code][0 if zh else 1] for code in re.findall(r"Mo|Tu|We|Th|Fr|Sa|Su|PH", found.group(0))]
        joints = re.findall(r"[-,]", found.group(0))
        said = names[0]
        for joint, name in zip(joints, names[1:], strict=False):
            said += ("到" if zh else "–") + name if joint == "-" else ("、" if zh else ", ") + name
        return said

    text = re.sub(r"\b(?:Mo|Tu|We|Th|Fr|Sa|Su|PH)(?:\s*[-,]\s*(?:Mo|Tu|We|Th|Fr|Sa|Su|PH))*\b", days, expression)
    text = re.sub(r"\b0(\d):", r"\1:", text)
    text = re.sub(r"(\d:\d\d)-(\d)", r"\1到\2" if zh else r"\1–\2", text)
    text = text.replace(";", "；" if zh else ";").replace("off", "休息" if zh else "closed")
    return text.replace(",", "、") if zh else text
