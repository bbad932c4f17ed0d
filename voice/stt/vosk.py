"""Vosk (Kaldi) recogniser: true streaming, with a grammar at menus and confirmations.

Operators download the official small models (vosk-model-small-cn-0.22,
vosk-model-small-en-us-0.15, ~40 MB each) and point ``CARELINE_VOSK_MODEL_ZH`` / ``_EN`` at
them; see the README's Speech section. Vosk closes a segment by itself at a short pause (its
endpointer); the end of a caller's *turn* is decided by :mod:`voice.vad`, which waits longer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from careline.logging import get_logger
from voice.audio import SAMPLE_WIDTH, frames
from voice.errors import LOG_LANGUAGE, EngineUnavailableError
from voice.stt.base import RecognitionStream, Recognizer, Transcript
from voice.stt.models import check_vosk_model

log = get_logger("voice.stt.vosk")
_LOCK = threading.Lock()
_MODELS: dict[Path, Any] = {}
#: Vosk takes audio of any length, but finals inside one big chunk would be merged: feed slices.
_SLICE_MS = 200


def _load_model(path: Path) -> Any:
    """Load a model once per process (hundreds of MB); all streams of every call share it."""
    import vosk

    path = path.resolve()
    with _LOCK:
        if path not in _MODELS:
            problems = check_vosk_model(path)
            if problems:
                raise EngineUnavailableError(engine="vosk", reason="; ".join(p.say(LOG_LANGUAGE) for p in problems))
            vosk.SetLogLevel(-1)
            try:
                _MODELS[path] = vosk.Model(str(path))
            except Exception as error:  # the binding raises a bare Exception
                raise EngineUnavailableError(engine="vosk", reason=str(error)) from error
        return _MODELS[path]


def _grammar(model: Any, phrases: Sequence[str], language: str) -> list[str]:
    """The phrases written in the model's words; a Mandarin phrase the model does not know as one
    word is tried character by character. Phrases with unknown words are left out (Vosk would
    only warn), and "[unk]" is added where the model has it, so other speech is not forced onto
    a phrase."""
    def known(word: str) -> bool:
        return bool(model.vosk_model_find_word(word) != -1)

    grammar: list[str] = []
    for phrase in phrases:
        words = phrase.lower().split()
        if language == "zh" and not all(known(w) for w in words):
            words = [ch for ch in "".join(words)]
        if words and all(known(w) for w in words):
            grammar.append(" ".join(words))
    if grammar and known("[unk]"):
        grammar.append("[unk]")
    return grammar


class VoskRecognizer(Recognizer):
    name = "vosk"
    streaming = True

    def __init__(self, language: str, model_dir: Path, max_segment_seconds: float = 30.0) -> None:
        super().__init__(language)
        self.model_dir = Path(model_dir)
        self.model = _load_model(self.model_dir)
        self.max_segment_seconds = max_segment_seconds

    def stream(self, sample_rate: int = 16000, phrases: Sequence[str] | None = None) -> RecognitionStream:
        return VoskStream(self, sample_rate, phrases)

    def describe(self) -> str:
        return f"vosk ({self.model_dir.name})"


class VoskStream(RecognitionStream):
    def __init__(self, recognizer: VoskRecognizer, sample_rate: int, phrases: Sequence[str] | None) -> None:
        import vosk

        super().__init__(recognizer.language, recognizer.name, sample_rate)
        self._max_segment = recognizer.max_segment_seconds
        self.phrases = (_grammar(recognizer.model, phrases, recognizer.language) or None) if phrases else None
        if phrases and not self.phrases:
            log.warning("vosk_grammar_empty", phrases=len(phrases), note="no phrase in the model's vocabulary")
        if self.phrases:
            grammar = json.dumps(self.phrases, ensure_ascii=False)
            self._rec = vosk.KaldiRecognizer(recognizer.model, float(sample_rate), grammar)
        else:
            self._rec = vosk.KaldiRecognizer(recognizer.model, float(sample_rate))
        self._rec.SetWords(True)
        self._segment_start = 0.0
        self._fed_seconds = 0.0
        self._last_partial = ""

    def _feed(self, pcm: bytes) -> list[Transcript]:
        results: list[Transcript] = []
        for piece in frames(pcm, self.sample_rate, _SLICE_MS):
            self._fed_seconds += len(piece) / (SAMPLE_WIDTH * self.sample_rate)
            if self._rec.AcceptWaveform(piece):
                results.append(self._final(json.loads(self._rec.Result())))
            elif self._fed_seconds - self._segment_start >= self._max_segment:
                # no pause for too long (noise, a monologue): close the segment to bound memory
                results.append(self._final(json.loads(self._rec.FinalResult())))
            else:
                partial = self._clean(json.loads(self._rec.PartialResult()).get("partial", ""))
                if partial and partial != self._last_partial:
                    self._last_partial = partial
                    results.append(Transcript(partial, False, None, self._segment_start, self._fed_seconds,
                                              self.language, self.engine))
        return results

    def finish(self) -> Transcript:
        final = self._final(json.loads(self._rec.FinalResult()))
        return final

    def _clean(self, text: str) -> str:
        words = [w for w in text.split() if w != "[unk]"]
        return ("" if self.language == "zh" else " ").join(words)

    def _final(self, result: dict[str, Any]) -> Transcript:
        words = [w for w in result.get("result", []) if w.get("word") != "[unk]"]
        text = self._clean(result.get("text", ""))
        start = words[0]["start"] if words else self._segment_start
        end = words[-1]["end"] if words else self._fed_seconds
        confidence = sum(w.get("conf", 0.0) for w in words) / len(words) if words and text else None
        self._segment_start = self._fed_seconds
        self._last_partial = ""
        return Transcript(text, True, confidence, start, end, self.language, self.engine)
