"""What every call of the process shares: the recognisers, the voice, the turn-end model.

They are loaded once, before the first call (:func:`load_engines`, called by the telephony side
at start-up), and read by each call session; a session never loads a model itself.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from careline.logging import get_logger
from careline.settings import Settings, get_settings
from voice.errors import EngineUnavailableError
from voice.hotline.hearing import Ears
from voice.hotline.smart_turn import SmartTurn
from voice.stt.registry import Recognizers
from voice.tts.speaker import Speaker

log = get_logger("voice.hotline")
_LOCK = threading.Lock()
_ENGINES: HotlineEngines | None = None


@dataclass
class HotlineEngines:
    settings: Settings
    ears: Ears
    speaker: Speaker
    turn_model: SmartTurn | None
    """None when the pipecat-ai wheel is missing: turns then end on the silence cap alone."""


def load_engines(settings: Settings | None = None, speaker: Speaker | None = None,
                 recognizers: Recognizers | None = None, warm: bool = True) -> HotlineEngines:
    """Load (or return) the process's engines; the first call's settings win."""
    global _ENGINES
    with _LOCK:
        if _ENGINES is None:
            settings = settings or get_settings()
            recognizers = recognizers or Recognizers(settings, short_window_seconds=settings.voice_short_window_seconds)
            recognizers.load_all()
            speaker = speaker or Speaker(settings)
            if warm:
                speaker.warm()
            try:
                turn_model: SmartTurn | None = SmartTurn()
            except EngineUnavailableError as error:
                log.warning("turn_model_unavailable", reason=str(error), fallback="silence_cap")
                turn_model = None
            _ENGINES = HotlineEngines(settings, Ears(recognizers), speaker, turn_model)
        return _ENGINES


def reset_engines() -> None:
    """Forget the loaded engines (tests that need other settings)."""
    global _ENGINES
    with _LOCK:
        _ENGINES = None
