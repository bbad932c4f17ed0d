"""Opening hours: `PH off` closes a point on the public holidays of the configured country."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from careline.settings import get_settings
from knowledge import hours

OFFICE = "Mo-Fr 09:00-17:00; PH off"
NATIONAL_DAY = dt.datetime(2026, 10, 1, 10, 0)  # a Thursday
ORDINARY_THURSDAY = dt.datetime(2026, 10, 15, 10, 0)


@pytest.fixture
def country(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_a_point_closed_on_holidays_is_closed_on_national_day(country: pytest.MonkeyPatch) -> None:
    assert not hours.is_open(OFFICE, NATIONAL_DAY)
    assert hours.is_open(OFFICE, ORDINARY_THURSDAY)
    assert hours.next_change(OFFICE, NATIONAL_DAY).date() > NATIONAL_DAY.date()


def test_without_a_holiday_country_no_day_is_a_holiday(country: pytest.MonkeyPatch) -> None:
    country.setenv("CARELINE_HOLIDAY_COUNTRY", "")
    get_settings.cache_clear()
    assert hours.is_open(OFFICE, NATIONAL_DAY)


def test_another_countrys_holidays(country: pytest.MonkeyPatch) -> None:
    country.setenv("CARELINE_HOLIDAY_COUNTRY", "GB")
    get_settings.cache_clear()
    assert hours.is_open(OFFICE, NATIONAL_DAY)
    assert not hours.is_open(OFFICE, dt.datetime(2026, 12, 28, 10, 0))  # Boxing Day, substitute Monday
