"""Dates and times as people say them, in Mandarin (jionlp) and English (dateparser)."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from contextlib import redirect_stdout
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import dateparser

from knowledge.text import has_cjk

logging.getLogger("dateparser").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _jionlp() -> Any:
    with redirect_stdout(io.StringIO()):  # it prints a banner on import
        import jionlp
    return jionlp


@dataclass(frozen=True)
class When:
    """A day, and a time of day when one was said (``hour`` None means any time that day)."""

    date: dt.date
    hour: int | None = None
    minute: int = 0

    def at(self, default_hour: int = 9) -> dt.datetime:
        return dt.datetime.combine(self.date, dt.time(self.hour if self.hour is not None else default_hour,
                                                      self.minute))


_PM_WORDS = re.compile(r"(下午|晚上|傍晚|中午|\bpm\b|p\.m\.|afternoon|evening|tonight)", re.IGNORECASE)
_AM_WORDS = re.compile(r"(上午|早上|早晨|凌晨|清早|一早|早|\bam\b|a\.m\.|morning)", re.IGNORECASE)
# Spoken half-days jionlp does not know: 下半天两点 is 下午两点.
_ZH_HALF_DAYS = [(re.compile(r"下半天|下半晌|下晌|后晌|过晌"), "下午"),
                 (re.compile(r"上半天|上半晌|上晌|前晌"), "上午"), (re.compile(r"晌午"), "中午")]
# Nobody books a visit for 2 am: an hour from 1 to 6 said without a morning word is afternoon.
LAST_AFTERNOON_HOUR = 6


def _afternoon_unless_morning(hour: int, said: str) -> int:
    if 1 <= hour <= LAST_AFTERNOON_HOUR and not _AM_WORDS.search(said):
        return hour + 12
    return hour


# Weekdays are read here, not by jionlp or dateparser, so that one rule holds in both languages
# (README, "Days of the week"). Weeks run Monday to Sunday, as Chinese weeks do.
_ZH_DAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_ZH_WEEKDAY = re.compile(r"(?<![一二两三几每0-9])(下下|下|这|本|今|上)?(?:个)?"
                         r"(?:周|星期|礼拜|週)([一二三四五六日天末1-7])")
_JIONLP_WEEKDAY = re.compile(r"(?:周|星期|礼拜|週)[一二三四五六日天1-7]")
_EN_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_DAY = r"(monday|tuesday|tues|wednesday|weds|thursday|thurs|friday|saturday|sunday)"
_EN_WEEKDAY = re.compile(
    r"\b(?:(?P<pre_week>next week|this week|the week after next)\s+(?:on\s+)?" + _EN_DAY.replace("(", "(?P<d1>", 1)
    + r"|(?:(?P<which>next|this coming|this|coming|the coming|last)\s+)?" + _EN_DAY.replace("(", "(?P<d2>", 1)
    + r"(?:\s+(?P<post_week>after next|next week|this week))?)\b", re.IGNORECASE)


_ZH_WEEK = re.compile(r"(下下|下|这|本|今)(?:个)?(?:周|星期|礼拜|週)(?![一二三四五六日天末1-7])")
_EN_WEEK = re.compile(r"\b(?:(this|next|coming|the coming) week|(the week after next))\b", re.IGNORECASE)


def week_said(text: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The whole week a message names without naming a day of it ("这个星期有什么活动", "下周",
    "what's on next week"): its Monday and the Monday after. None when a day is named ("下周三",
    "next week on Friday", "这周末") or no week is."""
    if _ZH_WEEKDAY.search(text) or _EN_WEEKDAY.search(text):
        return None
    weeks = None
    zh = _ZH_WEEK.search(text)
    if zh is not None:
        weeks = {"下下": 2, "下": 1}.get(zh.group(1), 0)
    else:
        en = _EN_WEEK.search(text)
        if en is not None:
            weeks = 2 if en.group(2) else 1 if en.group(1).lower() == "next" else 0
    if weeks is None:
        return None
    monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7 * weeks)
    return monday, monday + dt.timedelta(days=7)


