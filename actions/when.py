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


def parse_when(text: str, now: dt.datetime) -> When | None:
    """The first date (and time) in ``text``, relative to ``now``; None when there is none."""
    text = (text or "").strip()[:200]
    if not text:
        return None
    if has_cjk(text):
        return _parse_zh(text, now)
    return _parse_en(text, now)


def _parse_zh(text: str, now: dt.datetime) -> When | None:
    jio = _jionlp()
    try:
        with redirect_stdout(io.StringIO()):
            found = jio.ner.extract_time(text, time_base=now.timestamp(), with_parsing=True)
    except Exception:  # jionlp raises on odd inputs; no date is the honest answer
        return None
    for item in found:
        detail = item.get("detail") or {}
        if detail.get("type") not in {"time_point", "time_span"}:
            continue
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
            return When(start.date(), hour, start.minute)
        return When(start.date())
    return None


def _parse_en(text: str, now: dt.datetime) -> When | None:
    settings = {"RELATIVE_BASE": now.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
                "RETURN_AS_TIMEZONE_AWARE": False}
    cleaned = re.sub(r"\b(on|at|for|this|coming|please|around|about)\b", " ", text, flags=re.IGNORECASE)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    ordinal = re.fullmatch(r"(the )?(\d{1,2})(st|nd|rd|th)", cleaned, flags=re.IGNORECASE)
    if ordinal:  # "the 5th": the next 5th of a month
        day = int(ordinal.group(2))
        candidate = now.date()
        for _ in range(62):
            if candidate.day == day:
                return When(candidate)
            candidate += dt.timedelta(days=1)
        return None
    result = None
    try:
        from dateparser.search import search_dates

        result = dateparser.parse(cleaned, languages=["en"], settings=settings)
        if result is None:
            hits = search_dates(cleaned, languages=["en"], settings=settings) or []
            result = hits[0][1] if hits else None
    except Exception:  # dateparser raises on odd inputs; no date is the honest answer
        return None
    if result is None:
        return None
    said_time = bool(re.search(r"(\d\s*(am|pm|a\.m\.|p\.m\.|o'?clock)|\d:\d\d|noon|morning|afternoon|evening)",
                               text, re.IGNORECASE))
    if said_time:
        return When(result.date(), result.hour, result.minute)
    return When(result.date())
