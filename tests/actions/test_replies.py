"""Short answers read without the model: which language someone asks for."""

from __future__ import annotations

import pytest

from actions.formatting import hours_text, person_name
from actions.replies import language_asked


@pytest.mark.parametrize(("text", "current", "expected"), [
    ("我听不懂英文，说中文", "en", "zh"),
    ("please speak chinese, 我听不懂英文", "en", "zh"),
    ("我不会说英语", "en", "zh"),
    ("讲普通话吧 英语我不懂", "zh", "zh"),
    ("英语不行 讲中文", "en", "zh"),
    ("speak English please", "zh", "en"),
    ("I don't understand chinese", "zh", "en"),
    ("english not chinese", "zh", "en"),
    ("can you say it in Chinese", "en", "zh"),
])
def test_the_language_named_and_not_refused(text: str, current: str, expected: str) -> None:
    assert language_asked(text, None, current) == expected


def test_without_a_language_named_the_model_then_a_switch() -> None:
    assert language_asked("换一个", "en", "zh") == "en"
    assert language_asked("换一个", None, "zh") == "en"
    assert language_asked("other one please", None, "en") == "zh"


@pytest.mark.parametrize(("spec", "zh", "en"), [
    ("Mo-Fr 09:00-16:00", "周一到周五 9:00到16:00", "Mon–Fri 9:00–16:00"),
    ("Tu,Sa 09:00-12:00", "周二、周六 9:00到12:00", "Tue, Sat 9:00–12:00"),
])
def test_opening_hours_are_said_in_words(spec: str, zh: str, en: str) -> None:
    assert hours_text(spec, "zh") == zh and hours_text(spec, "en") == en


@pytest.mark.parametrize(("name", "english"), [("何树林", "He Shulin"), ("Margaret Ho (何美玲)", "Margaret Ho"),
                                               ("Arthur Bennett", "Arthur Bennett")])
def test_names_in_english(name: str, english: str) -> None:
    assert person_name(name, "en") == english and person_name(name, "zh") == name
