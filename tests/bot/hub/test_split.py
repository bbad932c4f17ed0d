"""Texts too long for a channel are cut after sentences (Chinese and English), else at spaces,
else between characters, and nothing is lost."""

from __future__ import annotations

from bot.channels.telegram.deliverer import utf16_length
from bot.hub.split import split_text


def test_a_short_text_is_one_part() -> None:
    assert split_text("您好。Hello.", 20) == ["您好。Hello."]


def test_chinese_and_english_texts_are_cut_after_whole_sentences() -> None:
    text = "老人可以申请高龄津贴。每月发放！需要带身份证吗？需要。 It is paid monthly. Bring your ID! Is that all? Yes."
    assert split_text(text, 20) == ["老人可以申请高龄津贴。每月发放！", "需要带身份证吗？需要。", "It is paid monthly.",
                                    "Bring your ID!", "Is that all? Yes."]


def test_decimals_do_not_end_a_sentence() -> None:
    assert split_text("The meal costs 3.5 yuan. It is subsidised.", 30) == ["The meal costs 3.5 yuan.",
                                                                            "It is subsidised."]


def test_a_sentence_too_long_alone_is_cut_at_spaces_then_between_characters() -> None:
    assert split_text("one two three four five six", 10) == ["one two", "three four", "five six"]
    assert split_text("一二三四五六七八九十", 4) == ["一二三四", "五六七八", "九十"]


def test_telegram_counts_utf16_units() -> None:
    text = "🙂" * 3000  # 6,000 UTF-16 units, 3,000 characters
    parts = split_text(text, 4096, utf16_length)
    assert len(parts) == 2 and all(utf16_length(p) <= 4096 for p in parts) and "".join(parts) == text
