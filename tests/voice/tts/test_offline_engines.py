from __future__ import annotations

import pytest

from voice.errors import UnsupportedLanguageError
from voice.tts.espeak import EspeakSynthesizer
from voice.tts.piper import PiperSynthesizer
from voice.tts.sentences import split_sentences


def test_espeak_speaks_both_languages_slower_at_a_lower_rate(espeak: EspeakSynthesizer) -> None:
    for language, text in (("zh", "请您再说一遍。"), ("en", "Please say it again.")):
        normal = espeak.synthesize(text, language, 1.0, 16000)
        slow = espeak.synthesize(text, language, 0.7, 16000)
        assert normal.seconds > 0.5
        assert slow.seconds > normal.seconds * 1.2
    assert espeak.voice("zh") == "cmn-latn-pinyin"


def test_piper_english_at_telephone_rate(piper: PiperSynthesizer) -> None:
    # Piper draws each sound's length at random: over a short sentence the slow rendering came out
    # 1.17-1.41 times as long (8 tries), over this one 1.25-1.34
    sentence = "Please say it again, slowly and clearly, so that I can write it down."
    normal = piper.synthesize(sentence, "en", 1.0, 8000)
    slow = piper.synthesize(sentence, "en", 0.7, 8000)
    assert normal.sample_rate == 8000 and normal.seconds > 2.0
    assert slow.seconds > normal.seconds * 1.15
    with pytest.raises(UnsupportedLanguageError):
        piper.synthesize("您好", "zh")


def test_first_sentence_comes_before_the_rest_are_made(piper: PiperSynthesizer) -> None:
    made: list[str] = []
    original = piper.render

    def spy(sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        made.append(sentence)
        return original(sentence, language, rate)

    piper.render = spy  # type: ignore[method-assign]
    try:
        stream = piper.stream("One. Two. Three.", "en", 1.0, 8000)
        next(stream)
        assert made == ["One."]
    finally:
        del piper.render


def test_empty_or_punctuation_only_text_is_silence(espeak: EspeakSynthesizer) -> None:
    assert espeak.synthesize("", "zh").pcm == b""
    assert espeak.synthesize("。。！", "zh").pcm == b""


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("您好。请问有什么可以帮您？", "zh", ["您好。", "请问有什么可以帮您？"]),
    ("It starts at nine a.m. today. Bring your card!", "en", ["It starts at nine a.m. today.", "Bring your card!"]),
    ("Twelve point five percent.", "en", ["Twelve point five percent."]),
])
def test_sentences(text: str, language: str, expected: list[str]) -> None:
    assert split_sentences(text, language) == expected


def test_long_sentences_are_cut_at_commas() -> None:
    text = "，".join(["我们社区的助餐点每天中午十一点开门"] * 6) + "。"
    parts = split_sentences(text, "zh")
    assert len(parts) > 1 and all(len(p) <= 60 for p in parts)
    assert "".join(parts) == text
