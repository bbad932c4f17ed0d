"""Fixed prompts of the hotline: the consultants' queue told in words a caller expects."""

from __future__ import annotations

import pytest

from voice.prompts import prompt_text, queue_prompt


@pytest.mark.parametrize(("position", "en", "zh"), [
    (1, "You are next", "您是下一位"),
    (2, "There is one caller ahead of you. The wait is about 6 minutes.", "您前面还有一位，大约要等6分钟"),
    (4, "There are 3 callers ahead of you. The wait is about 12 minutes.", "您前面还有3位，大约要等12分钟"),
])
def test_the_queue_is_told_with_the_right_number_and_words(position: int, en: str, zh: str) -> None:
    key, values = queue_prompt(position, 3.0)
    assert en in prompt_text(key, "en", **values)
    assert zh in prompt_text(key, "zh", **values)
