"""Audio helpers: 16-bit PCM, resampling, G.711 (μ-law/A-law), WAV and compressed files.

Everything in ``voice`` passes audio as ``bytes`` of signed 16-bit little-endian mono PCM plus a
sample rate. Resampling is soxr (a maintained, high-quality resampler); G.711 is the standard
library's ``audioop`` (C, exact ITU tables); compressed files (Telegram's OGG/Opus voice notes,
MP3 from gTTS) are decoded by PyAV, FFmpeg's Python binding, whose wheels carry their own codecs.
"""

from __future__ import annotations

import io
import warnings
import wave
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import soxr

from voice.errors import BadAudioError, UndecodableAudioError, UnsupportedSampleRateError

with warnings.catch_warnings():  # deprecated in 3.11, removed in 3.13; the project pins 3.11
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

SAMPLE_WIDTH = 2
#: Rates the engines accept: telephony (8 kHz), speech models (16 kHz), Piper (22.05 kHz), media.
SUPPORTED_RATES = (8000, 16000, 22050, 24000, 32000, 44100, 48000)


def check_rate(rate: int) -> int:
    if rate not in SUPPORTED_RATES:
        raise UnsupportedSampleRateError(rate=rate, rates=", ".join(map(str, SUPPORTED_RATES)))
    return rate


def check_pcm(pcm: bytes) -> bytes:
    if len(pcm) % SAMPLE_WIDTH:
        raise BadAudioError(size=len(pcm))
    return pcm


def duration(pcm: bytes, rate: int) -> float:
    """Seconds of audio in ``pcm``."""
    return len(pcm) / (SAMPLE_WIDTH * rate)


def to_float(pcm: bytes) -> np.ndarray:
    """16-bit PCM to float32 in [-1, 1)."""
    return np.frombuffer(check_pcm(pcm), dtype="<i2").astype(np.float32) / 32768.0


def from_float(samples: np.ndarray) -> bytes:
    """float samples in [-1, 1] to 16-bit PCM, clipped rather than wrapped."""
    return (np.clip(samples, -1.0, 32767 / 32768) * 32768.0).astype("<i2").tobytes()


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Resample a whole buffer (soxr, high quality)."""
    check_rate(from_rate)
    check_rate(to_rate)
    if from_rate == to_rate or not pcm:
        return check_pcm(pcm)
    samples = np.frombuffer(check_pcm(pcm), dtype="<i2")
    return soxr.resample(samples, from_rate, to_rate, quality="HQ").astype("<i2").tobytes()


class StreamResampler:
    """Resample a stream frame by frame with no clicks at frame edges (soxr keeps the state)."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate = check_rate(from_rate)
        self.to_rate = check_rate(to_rate)
        self._stream = (
            None if from_rate == to_rate else soxr.ResampleStream(from_rate, to_rate, 1, dtype="int16")
        )

    def process(self, pcm: bytes, last: bool = False) -> bytes:
        if self._stream is None:
            return check_pcm(pcm)
        samples = np.frombuffer(check_pcm(pcm), dtype="<i2")
        return self._stream.resample_chunk(samples, last=last).astype("<i2").tobytes()


def ulaw_encode(pcm: bytes) -> bytes:
    """16-bit PCM to G.711 μ-law (one byte a sample), as telephone lines in China and the US carry."""
    return audioop.lin2ulaw(check_pcm(pcm), SAMPLE_WIDTH)


def ulaw_decode(data: bytes) -> bytes:
    return audioop.ulaw2lin(data, SAMPLE_WIDTH)


def alaw_encode(pcm: bytes) -> bytes:
    """16-bit PCM to G.711 A-law (the European and Chinese PSTN companding)."""
    return audioop.lin2alaw(check_pcm(pcm), SAMPLE_WIDTH)


def alaw_decode(data: bytes) -> bytes:
    return audioop.alaw2lin(data, SAMPLE_WIDTH)


def frames(pcm: bytes, rate: int, ms: int) -> Iterator[bytes]:
    """Split ``pcm`` into frames of ``ms`` milliseconds; the last one may be shorter."""
    size = rate * ms // 1000 * SAMPLE_WIDTH
    for start in range(0, len(pcm), size):
        yield pcm[start:start + size]


def silence(seconds: float, rate: int) -> bytes:
    return bytes(int(seconds * rate) * SAMPLE_WIDTH)


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """A WAV file holding mono 16-bit ``pcm``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(rate)
        out.writeframes(check_pcm(pcm))
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[bytes, int]:
    """PCM and rate of a 16-bit WAV; stereo is mixed down to mono."""
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            if source.getsampwidth() != SAMPLE_WIDTH:
                raise UndecodableAudioError()
            pcm = source.readframes(source.getnframes())
            if source.getnchannels() == 2:
                pcm = audioop.tomono(pcm, SAMPLE_WIDTH, 0.5, 0.5)
            elif source.getnchannels() != 1:
                raise UndecodableAudioError()
            return pcm, source.getframerate()
    except (wave.Error, EOFError) as error:
        raise UndecodableAudioError() from error


@dataclass(frozen=True)
class DecodedAudio:
    pcm: bytes
    rate: int
    truncated: bool
    """True when the file was longer than the limit and only its beginning was decoded."""

    @property
    def seconds(self) -> float:
        return duration(self.pcm, self.rate)


def decode_audio(data: bytes, rate: int = 16000, max_seconds: float | None = None) -> DecodedAudio:
    """Decode any common audio file (OGG/Opus, MP3, M4A, WAV, FLAC …) to mono PCM at ``rate``.

    Decoding stops after ``max_seconds`` so that a very long or hostile file cannot fill memory.
    """
    import av  # imported here: PyAV loads FFmpeg's libraries, which only decoding needs

    check_rate(rate)
    limit = None if max_seconds is None else int(max_seconds * rate) * SAMPLE_WIDTH
    chunks: list[bytes] = []
    size = 0
    truncated = False
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UndecodableAudioError()
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    chunks.append(bytes(out.planes[0])[: out.samples * SAMPLE_WIDTH])
                    size += len(chunks[-1])
                if limit is not None and size >= limit:
                    truncated = True
                    break
            if not truncated:
                for out in resampler.resample(None):
                    chunks.append(bytes(out.planes[0])[: out.samples * SAMPLE_WIDTH])
    except av.FFmpegError as error:
        raise UndecodableAudioError() from error
    pcm = b"".join(chunks)
    if limit is not None and len(pcm) > limit:
        pcm, truncated = pcm[:limit], True
    return DecodedAudio(pcm, rate, truncated)


def rms_dbfs(pcm: bytes) -> float:
    """Loudness in dBFS (-inf for silence); used to tell silence and clipping apart in logs."""
    if not pcm:
        return float("-inf")
    value = audioop.rms(check_pcm(pcm), SAMPLE_WIDTH)
    return float("-inf") if value == 0 else 20 * float(np.log10(value / 32768))