def weekday_date(which: str, weekday: int, today: dt.date) -> dt.date:
    """The day a weekday names, said ``today``.

    - plain ("Monday", "周一"): the next such day after today, 1 to 7 days on; said on a Monday,
      "Monday" is a week later (people say "today"/"今天" for today);
    - ``this`` ("this Monday", "这周一", "本周一"): that day of the current week if it is today or
      later, else the next such day;
    - ``next`` ("next Monday", "下周一", "Monday next week"): that day of next week, so said on a
      Sunday it is tomorrow, said on a Monday a week later;
    - ``after_next`` ("下下周一"): that day of the week after next; ``last`` ("上周一"): of last week.
    """
    monday = today - dt.timedelta(days=today.weekday())
    if which == "this":
        day = monday + dt.timedelta(days=weekday)
        return day if day >= today else day + dt.timedelta(days=7)
    weeks = {"next": 1, "after_next": 2, "last": -1}.get(which)
    if weeks is not None:
        return monday + dt.timedelta(days=7 * weeks + weekday)
    return today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _zh_weekday(text: str, today: dt.date) -> tuple[dt.date, re.Match[str]] | None:
    found = _ZH_WEEKDAY.search(text)
    if found is None or (found.group(2) == "末" and "周末" not in found.group(0)):
        return None
    which = {"下": "next", "下下": "after_next", "这": "this", "本": "this", "今": "this", "上": "last"}.get(
        found.group(1) or "", "plain")
    return weekday_date(which, _ZH_DAYS[found.group(2)], today), found


def _en_weekday(text: str, today: dt.date) -> tuple[dt.date, re.Match[str]] | None:
    found = _EN_WEEKDAY.search(text)
    if found is None:
        return None
    name = (found.group("d1") or found.group("d2")).lower()[:3]
    week = (found.group("pre_week") or found.group("post_week") or "").lower()
    prefix = (found.group("which") or "").lower()
    if week in ("the week after next", "after next"):
        which = "after_next"
    elif week == "next week" or prefix == "next":
        which = "next"
    elif prefix == "last":
        which = "last"
    elif week == "this week" or prefix in ("this", "this coming", "coming", "the coming"):
        which = "this"
    else:
        which = "plain"
    return weekday_date(which, _EN_DAYS[name], today), found


def parse_when(text: str, now: dt.datetime) -> When | None:
    """The first date (and time) in ``text``, relative to ``now``; None when there is none."""
    text = (text or "").strip()[:200]
    if not text:
        return None
    if has_cjk(text):
        return _parse_zh(text, now)
    return _parse_en(text, now)


def _parse_zh(text: str, now: dt.datetime) -> When | None:
    for spoken, plain in _ZH_HALF_DAYS:
        text = spoken.sub(plain, text)
    weekday = _zh_weekday(text, now.date())
    if weekday is not None:  # jionlp then reads the time of day beside an explicit date
        day, found = weekday
        text = f"{text[:found.start()]}{day.year}年{day.month}月{day.day}日{text[found.end():]}"
    jio = _jionlp()
    try:
        with redirect_stdout(io.StringIO()):
            found = jio.ner.extract_time(text, time_base=now.timestamp(), with_parsing=True)
    except Exception:  # jionlp raises on odd inputs; no date is the honest answer
        return None
    for item in found:
        detail = item.get("detail") or {}
        if detail.get("type") not in {"time_point", "time_span"} or _JIONLP_WEEKDAY.search(item.get("text", "")):
            continue  # a weekday our own rule did not take ("一周一次") is no day
        start_text = (detail.get("time") or [None])[0]
        if not start_text or not isinstance(start_text, str):
            continue
        start = dt.datetime.strptime(start_text, "%Y-%m-%d %H:%M:%S")
        said_time = bool(re.search(r"(点|时|:|：|上午|下午|中午|晚上|早上|傍晚)", item.get("text", "")))
        if said_time:
            hour = start.hour
            if detail.get("definition") == "blur" and hour < 9:  # "上午" starts at 7; people mean 9
                hour = 9
            if hour < 12 and _PM_WORDS.search(item.get("text", "")) and hour != 0:
                hour += 12
            return When(start.date(), _afternoon_unless_morning(hour, item.get("text", "")), start.minute)
        return When(start.date())
    return None


_EN_NUMBERS = {w: n for n, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven",
                                            "eight", "nine", "ten", "eleven", "twelve"])}
