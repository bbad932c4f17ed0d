import pytest

from voice.stt.phrases import normalise, snap


def test_normalise() -> None:
    assert normalise("Yes, please!") == "yes please"
    assert normalise("ＯＫ。") == "ok"


@pytest.mark.parametrize(("text", "phrases", "language", "expected"), [
    ("Yes.", ["yes", "no"], "en", "yes"),
    ("yes please", ["yes", "no"], "en", "yes"),
    ("No, thank you.", ["yes", "no"], "en", "no"),
    ("是的。", ["是的", "不是"], "zh", "是的"),
    ("事的", ["是的", "不是"], "zh", "是的"),  # a homophone still lands (same pinyin)
    ("贵花村", ["桂花村", "青林镇"], "zh", "桂花村"),
    ("今天天气很好", ["是的", "不是"], "zh", ""),
    ("the weather is nice", ["yes", "no"], "en", ""),
    ("", ["yes"], "en", ""),
])
def test_snap(text: str, phrases: list[str], language: str, expected: str) -> None:
    assert snap(text, phrases, language)[0] == expected
