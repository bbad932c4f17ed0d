"""Opening hours in OpenStreetMap syntax (``Mo-Fr 08:00-17:00; PH off``), via the opening-hours
library. ``PH`` (public holidays) is read with the holiday calendar of ``CARELINE_HOLIDAY_COUNTRY``
(China by default): without a country the library knows no holidays, and a point closed on
holidays would be said to be open on National Day."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import opening_hours

from careline.settings import get_settings


@lru_cache(maxsize=4096)
def _parse(expression: str, country: str) -> opening_hours.OpeningHours:
    return opening_hours.OpeningHours(expression, country=country or None)


def parse(expression: str) -> opening_hours.OpeningHours:
    return _parse(expression, get_settings().holiday_country)


def is_open(expression: str, at: dt.datetime) -> bool:
    return bool(parse(expression).is_open(at.replace(tzinfo=None)))


def next_change(expression: str, at: dt.datetime) -> dt.datetime | None:
    return parse(expression).next_change(at.replace(tzinfo=None))
