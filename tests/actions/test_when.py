"""Days and times as people say them, in both languages (the clock: Tuesday 24 November 2026, 9:00)."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.when import When, parse_when, parse_when_with

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
