"""One turn's audio to text, in the call's language, told what to expect at a confirmation.

The recogniser is the process's (:class:`voice.stt.registry.Recognizers`: Vosk where a model is
configured, the packaged Whisper base otherwise, with the hotline's shortened decoding window).
The language is always forced: Whisper's own detection fails on short and telephone speech.
Before the caller's language is known, the turn is decoded in both and the likelier kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.call import CALL_RATE
from voice.hotline.expect import yes_no_intent, yes_no_phrases
from voice.stt.base import Transcript
from voice.stt.registry import Recognizers

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Heard:
    text: str
    language: str
    confidence: float | None
    intent: str | None = None
    """``/affirm`` or ``/deny`` when a yes/no phrase was heard at a confirmation."""
    last_word: float | None = None
    """How sure the recogniser is of the last word (see :func:`voice.hotline.turns.sounds_unfinished`)."""

    @property
    def empty(self) -> bool:
        return not self.text.strip()


class Ears:
    def __init__(self, recognizers: Recognizers) -> None:
        self.recognizers = recognizers

    def hear(self, pcm: bytes, language: str | None, yes_no: bool = False) -> Heard:
        """Blocking (run it in a thread)."""
        if language is None:
            return self._either(pcm)
        recognizer = self.recognizers.get(language)
        if yes_no:
            said = recognizer.transcribe(pcm, CALL_RATE, phrases=yes_no_phrases(language))
            if not said.empty:
                return Heard(said.text, language, said.confidence, yes_no_intent(said.text, language))
        said = recognizer.transcribe(pcm, CALL_RATE)
        return Heard(said.text, language, said.confidence, last_word=said.last_word)

    def _either(self, pcm: bytes) -> Heard:
        """Decode as Mandarin and as English; Mandarin wins only with Chinese characters and the
        better confidence."""
        zh: Transcript = self.recognizers.get("zh").transcribe(pcm, CALL_RATE)
        en: Transcript = self.recognizers.get("en").transcribe(pcm, CALL_RATE)
        zh_score = (zh.confidence or 0.0) if _CJK.search(zh.text) else -1.0
        en_score = (en.confidence or 0.0) if re.search(r"[A-Za-z]", en.text) else -1.0
        if zh_score < 0 and en_score < 0:
            return Heard("", "zh", None)
        best = zh if zh_score > en_score else en
        return Heard(best.text, best.language, best.confidence, last_word=best.last_word)
