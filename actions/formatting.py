"""Dates, times, money, distances and opening hours said the way people say them."""

from __future__ import annotations

import datetime as dt

from knowledge import hours
from knowledge.text import person_name
from knowledge.wording import RELATIVE_DAYS, WEEKDAYS, amount_text, clock, day, describe_booking, moment, money

# shared with the hub and the console, which do not import from actions/
__all__ = ["RELATIVE_DAYS", "WEEKDAYS", "amount_text", "clock", "day", "describe_booking", "moment", "money",
           "person_name"]


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
    from actions.texts import t

    if hours.is_open(expression, now):
        return t("point_open_now", lang)
    upcoming = hours.next_change(expression, now)
    if upcoming is None:
        return t("point_closed", lang)
    return t("point_closed_now", lang, next=moment(upcoming, lang, now.date()))


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
