"""When gTTS is down or slow, the offline voice answers in the same turn."""

from __future__ import annotations

import time

from structlog.testing import capture_logs

from tests.standins.gtts_server import GttsServer, closed_port_url
from voice.tts.espeak import EspeakSynthesizer
from voice.tts.fallback import FallbackSynthesizer
from voice.tts.gtts import GttsSynthesizer


def test_online_voice_is_used_while_it_answers(espeak: EspeakSynthesizer) -> None:
    with GttsServer() as server:
        chain = FallbackSynthesizer(GttsSynthesizer(server.url, 3.0), espeak)
        assert [p.engine for p in chain.stream("您好。请稍等。", "zh", 0.85, 8000)] == ["gtts", "gtts"]


def test_down_service_falls_back_at_once_and_stays_offline(espeak: EspeakSynthesizer) -> None:
    chain = FallbackSynthesizer(GttsSynthesizer(closed_port_url(), 3.0), espeak, retry_after=60)
    started = time.monotonic()
    with capture_logs() as logs:
        parts = list(chain.stream("您好。请稍等。正在为您转接。", "zh", 0.85, 8000))
    assert [p.engine for p in parts] == ["espeak"] * 3
    assert all(p.seconds > 0.3 for p in parts)
    assert time.monotonic() - started < 3
    assert [e["event"] for e in logs].count("tts_fallback") == 1  # one failure, then offline directly
    assert "text" not in logs[0] and "您好" not in str(logs)


def test_slow_service_answers_offline_within_the_timeout(espeak: EspeakSynthesizer) -> None:
    with GttsServer(delay=5.0) as slow:
        chain = FallbackSynthesizer(GttsSynthesizer(slow.url, 0.8), espeak, retry_after=60)
        started = time.monotonic()
        first = next(chain.stream("Hello. One moment please.", "en", 0.85, 8000))
        assert first.engine == "espeak"
        assert time.monotonic() - started < 0.8 + 0.5
        assert not chain.primary_up


def test_online_voice_is_tried_again_after_the_pause(espeak: EspeakSynthesizer) -> None:
    with GttsServer(status=500) as server:
        chain = FallbackSynthesizer(GttsSynthesizer(server.url, 2.0), espeak, retry_after=0.2)
        assert chain.synthesize("Hello.", "en").engine == "espeak"
        server.status = 200
        assert chain.synthesize("Hello.", "en").engine == "espeak"  # still within the pause
        time.sleep(0.25)
        assert chain.synthesize("Hello.", "en").engine == "gtts"
