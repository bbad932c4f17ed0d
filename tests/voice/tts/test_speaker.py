"""Fixed prompts: warmed into the cache at start-up, played from it even when gTTS is unreachable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from careline.settings import Settings
from tests.standins.gtts_server import GttsServer, closed_port_url
from voice.prompts import PROMPTS, has_fields, prompt_text
from voice.tts.cache import PromptCache, cache_key
from voice.tts.espeak import EspeakSynthesizer
from voice.tts.gtts import GttsSynthesizer
from voice.tts.piper import PiperSynthesizer
from voice.tts.speaker import Speaker

#: prompts with fields ({ahead}) are made when said, never cached
CACHED = [key for key in PROMPTS if not has_fields(key)]


def _speaker(settings: Settings, tmp: Path, url: str, espeak: EspeakSynthesizer, piper: PiperSynthesizer,
             rate: float = 0.85) -> Speaker:
    settings = settings.model_copy(update={"var_dir": tmp, "voice_rate": rate, "tts_retry_after": 60.0})
    online = GttsSynthesizer(url, timeout=2.0)
    return Speaker(settings, {"zh": (online, espeak), "en": (online, piper)})


def test_warm_up_makes_every_prompt_once_and_survives_gtts_going_down(
        voice_settings: Settings, tmp_path: Path, espeak: EspeakSynthesizer, piper: PiperSynthesizer) -> None:
    with GttsServer() as server:
        speaker = _speaker(voice_settings, tmp_path, server.url, espeak, piper)
        report = speaker.warm()
        assert report.made == 2 * 2 * len(CACHED)  # online and offline, both languages
        assert report.engines == {"gtts": 2 * len(CACHED), "espeak": len(CACHED), "piper": len(CACHED)}
        assert speaker.warm().made == 0
    files = list((tmp_path / "cache" / "prompts").rglob("*.wav"))
    assert len(files) == 4 * len(CACHED)
    assert not list((tmp_path / "cache" / "prompts").rglob(".tmp-*"))

    # the service is gone: the prompts gTTS made are still played, without waiting for it
    down = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper)
    started = time.monotonic()
    for language in ("zh", "en"):
        for key in CACHED:
            speech = down.prompt(key, language, sample_rate=8000)
            assert speech.engine == "gtts" and speech.sample_rate == 8000 and speech.seconds > 0.5
    assert time.monotonic() - started < 2


def test_with_gtts_unreachable_from_the_start_the_offline_voice_fills_the_cache(
        voice_settings: Settings, tmp_path: Path, espeak: EspeakSynthesizer, piper: PiperSynthesizer) -> None:
    speaker = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper)
    with capture_logs() as logs:
        report = speaker.warm()
    assert report.engines == {"espeak": len(CACHED), "piper": len(CACHED)}
    assert sum(1 for e in logs if e["event"] == "tts_warm_failed") <= 2  # then gTTS is left alone
    assert speaker.prompt("goodbye", "zh").engine == "espeak"
    assert speaker.prompt("goodbye", "en").engine == "piper"


def test_rate_voice_and_text_are_part_of_the_key(
        voice_settings: Settings, tmp_path: Path, espeak: EspeakSynthesizer, piper: PiperSynthesizer) -> None:
    assert len({cache_key("espeak", "cmn-latn-pinyin", 0.85, "好"), cache_key("espeak", "cmn-latn-pinyin", 0.7, "好"),
                cache_key("espeak", "en-us", 0.85, "好"), cache_key("piper", "cmn-latn-pinyin", 0.85, "好"),
                cache_key("espeak", "cmn-latn-pinyin", 0.85, "好的")}) == 5
    fast = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper, rate=1.0).prompt("one_moment", "en")
    slow = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper, rate=0.7).prompt("one_moment", "en")
    assert slow.seconds > fast.seconds * 1.2


def test_a_damaged_cache_file_is_made_again(
        voice_settings: Settings, tmp_path: Path, espeak: EspeakSynthesizer, piper: PiperSynthesizer) -> None:
    speaker = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper)
    first = speaker.prompt("goodbye", "zh", 16000)
    path = PromptCache(tmp_path / "cache" / "prompts").path("espeak", "cmn-latn-pinyin", 0.85,
                                                            prompt_text("goodbye", "zh"))
    path.write_bytes(b"RIFF broken")
    again = speaker.prompt("goodbye", "zh", 16000)
    assert abs(len(again.pcm) - len(first.pcm)) < 100
    assert path.read_bytes()[:4] == b"RIFF" and path.stat().st_size > 1000


def test_unknown_prompt_or_language(voice_settings: Settings, tmp_path: Path, espeak: EspeakSynthesizer,
                                    piper: PiperSynthesizer) -> None:
    speaker = _speaker(voice_settings, tmp_path, closed_port_url(), espeak, piper)
    with pytest.raises(KeyError):
        speaker.prompt("no_such_prompt", "zh")
    from voice.errors import UnsupportedLanguageError

    with pytest.raises(UnsupportedLanguageError):
        speaker.prompt("goodbye", "fr")
