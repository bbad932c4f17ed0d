"""gTTS, unchanged, against a local stand-in of Google Translate's TTS endpoint."""

from __future__ import annotations

import time

import pytest

from tests.standins.gtts_server import GttsServer, closed_port_url
from voice.errors import SynthesisError
from voice.stt.base import Recognizer
from voice.stt.phrases import normalise
from voice.tts.gtts import GttsSynthesizer


@pytest.fixture(scope="module")
def server():  # noqa: ANN201
    with GttsServer() as running:
        yield running


def test_speaks_sentence_by_sentence_in_the_real_protocol(server: GttsServer) -> None:
    server.requests.clear()
    synth = GttsSynthesizer(server.url, timeout=5)
    parts = list(synth.stream("您好。请拨打13812345678。", "zh", rate=1.0, sample_rate=8000))
    assert len(parts) == 2
    assert all(p.sample_rate == 8000 and p.seconds > 0.5 and p.engine == "gtts" for p in parts)
    assert [r.lang for r in server.requests] == ["zh-CN", "zh-CN"]
    assert server.requests[1].text == "请拨打幺三八，幺二三四，五六七八。"  # said the way people say it
    assert not server.requests[0].slow


def test_slow_rate_asks_for_the_slow_voice(server: GttsServer) -> None:
    server.requests.clear()
    slow = GttsSynthesizer(server.url, timeout=5).synthesize("Hello.", "en", rate=0.7)
    normal = GttsSynthesizer(server.url, timeout=5).synthesize("Hello.", "en", rate=1.0)
    assert [r.slow for r in server.requests] == [True, False]
    assert slow.seconds > normal.seconds


def test_the_mp3_is_decoded_to_real_speech(server: GttsServer, whisper_en: Recognizer) -> None:
    speech = GttsSynthesizer(server.url, timeout=5).synthesize("Thank you for calling.", "en", 1.0, 16000)
    assert "thank you" in normalise(whisper_en.transcribe(speech.pcm, 16000).text)


def test_errors_become_synthesis_errors() -> None:
    for mode in ({"status": 500}, {"status": 429}, {"no_audio": True}):
        with GttsServer(**mode) as failing, pytest.raises(SynthesisError) as error:
            GttsSynthesizer(failing.url, timeout=3).synthesize("Hello.", "en")
        assert "gtts" in error.value.say("zh")
    with pytest.raises(SynthesisError):
        GttsSynthesizer(closed_port_url(), timeout=3).synthesize("Hello.", "en")


def test_a_slow_service_is_abandoned_at_the_timeout() -> None:
    with GttsServer(delay=3.0) as slow:
        started = time.monotonic()
        with pytest.raises(SynthesisError):
            GttsSynthesizer(slow.url, timeout=0.5).synthesize("Hello.", "en")
        assert time.monotonic() - started < 1.0
