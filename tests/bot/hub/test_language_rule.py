"""The rule that decides a conversation's language (bot/hub/language.py), on its own."""

from __future__ import annotations

import pytest

from bot.hub.language import LanguageState, decide, script_language
from bot.hub.messages import Kind


@pytest.mark.parametrize(("text", "expected"), [
    ("附近有没有老年食堂", "zh"),
    ("我妈八十三了，能领高龄津贴吗？", "zh"),
    ("明天10点，3个人！", "zh"),
    ("咕噜咕噜 🙂", "zh"),
    ("what activities are there tomorrow?", "en"),
    ("Book me for 10 am, please.", "en"),
    ("café crème", "en"),
    ("ｔａｉ ｃｈｉ", "en"),  # full-width Latin letters
    ("taiji mingtian", "en"),  # pinyin is written in Latin letters
    ("太极 tomorrow morning", None),  # mixed: the current language stays
    ("我想book一个lunch", None),
    ("ok", None),  # too short to say anything ("ok" and "hi" are common in Chinese chat)
    ("hi", None),
    ("yes", "en"),
    ("12345", None),
    ("", None),
    ("   ", None),
    ("🙂👍", None),
    ("こんにちは", None),
    ("привет", None),
])
def test_the_script_of_a_message(text: str, expected: str | None) -> None:
    assert script_language(text) == expected


EN, ZH = LanguageState("en", channel="en"), LanguageState("zh", channel="zh")


@pytest.mark.parametrize(("state", "channel", "text", "kind", "expected"), [
    # the script decides typed text, in both directions
    (EN, "en", "附近有没有老年食堂", Kind.TEXT, LanguageState("zh", False, "en")),
    (ZH, "zh", "where is the nearest canteen", Kind.TEXT, LanguageState("en", False, "zh")),
    # a mixed message, digits, a button, a key and speech keep the current language
    (LanguageState("zh", False, "en"), "en", "太极 tomorrow morning", Kind.TEXT, LanguageState("zh", False, "en")),
    (EN, "en", "2", Kind.TEXT, EN),
    (EN, "en", "是", Kind.CHOICE, EN),
    (ZH, "zh", "1", Kind.DIGIT, ZH),
    (ZH, "zh", "OK thanks bye", Kind.SPEECH, ZH),  # recognised in the call's language
    # a language the person chose stays, whatever they type
    (LanguageState("zh", True, "en"), "en", "what activities are there", Kind.TEXT, LanguageState("zh", True, "en")),
    (LanguageState("en", True, "zh"), "zh", "附近有没有老年食堂", Kind.TEXT, LanguageState("en", True, "zh")),
    # the channel switching (a caller pressed 2 for English) is the person's choice
    (ZH, "en", "1", Kind.DIGIT, LanguageState("en", True, "en")),
    (LanguageState("en", True, "en"), "zh", "hello there", Kind.TEXT, LanguageState("zh", True, "zh")),
    # a channel that says nothing changes nothing; a first word from it is remembered
    (EN, None, "hello there", Kind.TEXT, EN),
    (LanguageState("zh"), "zh", "你好", Kind.TEXT, LanguageState("zh", False, "zh")),
])
def test_the_decision(state: LanguageState, channel: str | None, text: str, kind: Kind,
                      expected: LanguageState) -> None:
    assert decide(state, channel, text, kind) == expected
