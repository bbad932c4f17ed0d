"""The online voice with an offline stand-by: if gTTS fails or is slow, the offline engine says
the same sentence in the same turn, and keeps answering for ``retry_after`` seconds before gTTS
is tried again (so a dead network costs one timeout, not one per sentence)."""

from __future__ import annotations

import threading
import time

from careline.logging import get_logger
from voice.tts.base import Speech, Synthesizer

log = get_logger("voice.tts")


class FallbackSynthesizer(Synthesizer):
    def __init__(self, primary: Synthesizer, fallback: Synthesizer, retry_after: float = 60.0) -> None:
        self.primary = primary
        self.fallback = fallback
        self.retry_after = retry_after
        self.name = f"{primary.name}|{fallback.name}"
        self.languages = tuple(lang for lang in primary.languages if lang in fallback.languages)
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def primary_up(self) -> bool:
        return time.monotonic() >= self._down_until

    def mark_primary_down(self) -> None:
        """Use the offline voice for the next ``retry_after`` seconds."""
        with self._lock:
            self._down_until = time.monotonic() + self.retry_after

    def voice(self, language: str) -> str:
        return self.primary.voice(language)

    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:  # pragma: no cover
        raise NotImplementedError("FallbackSynthesizer renders through render_sentence")

    def render_sentence(self, sentence: str, language: str, rate: float, sample_rate: int) -> Speech:
        if self.primary_up:
            started = time.monotonic()
            try:
                return self.primary.render_sentence(sentence, language, rate, sample_rate)
            except Exception as error:  # noqa: BLE001 - any failure of the online voice means: go offline
                self.mark_primary_down()
                log.warning("tts_fallback", engine=self.primary.name, fallback=self.fallback.name,
                            error=type(error).__name__, waited_ms=round((time.monotonic() - started) * 1000),
                            retry_after_s=self.retry_after)
        return self.fallback.render_sentence(sentence, language, rate, sample_rate)
