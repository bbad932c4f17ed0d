"""Voice: speech recognition, speech synthesis and telephony.

Public entry points (heavy libraries load only when used):

- :func:`start_voice` — at start-up: load the recogniser of each language (logged), build the
  voices, warm the prompt cache.
- :func:`voice.stt.files.transcribe_voice_note` — Telegram voice notes to text.
- :mod:`voice.audio`, :mod:`voice.vad`, :mod:`voice.speech_text`, :mod:`voice.prompts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careline.settings import Settings
    from voice.stt.registry import Recognizers
    from voice.tts.speaker import Speaker, WarmReport


@dataclass
class VoiceEngines:
    recognizers: Recognizers
    speaker: Speaker
    warm_report: WarmReport | None


@lru_cache(maxsize=1)
def default_recognizers() -> Recognizers:
    """The process's recognisers, from the settings (models load on first use)."""
    from careline.settings import get_settings
    from voice.stt.registry import Recognizers

    return Recognizers(get_settings())


def start_voice(settings: Settings | None = None, warm: bool = True) -> VoiceEngines:
    """Load what the hotline needs before the first call, and say which engine serves what."""
    from careline.settings import get_settings
    from voice.stt.registry import Recognizers
    from voice.tts.speaker import Speaker

    settings = settings or get_settings()
    recognizers = default_recognizers() if settings is get_settings() else Recognizers(settings)
    recognizers.load_all()
    speaker = Speaker(settings)
    return VoiceEngines(recognizers, speaker, speaker.warm() if warm else None)
