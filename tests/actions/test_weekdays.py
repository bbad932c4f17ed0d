"""What a weekday means on every day of the week, on both sides of local midnight, and across a
month and a year end (the rule: README, "Days of the week"; weeks run Monday to Sunday)."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.when import parse_when

# A whole week (Monday 7 December 2026 to Sunday 13 December), each day just after local
# midnight and just before the next one; and days whose weeks cross a month and a year end.
NOWS = [dt.datetime.combine(dt.date(2026, 12, 7) + dt.timedelta(days=d), t)
        for d in range(7) for t in (dt.time(0, 1), dt.time(23, 59))]
NOWS += [dt.datetime(2026, 11, 30, 9), dt.datetime(2026, 12, 31, 23, 59), dt.datetime(2027, 1, 3, 0, 1),
         dt.datetime(2028, 2, 27, 12), dt.datetime(2028, 12, 31, 8)]
ZH_DAYS = ["一", "二", "三", "四", "五", "六", "日"]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _day(said: str, now: dt.datetime) -> dt.date:
    found = parse_when(said, now)
    assert found is not None, (said, now)
    return found.date


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%a-%Y%m%d-%H%M"))
@pytest.mark.parametrize("weekday", range(7), ids=EN_DAYS)
def test_a_plain_weekday_is_the_next_such_day_after_today(now: dt.datetime, weekday: int) -> None:
    for said in (f"周{ZH_DAYS[weekday]}", f"星期{ZH_DAYS[weekday]}", EN_DAYS[weekday], f"on {EN_DAYS[weekday]}"):
        day = _day(said, now)
        assert day.weekday() == weekday and 1 <= (day - now.date()).days <= 7, (said, now, day)


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%a-%Y%m%d-%H%M"))
@pytest.mark.parametrize("weekday", range(7), ids=EN_DAYS)
def test_next_weekday_is_that_day_of_next_week(now: dt.datetime, weekday: int) -> None:
    for said in (f"下周{ZH_DAYS[weekday]}", f"下个星期{ZH_DAYS[weekday]}", f"下礼拜{ZH_DAYS[weekday]}",
                 f"next {EN_DAYS[weekday]}", f"{EN_DAYS[weekday]} next week", f"next week on {EN_DAYS[weekday]}"):
        day = _day(said, now)
        assert day.weekday() == weekday and _monday(day) == _monday(now.date()) + dt.timedelta(days=7), \
            (said, now, day)
    day = _day(f"下下周{ZH_DAYS[weekday]}", now)
    assert day.weekday() == weekday and _monday(day) == _monday(now.date()) + dt.timedelta(days=14)


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%a-%Y%m%d-%H%M"))
@pytest.mark.parametrize("weekday", range(7), ids=EN_DAYS)
def test_this_weekday_is_this_weeks_unless_it_is_past(now: dt.datetime, weekday: int) -> None:
    for said in (f"这周{ZH_DAYS[weekday]}", f"本周{ZH_DAYS[weekday]}", f"this {EN_DAYS[weekday]}"):
        day = _day(said, now)
        assert day.weekday() == weekday and 0 <= (day - now.date()).days <= 6, (said, now, day)
        if weekday >= now.weekday():
            assert _monday(day) == _monday(now.date()), (said, now, day)


@pytest.mark.parametrize("now", NOWS, ids=lambda n: n.strftime("%a-%Y%m%d-%H%M"))
def test_days_counted_from_today_follow_the_local_date(now: dt.datetime) -> None:
    today = now.date()
    assert _day("明天", now) == _day("tomorrow", now) == today + dt.timedelta(days=1)
    assert _day("后天上午十点", now) == today + dt.timedelta(days=2)
    assert _day("今天下午三点", now) == _day("today at 3pm", now) == today


@pytest.mark.parametrize(("said", "now", "expected"), [
    # Sunday just before midnight: next week starts tomorrow
    ("周一上午十点", dt.datetime(2026, 12, 13, 23, 59), (dt.date(2026, 12, 14), 10)),
    ("下周一上午十点", dt.datetime(2026, 12, 13, 23, 59), (dt.date(2026, 12, 14), 10)),
    ("next Monday at 10", dt.datetime(2026, 12, 13, 23, 59), (dt.date(2026, 12, 14), 10)),
    # Monday just after midnight: "Monday" is a week on, "this Monday" is today
    ("Monday at 10", dt.datetime(2026, 12, 14, 0, 1), (dt.date(2026, 12, 21), 10)),
    ("周一上午十点", dt.datetime(2026, 12, 14, 0, 1), (dt.date(2026, 12, 21), 10)),
    ("下周一下午两点", dt.datetime(2026, 12, 14, 0, 1), (dt.date(2026, 12, 21), 14)),
    ("this Monday at 3pm", dt.datetime(2026, 12, 14, 0, 1), (dt.date(2026, 12, 14), 15)),
    ("这周一下午三点", dt.datetime(2026, 12, 14, 0, 1), (dt.date(2026, 12, 14), 15)),
    # a year end and a month end
    ("周一上午九点", dt.datetime(2026, 12, 31, 23, 59), (dt.date(2027, 1, 4), 9)),
    ("next Friday at 2pm", dt.datetime(2026, 12, 31, 23, 59), (dt.date(2027, 1, 8), 14)),
    ("明天上午十点", dt.datetime(2026, 12, 31, 23, 59), (dt.date(2027, 1, 1), 10)),
    ("下周三", dt.datetime(2026, 11, 30, 9), (dt.date(2026, 12, 9), None)),
    ("Wednesday", dt.datetime(2026, 11, 30, 9), (dt.date(2026, 12, 2), None)),
    ("周一", dt.datetime(2028, 2, 27, 12), (dt.date(2028, 2, 28), None)),
    ("星期二", dt.datetime(2028, 2, 27, 12), (dt.date(2028, 2, 29), None)),
])
def test_day_and_hour_near_midnight_month_and_year_end(said: str, now: dt.datetime,
                                                       expected: tuple[dt.date, int | None]) -> None:
    found = parse_when(said, now)
    assert found is not None and (found.date, found.hour) == expected


@pytest.mark.parametrize("said", ["一周一次就够了", "每周一有吗", "I sat down on the bench"])
def test_week_words_that_name_no_day_are_not_read_as_one(said: str) -> None:
    found = parse_when(said, dt.datetime(2026, 12, 9, 10))
    assert found is None or found.date >= dt.date(2026, 12, 9), found
