"""Short answers read without the model: which language someone asks for."""

from __future__ import annotations

import pytest

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
