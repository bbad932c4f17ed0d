"""Dates, times, money, distances and opening hours said the way people say them."""

from __future__ import annotations

import datetime as dt

from careline.catalogue import N_, say
from knowledge import hours
from knowledge.text import person_name
from knowledge.wording import RELATIVE_DAYS, WEEKDAYS, amount_text, clock, day, describe_booking, moment, money

# shared with the hub and the console, which do not import from actions/
__all__ = ["RELATIVE_DAYS", "WEEKDAYS", "amount_text", "clock", "day", "describe_booking", "moment", "money",
           "person_name"]

#: OpenStreetMap's day codes as said
DAY_CODES = {"Mo": N_("actions.day.mo"), "Tu": N_("actions.day.tu"), "We": N_("actions.day.we"),
             "Th": N_("actions.day.th"), "Fr": N_("actions.day.fr"), "Sa": N_("actions.day.sa"),
             "Su": N_("actions.day.su"), "PH": N_("actions.day.ph")}


def distance(metres: float, lang: str) -> str:
    if metres < 1000:
        return say("actions.metres", lang, n=max(10, int(round(metres / 10.0)) * 10))
    return say("actions.km", lang, n=f"{metres / 1000:.1f}".rstrip("0").rstrip("."))


def listing(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def opening_state(expression: str, now: dt.datetime, lang: str) -> str:
    if hours.is_open(expression, now):
        return say("actions.point_open_now", lang)
    upcoming = hours.next_change(expression, now)
    if upcoming is None:
        return say("actions.point_closed", lang)
    return say("actions.point_closed_now", lang, next=moment(upcoming, lang, now.date()))




def hours_text(expression: str, lang: str) -> str:
    """Opening hours as people say them: "Mo-Fr 09:00-16:00" is 周一到周五 9:00到16:00."""
    import re

    zh = lang == "zh"

    def days(found: re.Match[str]) -> str:
        names = [say(DAY_CODES[code], lang) for code in re.findall(r"Mo|Tu|We|Th|Fr|Sa|Su|PH", found.group(0))]
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
