"""A change of language and a request in one message are two turns for the engine."""

from __future__ import annotations

import pytest

from bot.channels.language_requests import split_language_request


@pytest.mark.parametrize(("said", "switch", "rest"), [
    ("我用中文说吧，他能不能订午饭", "我用中文说吧", "他能不能订午饭"),
    ("说普通话吧。我妈能领高龄津贴吗？", "说普通话吧。", "我妈能领高龄津贴吗？"),
    ("In English please, what can my mum get?", "In English please", "what can my mum get?"),
    ("can you book lunch for tomorrow? Speak English please", "Speak English please",
     "can you book lunch for tomorrow?"),
    ("换成英文，明天有什么活动", "换成英文", "明天有什么活动"),
])
def test_a_change_of_language_and_a_request_are_split(said: str, switch: str, rest: str) -> None:
    assert split_language_request(said) == (switch, rest)


@pytest.mark.parametrize("said", [
    "我用中文说吧", "can you speak English please", "我听不懂英文，说中文", "is the menu in English?",
    "你好，请问明天有什么活动", "说中文，好", "I don't understand, English please, English",
])
def test_nothing_else_is_split(said: str) -> None:
    assert split_language_request(said) is None
