"""Synthesised prompts on disk, keyed by engine, voice, rate and text.

A file's name is the SHA-256 of its key, so any change of text, voice or rate makes a new entry
and stale ones are never played. Files are WAV at 16 kHz (resampled on the way out to the rate a
caller asks for); they are written to a temporary file in the same folder and renamed, so a
reader never sees half a file, even with several processes warming the same cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from voice.audio import read_wav, resample, wav_bytes
from voice.errors import UndecodableAudioError
from voice.tts.base import Speech

CACHE_RATE = 16000


def cache_key(engine: str, voice: str, rate: float, text: str) -> str:
    material = "\x1f".join((engine, voice, f"{rate:.3f}", text))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class PromptCache:
    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def path(self, engine: str, voice: str, rate: float, text: str) -> Path:
        key = cache_key(engine, voice, rate, text)
        return self.directory / key[:2] / f"{key}.wav"

    def get(self, engine: str, voice: str, rate: float, text: str, sample_rate: int = CACHE_RATE) -> Speech | None:
        path = self.path(engine, voice, rate, text)
        try:
            pcm, stored_rate = read_wav(path.read_bytes())
        except (FileNotFoundError, UndecodableAudioError):
            return None
        return Speech(resample(pcm, stored_rate, sample_rate), sample_rate, engine, voice)

    def put(self, text: str, rate: float, speech: Speech) -> Path:
        path = self.path(speech.engine, speech.voice, rate, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = wav_bytes(resample(speech.pcm, speech.sample_rate, CACHE_RATE), CACHE_RATE)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".wav")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return path
