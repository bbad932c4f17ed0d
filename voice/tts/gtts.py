"""gTTS: Google Translate's online voice, the project's natural-sounding Mandarin and English.

gTTS posts each piece of text to ``https://translate.google.<tld>/_/TranslateWebserverUi/data/
batchexecute`` (the ``jQ1olc`` RPC) and gets base64 MP3 back. The host is configurable
(``CARELINE_GTTS_BASE_URL``): gTTS builds its URL from a fixed template with only the top-level
domain variable, so :class:`_RoutedGtts` rewrites the prepared requests to the configured base.
Tests point it at a local stand-in that answers in the same format.

Each sentence must come back within ``timeout`` seconds, enforced as a deadline around the whole
request (a server that trickles bytes cannot hold a turn); :class:`voice.tts.fallback.
FallbackSynthesizer` then lets the offline voice answer. The MP3 is decoded by PyAV.
"""

from __future__ import annotations

import concurrent.futures
from typing import Any

from gtts import gTTS
from gtts.tts import gTTSError

from voice.audio import decode_audio
from voice.errors import SynthesisError
from voice.tts.base import Synthesizer

LANG_CODES = {"zh": "zh-CN", "en": "en"}
_PATH = "/_/TranslateWebserverUi/data/batchexecute"
#: gTTS has two speeds only; rates at or below this use its slow one.
SLOW_BELOW = 0.75
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="gtts")


class _RoutedGtts(gTTS):  # type: ignore[misc]
    def __init__(self, *args: Any, base_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_url = base_url.rstrip("/")

    def _prepare_requests(self) -> list[Any]:
        prepared = super()._prepare_requests()
        for request in prepared:
            request.prepare_url(self.base_url + _PATH, None)
        return prepared


class GttsSynthesizer(Synthesizer):
    name = "gtts"
    languages = ("zh", "en")

    def __init__(self, base_url: str = "https://translate.google.com", timeout: float = 3.0) -> None:
        self.base_url = base_url
        self.timeout = timeout

    def voice(self, language: str) -> str:
        return f"gtts-{LANG_CODES[language]}"

    def _fetch(self, sentence: str, language: str, slow: bool) -> bytes:
        tts = _RoutedGtts(sentence, lang=LANG_CODES[language], slow=slow, lang_check=False,
                          timeout=self.timeout, base_url=self.base_url)
        return b"".join(tts.stream())

    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        future = _POOL.submit(self._fetch, sentence, language, rate <= SLOW_BELOW)
        try:
            mp3 = future.result(timeout=self.timeout)
        except concurrent.futures.TimeoutError as error:
            future.cancel()
            raise SynthesisError(engine=self.name) from error
        except (gTTSError, OSError, ValueError, AssertionError) as error:
            raise SynthesisError(engine=self.name) from error
        decoded = decode_audio(mp3, rate=24000)
        if not decoded.pcm:
            raise SynthesisError(engine=self.name)
        return decoded.pcm, decoded.rate
