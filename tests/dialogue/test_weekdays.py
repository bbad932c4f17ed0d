"""Read-backs of a day said by weekday, with the assistant's clock on each day of the week, on
both sides of local midnight, and at a month and a year end (the action server is restarted with
its clock set; the rule itself: README, "Days of the week")."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator

import pytest

from tests.dialogue.conftest import Elders, Servers, texts
from tests.dialogue.test_conversations import MAPLE_EN, MAPLE_ZH

pytestmark = pytest.mark.long

EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ZH_WEEKDAYS = "一二三四五六日"
NEAR = {0: ("今天", "today"), 1: ("明天", "tomorrow"), 2: ("后天", "the day after tomorrow")}


def _clocks(first: dt.date) -> list[dt.datetime]:
    monday = first - dt.timedelta(days=first.weekday())
    week = [dt.datetime.combine(monday + dt.timedelta(days=d), dt.time(10, 0)) for d in range(7)]
    sunday_night = dt.datetime.combine(monday + dt.timedelta(days=6), dt.time(23, 58))
    monday_night = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0, 2))
    month_end = dt.datetime.combine(first.replace(day=calendar.monthrange(first.year, first.month)[1]),
                                    dt.time(23, 58))
    year_end = dt.datetime(first.year, 12, 31, 23, 58)
    return [*week, sunday_night, monday_night, month_end, year_end]


def _said(day: dt.date, today: dt.date, lang: str) -> str:
    """How a read-back names ``day``: a near day by its name, any other by date and weekday."""
    if (day - today).days in NEAR:
        return NEAR[(day - today).days][0 if lang == "zh" else 1]
    if lang == "zh":
        return f"{day.month}月{day.day}日（星期{ZH_WEEKDAYS[day.weekday()]}）"
    return f"{EN_WEEKDAYS[day.weekday()]} {day.day} {day.strftime('%B')}"


def _next_weeks_monday(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)


@pytest.fixture(scope="module")
def original_clock(servers: Servers) -> Iterator[dt.date]:
    """The servers' own clock, put back after this module."""
    before = (servers.clock_start, servers.clock_anchor)
    yield servers.now().date()
    servers.clock_start, servers.clock_anchor = before
    servers.stop_actions()
    servers.start_actions()


@pytest.fixture(scope="module", params=range(11), ids=["mon", "tue", "wed", "thu", "fri", "sat", "sun",
                                                        "sun-23:58", "mon-00:02", "month-end", "year-end"])
def clock_at(request: pytest.FixtureRequest, servers: Servers, original_clock: dt.date) -> dt.datetime:
    start = _clocks(original_clock)[request.param]
    servers.set_clock(start)
    return start


def test_a_plain_weekday_is_the_next_one_after_today(servers: Servers, sender: str, elders: Elders,
                                                     clock_at: dt.datetime) -> None:
    today = servers.now().date()
    for weekday in (0, today.weekday(), (today.weekday() + 1) % 7):
        expected = today + dt.timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
        offer = texts(servers.say(f"{sender}-{weekday}", f"could a volunteer visit me on {EN_WEEKDAYS[weekday]} "
                                  "at 10", elder=elders.new("smith"), **MAPLE_EN))
        assert f"{_said(expected, today, 'en')} at 10 am" in offer, (clock_at, offer)


def test_next_monday_is_the_monday_of_next_week_in_both_languages(servers: Servers, sender: str, elders: Elders,
                                                                  clock_at: dt.datetime) -> None:
    today = servers.now().date()
    monday = _next_weeks_monday(today)
    offer = texts(servers.say(f"{sender}-en", "could a volunteer visit me next Monday at 3pm",
                              elder=elders.new("smith"), **MAPLE_EN))
    assert f"{_said(monday, today, 'en')} at 3 pm" in offer, (clock_at, offer)
    offer = texts(servers.say(f"{sender}-zh", "我想请人下周一上午十点上门理发", elder=elders.new("wang"), **MAPLE_ZH))
    assert _said(monday, today, "zh") in offer and "对吗" in offer, (clock_at, offer)
