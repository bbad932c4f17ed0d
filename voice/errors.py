"""Errors of the speech engines, each with a message in Mandarin and English.

A caller that shows an error to a person uses :meth:`VoiceError.say`; logs get the error's class
name and ``key``, never audio content or transcripts.
"""

from __future__ import annotations

from typing import Any

from careline.catalogue import N_, say

LOG_LANGUAGE = "en"  # of the exception's own message, for logs and tracebacks


class VoiceError(Exception):
    """Base of every error the speech engines raise on purpose."""

    key = N_("voice.error.engine_unavailable")

    def __init__(self, **params: Any) -> None:
        self.params = params
        super().__init__(self.say(LOG_LANGUAGE))

    def say(self, language: str) -> str:
        """The message for a person, in ``language`` (see :func:`careline.catalogue.language`)."""
        return say(self.key, language, **self.params)


class UnsupportedLanguageError(VoiceError, ValueError):
    key = N_("voice.error.unsupported_language")


class UnsupportedSampleRateError(VoiceError, ValueError):
    key = N_("voice.error.unsupported_rate")


class BadAudioError(VoiceError, ValueError):
    key = N_("voice.error.bad_pcm")


class UndecodableAudioError(VoiceError, ValueError):
    key = N_("voice.error.undecodable")


class EngineUnavailableError(VoiceError, RuntimeError):
    key = N_("voice.error.engine_unavailable")


class ModelInvalidError(VoiceError, ValueError):
    key = N_("voice.error.model_invalid")


class SynthesisError(VoiceError, RuntimeError):
    key = N_("voice.error.synthesis_failed")
