"""What every speech recogniser offers: a loaded model that opens streams, one per turn or call.

A :class:`Recognizer` holds a loaded model for one language (models are big: load once, share).
:meth:`Recognizer.stream` opens a :class:`RecognitionStream` at a declared sample rate, optionally
limited to a phrase list (yes/no, digits, menu words, place names). The stream takes 16-bit mono
PCM of any length and returns partial results (the words so far, may still change) and final
results (a closed segment: text, confidence, start and end in seconds since the stream opened).
:meth:`RecognitionStream.finish` closes the turn and returns its last final result; the stream can
then take the next turn.

Transcripts can hold names and phone numbers: log their length and confidence, never the text.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from voice.audio import SAMPLE_WIDTH, check_pcm, check_rate, frames
from voice.languages import check_language


@dataclass(frozen=True)
class Transcript:
    text: str
    is_final: bool
    confidence: float | None
    """0..1 where the engine gives one (finals); None for partials or unknown."""
    start: float
    end: float
    language: str
    engine: str
    last_word: float | None = None
    """How sure the engine is of the last word, 0..1, where it says (Whisper's short turns)."""

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def join_text(parts: Iterable[str], language: str) -> str:
    """Join segment texts: no space between Mandarin segments, one between English ones."""
    cleaned = [part.strip() for part in parts if part.strip()]
    return ("" if language == "zh" else " ").join(cleaned)


def combine(finals: Sequence[Transcript], language: str, engine: str, start: float, end: float) -> Transcript:
    """One final transcript from the finals of a turn; confidence weighted by segment length."""
    spoken = [t for t in finals if not t.empty]
    if not spoken:
        return Transcript("", True, None, start, end, language, engine)
    weights = [max(t.end - t.start, 0.01) for t in spoken]
    known = [(t.confidence, w) for t, w in zip(spoken, weights, strict=True) if t.confidence is not None]
    confidence = sum(c * w for c, w in known) / sum(w for _, w in known) if known else None
    return Transcript(join_text((t.text for t in spoken), language), True, confidence,
                      spoken[0].start, spoken[-1].end, language, engine, spoken[-1].last_word)


class RecognitionStream(abc.ABC):
    """One open recognition: feed audio as it arrives, read partial and final results."""

    def __init__(self, language: str, engine: str, sample_rate: int) -> None:
        self.language = check_language(language)
        self.engine = engine
        self.sample_rate = check_rate(sample_rate)
        self._samples = 0

    @property
    def seconds(self) -> float:
        """Audio fed so far, in seconds."""
        return self._samples / self.sample_rate

    def feed(self, pcm: bytes) -> list[Transcript]:
        """Take more audio; return the partial and final results it produced (often none)."""
        check_pcm(pcm)
        if not pcm:
            return []
        self._samples += len(pcm) // SAMPLE_WIDTH
        return self._feed(pcm)

    @abc.abstractmethod
    def _feed(self, pcm: bytes) -> list[Transcript]: ...

    @abc.abstractmethod
    def finish(self) -> Transcript:
        """End the turn: the final result of the audio not yet finalised (may be empty)."""


class Recognizer(abc.ABC):
    """A loaded speech model for one language."""

    name: str = "recognizer"
    #: True when partial results come while the caller speaks (Vosk); False when the engine only
    #: decodes at the end of a turn (Whisper).
    streaming: bool = True

    def __init__(self, language: str) -> None:
        self.language = check_language(language)

    @abc.abstractmethod
    def stream(self, sample_rate: int = 16000, phrases: Sequence[str] | None = None) -> RecognitionStream:
        """Open a stream; with ``phrases`` the result is one of them (or several in a row) or empty."""

    def transcribe(self, pcm: bytes, sample_rate: int = 16000, phrases: Sequence[str] | None = None,
                   chunk_ms: int = 200) -> Transcript:
        """Recognise a whole buffer: the finals of all its segments joined into one."""
        stream = self.stream(sample_rate, phrases)
        finals: list[Transcript] = []
        for frame in frames(check_pcm(pcm), sample_rate, chunk_ms):
            finals.extend(t for t in stream.feed(frame) if t.is_final)
        finals.append(stream.finish())
        return combine(finals, self.language, self.name, 0.0, stream.seconds)

    def describe(self) -> str:
        """What serves this language, for start-up logs and ``careline models``."""
        return self.name
