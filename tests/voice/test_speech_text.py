import pytest

from voice.errors import UnsupportedLanguageError
from voice.speech_text import for_speaking


@pytest.mark.parametrize(("text", "said"), [
    ("1,200元", "一千二百元"),
    ("12.50元", "十二元五角"),
    ("3.05元", "三元零五分"),
    ("¥0.5", "五角"),
    ("每月300块", "每月三百块"),
    ("80%的老人", "百分之八十的老人"),
    ("2026年11月23日", "二零二六年十一月二十三日"),
    ("2026-11-23", "二零二六年十一月二十三日"),
    ("11月3号", "十一月三号"),
    ("14:30", "下午两点半"),
    ("下午2:30", "下午两点半"),
    ("9:05", "上午九点零五分"),
    ("8:00", "早上八点"),
    ("请拨打13812345678", "请拨打幺三八，幺二三四，五六七八"),
    ("电话 021-62345678", "电话 零二幺，六二三四五六七八"),
    ("拨打12345", "拨打幺二三四五"),
    ("2个人", "两个人"),
    ("85岁", "八十五岁"),
    ("1.5万元", "一点五万元"),
    ("卡号6222021234", "卡号六二二二零二一二三四"),
])
def test_mandarin(text: str, said: str) -> None:
    assert for_speaking(text, "zh") == said


@pytest.mark.parametrize(("text", "said"), [
    ("$12.50", "twelve dollars fifty"),
    ("$1", "one dollar"),
    ("$0.50", "fifty cents"),
    ("$3.05", "three dollars and five cents"),
    ("1,200元", "one thousand two hundred yuan"),
    ("¥1,200", "one thousand two hundred yuan"),
    ("80%", "eighty percent"),
    ("2026-11-23", "November twenty-third, twenty twenty-six"),
    ("on Nov 3", "on November third"),
    ("14:30", "two thirty in the afternoon"),
    ("9:00 am", "nine o'clock a.m."),
    ("9:05", "nine oh five in the morning"),
    ("call 13812345678", "call one three eight, one two three four, five six seven eight"),
    ("555-123-4567", "five five five, one two three, four five six seven"),
    ("dial 120", "dial one two zero"),
    ("3rd floor", "third floor"),
    ("since 2019", "since twenty nineteen"),
    ("2,500 places", "two thousand five hundred places"),
])
def test_english(text: str, said: str) -> None:
    assert for_speaking(text, "en") == said


def test_text_without_numbers_is_unchanged() -> None:
    assert for_speaking("您好，请问有什么可以帮您？", "zh") == "您好，请问有什么可以帮您？"
    assert for_speaking("Hello, how can I help?", "en") == "Hello, how can I help?"


def test_impossible_times_are_not_read_as_times() -> None:
    assert for_speaking("25:61", "en") == "twenty-five:sixty-one"
    assert for_speaking("25:61", "zh") == "二十五:六十一"


def test_unsupported_language() -> None:
    with pytest.raises(UnsupportedLanguageError) as error:
        for_speaking("1", "fr")
    assert "fr" in error.value.say("zh")
