"""Which recogniser serves which language: Vosk where a valid model folder is configured, the
packaged Whisper base otherwise. The choice is logged once at start-up."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from careline.logging import get_logger
from careline.settings import Settings
from voice.errors import EngineUnavailableError
from voice.languages import LANGUAGES, check_language
from voice.stt.base import Recognizer
from voice.stt.models import check_vosk_model, packaged_whisper_available, whisper_model_dir

log = get_logger("voice.stt")


@dataclass(frozen=True)
class RecognizerChoice:
    language: str
    engine: str  # "vosk" | "whisper"
    model: str
    reason: str  # "configured" | "default" | "vosk_model_invalid"


def _vosk_setting(settings: Settings, language: str) -> Path | None:
    return settings.vosk_model_zh if language == "zh" else settings.vosk_model_en


def choose(settings: Settings, language: str) -> RecognizerChoice:
    """Decide without loading anything (cheap: for ``careline models`` and start-up logs)."""
    check_language(language)
    configured = _vosk_setting(settings, language)
    if configured is not None:
        if not check_vosk_model(configured):
            return RecognizerChoice(language, "vosk", str(configured), "configured")
        reason = "vosk_model_invalid"
    else:
        reason = "default"
    model = str(settings.whisper_model_dir) if settings.whisper_model_dir else "whisper-base (packaged)"
    return RecognizerChoice(language, "whisper", model, reason)


class Recognizers:
    """The recogniser of each language, loaded on first use or all at once by :meth:`load_all`.

    The Whisper model is multilingual: both languages share one loaded model.
    """

    def __init__(self, settings: Settings, short_window_seconds: float = 0.0) -> None:
        """``short_window_seconds``: Whisper decodes turns up to this long in a shortened window
        (the hotline's turns; :func:`voice.stt.whisper.short_window_decode`)."""
        self.settings = settings
        self.short_window_seconds = short_window_seconds
        self._loaded: dict[str, Recognizer] = {}
        self._lock = threading.Lock()

    def get(self, language: str) -> Recognizer:
        check_language(language)
        with self._lock:
            if language not in self._loaded:
                self._loaded[language] = self._build(choose(self.settings, language))
            return self._loaded[language]

    def load_all(self) -> dict[str, Recognizer]:
        for language in LANGUAGES:
            recognizer = self.get(language)
            choice = choose(self.settings, language)
            log.info("speech_recognizer", language=language, engine=recognizer.describe(), reason=choice.reason)
        return dict(self._loaded)

    def _build(self, choice: RecognizerChoice) -> Recognizer:
        settings = self.settings
        if choice.reason == "vosk_model_invalid":
            problems = check_vosk_model(_vosk_setting(settings, choice.language) or Path())
            log.warning("vosk_model_invalid", language=choice.language,
                        problems=[p.key for p in problems], fallback="whisper")
        if choice.engine == "vosk":
            from voice.stt.vosk import VoskRecognizer

            return VoskRecognizer(choice.language, Path(choice.model), settings.stt_max_segment_seconds)
        if settings.whisper_model_dir is None and not packaged_whisper_available():
            raise EngineUnavailableError(engine="whisper", reason="no Vosk model configured and no packaged model")
        from voice.stt.whisper import WhisperRecognizer

        return WhisperRecognizer(
            choice.language, whisper_model_dir(settings.whisper_model_dir, settings.var_dir),
            threads=settings.stt_threads, max_segment_seconds=settings.stt_max_segment_seconds,
            vad_aggressiveness=settings.vad_aggressiveness, short_window_seconds=self.short_window_seconds,
        )