_EN_HOUR = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_EN_TIME = re.compile(
    r"\b(?:" + _EN_HOUR + r"(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'?clock)"
    r"|(\d{1,2})[:.](\d{2})"
    r"|(noon|midday)"
    r"|(half past|quarter past|quarter to) " + _EN_HOUR +
    r"|at " + _EN_HOUR + r"(?![:.]\d)(?!\s*(?:st|nd|rd|th)\b))\b", re.IGNORECASE)
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_MONTH_DAY = re.compile(r"\b(?:" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?|(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"
                        + _MONTH + r")\b", re.IGNORECASE)
_EN_PARTS = [(re.compile(r"\bmorning\b", re.I), 9), (re.compile(r"\b(?:afternoon|after lunch)\b", re.I), 14),
             (re.compile(r"\b(?:evening|tonight)\b", re.I), 18)]


def _en_hour(word: str) -> int:
    return int(word) if word.isdigit() else _EN_NUMBERS[word.lower()]


def _en_time(text: str) -> tuple[int, int, re.Match[str] | None] | None:
    """The time of day said (hour, minute, where), or a part of the day; None when neither."""
    found = _EN_TIME.search(text)
    if found is None:
        for part, hour in _EN_PARTS:
            if part.search(text):
                return hour, 0, None
        return None
    g = found.groups()
    if g[0]:
        hour, minute, marker = _en_hour(g[0]), int(g[1] or 0), g[2].lower().replace(".", "")
        if marker == "pm" and hour < 12:
            hour += 12
        elif marker == "am" and hour == 12:
            hour = 0
        elif marker.startswith("o"):
            hour = _afternoon_unless_morning(hour, text) if not _PM_WORDS.search(text) else hour % 12 + 12
    elif g[3]:
        hour, minute = int(g[3]), int(g[4])
    elif g[5]:
        hour, minute = 12, 0
    elif g[6]:
        base = _en_hour(g[7])
        hour, minute = {"half past": (base, 30), "quarter past": (base, 15)}.get(g[6].lower(), (base - 1, 45))
    else:
        hour, minute = _en_hour(g[8]), 0
    if not g[0] and hour < 12 and _PM_WORDS.search(text):
        hour += 12
    elif not g[0] and not g[3]:
        hour = _afternoon_unless_morning(hour, text)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return hour, minute, found


def _parse_en(text: str, now: dt.datetime, date_words: str | None = None) -> When | None:
    """The day from ``date_words`` (the model's date entity) or the text, the time from the text."""
    time = _en_time(text)
    rest = text
    if time is not None and time[2] is not None:
        rest = (text[:time[2].start()] + " " + text[time[2].end():]).strip()
    weekday = _en_weekday(date_words or rest, now.date()) or (_en_weekday(rest, now.date()) if date_words else None)
    day = weekday[0] if weekday is not None else _en_date(date_words or rest, now)
    if day is None and time is None:
        return None
    if day is None:
        day = now.date()
    return When(day, time[0], time[1]) if time is not None else When(day)


def _en_date(text: str, now: dt.datetime) -> dt.date | None:
    settings = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False}
    cleaned = re.sub(r"\b(on|at|for|this|coming|please|around|about|in the|morning|afternoon|evening|tonight)\b",
                     " ", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"[,;]", " ", cleaned)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned:
        return None
    month_day = _MONTH_DAY.search(cleaned)
    if month_day:  # "December 17th", "the 17th of December": the next such day
        month_word, day_text = (month_day.group(1), month_day.group(2)) if month_day.group(1) else \
            (month_day.group(4), month_day.group(3))
        month = _MONTHS.index(month_word.lower()[:3]) + 1
        for year in (now.year, now.year + 1):
            try:
                candidate = dt.date(year, month, int(day_text))
            except ValueError:
                return None
            if candidate >= now.date():
                return candidate
        return None
    ordinal = re.fullmatch(r"(the )?(\d{1,2})(st|nd|rd|th)", cleaned, flags=re.IGNORECASE)
    if ordinal:  # "the 5th": the next 5th of a month
        day = int(ordinal.group(2))
        candidate = now.date()
        for _ in range(62):
            if candidate.day == day:
                return candidate
            candidate += dt.timedelta(days=1)
        return None
    try:
        from dateparser.search import search_dates

        result = dateparser.parse(cleaned, languages=["en"], settings=settings)
        if result is None:
            hits = search_dates(cleaned, languages=["en"], settings=settings) or []
            result = hits[0][1] if hits else None
    except Exception:  # dateparser raises on odd inputs; no date is the honest answer
        return None
    return result.date() if result is not None else None


def parse_when_with(text: str, date_words: str | None, now: dt.datetime) -> When | None:
    """Like :func:`parse_when`, with the day taken from ``date_words`` when given (English)."""
    text = (text or "").strip()[:200]
    if has_cjk(text) or not date_words:
        return parse_when(text, now)
    return _parse_en(text, now, date_words)
