"""Opening hours in OpenStreetMap syntax (``Mo-Fr 08:00-17:00``), via the opening-hours library."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import opening_hours


@lru_cache(maxsize=4096)
def parse(expression: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(expression)


def is_open(expression: str, at: dt.datetime) -> bool:
    return bool(parse(expression).is_open(at.replace(tzinfo=None)))


def next_change(expression: str, at: dt.datetime) -> dt.datetime | None:
    return parse(expression).next_change(at.replace(tzinfo=None))
