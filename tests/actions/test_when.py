"""Days and times as people say them, in both languages (the clock: Tuesday 24 November 2026, 9:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.when import When, parse_when, parse_when_with, week_said

NOW = dt.datetime(2026, 11, 24, 9, 0)


@pytest.mark.parametrize(("said", "expected"), [
    ("Monday at 10", When(dt.date(2026, 11, 30), 10)),
    ("Tuesday at 4 pm", When(dt.date(2026, 12, 1), 16)),
    ("saturday at 2:30 in the afternoon", When(dt.date(2026, 11, 28), 14, 30)),
    ("Thursday, 15:00", When(dt.date(2026, 11, 26), 15)),
    ("thursday at half past ten", When(dt.date(2026, 11, 26), 10, 30)),
    ("quarter to three tomorrow", When(dt.date(2026, 11, 25), 14, 45)),
    ("at 3 o'clock", When(dt.date(2026, 11, 24), 15)),
    ("tomorrow morning", When(dt.date(2026, 11, 25), 9)),
    ("no, the one on december 17th", When(dt.date(2026, 12, 17))),
    ("the 3rd of january", When(dt.date(2027, 1, 3))),
    ("明天两点", When(dt.date(2026, 11, 25), 14)),
    ("明天下半天两点钟", When(dt.date(2026, 11, 25), 14)),
    ("下个礼拜三下半天两点钟", When(dt.date(2026, 12, 2), 14)),
    ("后天早上八点半", When(dt.date(2026, 11, 26), 8, 30)),
    ("明天上午十点", When(dt.date(2026, 11, 25), 10)),
])
def test_day_and_time(said: str, expected: When) -> None:
    assert parse_when(said, NOW) == expected


def test_the_models_date_words_give_the_day_and_the_message_the_time() -> None:
    assert parse_when_with("my mum is 83, can someone come friday at 3pm", "friday", NOW) == \
        When(dt.date(2026, 11, 27), 15)
    assert parse_when("my mum is 83, can someone come friday at 3pm", NOW).date.year == 2026


@pytest.mark.parametrize("said", ["no the second one", "yes", "不是这个", "the other one", ""])
def test_no_day_in_it(said: str) -> None:
    assert parse_when(said, NOW) is None


@pytest.mark.parametrize(("said", "monday"), [
    ("这个星期有什么活动", "2026-12-07"), ("这周有什么活动", "2026-12-07"), ("本周的活动", "2026-12-07"),
    ("下个星期有什么活动", "2026-12-14"), ("下周有啥活动", "2026-12-14"), ("下下周呢", "2026-12-21"),
    ("what's on this week", "2026-12-07"), ("any activities next week?", "2026-12-14"),
    ("what about the week after next", "2026-12-21"),
])
def test_a_week_said_without_a_day_is_the_whole_week(said: str, monday: str) -> None:
    start, end = week_said(said, dt.date(2026, 12, 9))  # a Wednesday
    assert start.isoformat() == monday and (end - start).days == 7


@pytest.mark.parametrize("said", ["下周三有什么活动", "这周末有活动吗", "next week on Friday", "this Monday",
                                  "what's on tomorrow", "每周三都有吗"])
def test_a_day_of_a_week_is_not_the_whole_week(said: str) -> None:
    assert week_said(said, dt.date(2026, 12, 9)) is None
