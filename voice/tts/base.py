"""What every speech synthesiser offers: text + language + rate → 16-bit PCM, sentence by sentence.

An engine implements :meth:`Synthesizer.render` for one sentence at its own sample rate; the
base class rewrites the text for speaking (:mod:`voice.speech_text`), splits it into sentences,
resamples to the rate the caller asks for and yields one :class:`Speech` a sentence, so the
first sentence can be played while the next one is made.

``rate`` is a speaking-rate factor: 1.0 is the voice's normal pace, below 1 slower (elders:
``CARELINE_VOICE_RATE``, 0.85 by default).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from dataclasses import dataclass

from voice.audio import check_rate, resample
from voice.errors import UnsupportedLanguageError
from voice.languages import check_language
from voice.speech_text import for_speaking
from voice.tts.sentences import split_sentences


@dataclass(frozen=True)
class Speech:
    pcm: bytes
    sample_rate: int
    engine: str
    voice: str

    @property
    def seconds(self) -> float:
        return len(self.pcm) / (2 * self.sample_rate)


class Synthesizer(abc.ABC):
    name: str = "synthesizer"
    languages: tuple[str, ...] = ("zh", "en")

    def check(self, language: str) -> str:
        check_language(language)
        if language not in self.languages:
            raise UnsupportedLanguageError(language=language)
        return language

    @abc.abstractmethod
    def voice(self, language: str) -> str:
        """The voice used for ``language``: part of the prompt cache key."""

    @abc.abstractmethod
    def render(self, sentence: str, language: str, rate: float) -> tuple[bytes, int]:
        """PCM of one sentence (already written for speaking) at the engine's own sample rate."""

    def render_sentence(self, sentence: str, language: str, rate: float, sample_rate: int) -> Speech:
        pcm, native = self.render(sentence, language, rate)
        return Speech(resample(pcm, native, sample_rate), sample_rate, self.name, self.voice(language))

    def stream(self, text: str, language: str, rate: float = 1.0, sample_rate: int = 16000) -> Iterator[Speech]:
        """One :class:`Speech` per sentence, made as the caller consumes them."""
        self.check(language)
        check_rate(sample_rate)
        for sentence in split_sentences(for_speaking(text, language), language):
            yield self.render_sentence(sentence, language, rate, sample_rate)

    def synthesize(self, text: str, language: str, rate: float = 1.0, sample_rate: int = 16000) -> Speech:
        """The whole text at once (prompts for the cache, tests)."""
        parts = list(self.stream(text, language, rate, sample_rate))
        engine = parts[0].engine if parts else self.name
        voice = parts[0].voice if parts else self.voice(language)
        return Speech(b"".join(p.pcm for p in parts), sample_rate, engine, voice)
