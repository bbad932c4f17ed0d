"""The one clock: the districts' local date even when the machine's clock is in another zone,
and a start that tests and demonstrations set, shared by every process given the same anchor."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from collections.abc import Iterator

import pytest

from careline import clock
from careline.settings import get_settings


@pytest.fixture
def fresh_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    clock.reset()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()
    clock.reset()


def test_local_time_is_the_districts_not_the_machines(fresh_clock: pytest.MonkeyPatch) -> None:
    fresh_clock.setenv("CARELINE_TIMEZONE", "Asia/Shanghai")
    expected = dt.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((clock.local_now() - expected).total_seconds()) < 5
    assert clock.local_now("Europe/London").utcoffset() is None  # naive local wall time


def test_a_set_clock_starts_at_its_anchor_and_runs_on(fresh_clock: pytest.MonkeyPatch) -> None:
    fresh_clock.setenv("CARELINE_TIMEZONE", "Asia/Shanghai")
    fresh_clock.setenv("CARELINE_CLOCK_START", "2026-12-06T23:59:30")
    fresh_clock.setenv("CARELINE_CLOCK_ANCHOR", repr(time.time() - 60))
    now = clock.local_now()
    assert dt.datetime(2026, 12, 7, 0, 0, 25) <= now <= dt.datetime(2026, 12, 7, 0, 0, 40), now
    assert clock.local_today() == dt.date(2026, 12, 7)
    assert clock.local_now("UTC").date() == dt.date(2026, 12, 6)


def test_stored_utc_times_read_as_local(fresh_clock: pytest.MonkeyPatch) -> None:
    fresh_clock.setenv("CARELINE_TIMEZONE", "Asia/Shanghai")
    assert clock.from_utc(dt.datetime(2026, 12, 6, 20, 25)) == dt.datetime(2026, 12, 7, 4, 25)
    assert clock.from_utc(dt.datetime(2026, 12, 6, 20, 25), "Europe/London") == dt.datetime(2026, 12, 6, 20, 25)
