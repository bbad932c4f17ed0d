"""Whole recordings to text: Telegram voice notes (OGG/Opus) and other audio files."""

from __future__ import annotations

from careline.logging import get_logger
from voice.audio import decode_audio
from voice.stt.base import Recognizer, Transcript
from voice.stt.registry import Recognizers

log = get_logger("voice.stt.files")


def transcribe_audio(data: bytes, recognizer: Recognizer, max_seconds: float = 300.0) -> tuple[Transcript, bool]:
    """Decode ``data`` (any common audio file) and recognise it with ``recognizer``.

    Returns the transcript and whether the recording was cut at ``max_seconds``. Raises
    :class:`voice.errors.UndecodableAudioError` for data that is not audio.
    """
    decoded = decode_audio(data, rate=16000, max_seconds=max_seconds)
    transcript = recognizer.transcribe(decoded.pcm, 16000)
    log.info("voice_note_transcribed", language=recognizer.language, engine=recognizer.name,
             seconds=round(decoded.seconds, 1), truncated=decoded.truncated, chars=len(transcript.text),
             confidence=None if transcript.confidence is None else round(transcript.confidence, 2))
    return transcript, decoded.truncated


def transcribe_voice_note(data: bytes, language: str, recognizers: Recognizers | None = None) -> str:
    """Text of a voice note (Telegram OGG/Opus or any common audio file) in ``language`` (zh/en).

    Uses the same recogniser as the hotline. Empty string when the note holds no speech; notes
    longer than ``CARELINE_VOICE_NOTE_MAX_SECONDS`` are transcribed up to that point. Raises
    :class:`voice.errors.UnsupportedLanguageError` / :class:`voice.errors.UndecodableAudioError`
    (both carry ``.say(language)`` for a reply to the sender).
    """
    from voice import default_recognizers

    registry = recognizers or default_recognizers()
    transcript, _ = transcribe_audio(data, registry.get(language), registry.settings.voice_note_max_seconds)
    return transcript.text
