"""Whisper (faster-whisper, CTranslate2 int8) recogniser: the packaged offline default.

Whisper decodes whole windows of up to 30 s, it does not stream. The stream here buffers the
turn (at 16 kHz) and decodes when the turn ends (:meth:`finish`), or when the buffer reaches
``max_segment_seconds`` (cut at the last pause), so memory stays bounded however long a caller
talks. Partial results are optional (``partial_interval`` > 0 re-decodes the buffer with a
greedy search every so many seconds of audio); the hotline does not need them since the end of a
turn comes from the VAD.

Guards against Whisper's known failure on telephone audio, inventing text in silence or noise:
audio with too little voice (webrtcvad) is never decoded, the decode is trimmed to the voiced
part, temperature fallback is off (no re-decoding loops), the output length is bounded, and
segments the model itself marks as no-speech are dropped. The language is always forced (zh or
en): detection fails on short or synthetic speech. Mandarin output is converted to simplified
characters, which the dialogue engine is trained on.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from careline.logging import get_logger
from voice.audio import SAMPLE_WIDTH, StreamResampler, to_float
from voice.stt.base import RecognitionStream, Recognizer, Transcript
from voice.stt.phrases import snap
from voice.vad import voiced_spans

log = get_logger("voice.stt.whisper")
RATE = 16000
_LOCK = threading.Lock()
_MODELS: dict[tuple[str, int], Any] = {}
#: Less voice than this in a buffer is taken as no speech and not decoded at all.
MIN_VOICED_SECONDS = 0.25
#: Texts Whisper is known to invent on silence/noise (from subtitle training data), dropped whole.
_STOCK_HALLUCINATIONS = frozenset({
    "谢谢观看", "谢谢大家观看", "请不吝点赞订阅转发打赏支持明镜与点点栏目", "字幕由amaraorg社区提供",
    "thank you for watching", "thanks for watching", "subtitles by the amaraorg community",
})
_START_PROMPT = {"zh": "您好。", "en": "Hello."}
_WORDLIKE = re.compile(r"[\w\ufffd]")  # a lone token of a Chinese character may decode to U+FFFD
_LATIN = re.compile(r"[A-Za-z']")
_CJK_SPACE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def _is_loop(text: str) -> bool:
    """Whisper's decoding loop ("对故曦曦曦曦曦曦曦曦"): one unit repeated far more than speech does.
    Such output is noise, not words: an empty result makes the hotline ask again instead."""
    units = re.findall(r"[\u3400-\u9fff]|[A-Za-z']+", text.lower())
    return len(units) >= 8 and max(units.count(u) for u in set(units)) / len(units) > 0.5


def _load_model(model_dir: Path, threads: int) -> Any:
    from faster_whisper import WhisperModel

    key = (str(Path(model_dir).resolve()), threads)
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = WhisperModel(key[0], device="cpu", compute_type="int8", cpu_threads=threads)
        return _MODELS[key]


def _to_simplified(text: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp announces its C extension on stdout
        import jionlp

    return str(jionlp.tra2sim(text, mode="char"))


#: Seconds of silence after a short turn in the shortened encoder window (see :func:`short_window_decode`).
SHORT_WINDOW_PADDING = 3.0
#: Output tokens allowed per second of audio in a shortened window (speech is 3-6 a second).
SHORT_WINDOW_TOKENS_PER_SECOND = 12


def short_window_decode(model: Any, audio: np.ndarray, language: str,
                        prompt: str | None) -> list[tuple[str, float, float, float | None]]:
    """Greedy decode of one short turn with the encoder window cut to the audio plus
    :data:`SHORT_WINDOW_PADDING` of silence, instead of faster-whisper's fixed 30 s: the encoder's
    cost follows the window, so a 2 s turn is decoded in a fraction of the time. CTranslate2's
    Whisper encoder takes any window up to 30 s; faster-whisper 1.2's ``transcribe`` always pads
    to 30 s, so this goes to its parts (feature extractor, ``encode``, ``model.generate``), which
    is why the version is pinned and tests/voice/stt cover it. Returns (text, avg log-prob,
    no-speech probability, probability of the last word) per hypothesis (one)."""
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    seconds = len(audio) / RATE
    padded = np.concatenate([audio.astype(np.float32), np.zeros(int(SHORT_WINDOW_PADDING * RATE), np.float32)])
    features = model.feature_extractor(padded)
    frames = min(features.shape[-1] - features.shape[-1] % 2, 3000)
    encoded = model.encode(features[:, :frames])
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language)
    previous = tokenizer.encode(" " + prompt.strip()) if prompt else []
    tokens = model.get_prompt(tokenizer, previous, without_timestamps=True)
    budget = int(min(200, SHORT_WINDOW_TOKENS_PER_SECOND * seconds + 8))
    result = model.model.generate(encoded, [tokens], beam_size=1, max_length=len(tokens) + budget,
                                  return_scores=True, return_no_speech_prob=True, return_logits_vocab=True,
                                  suppress_blank=True,
                                  suppress_tokens=list(get_suppressed_tokens(tokenizer, (-1,))))[0]
    ids = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
    # CTranslate2's score is the log-probability divided by the length (length_penalty 1);
    # faster-whisper's avg_logprob divides by the length plus the end token
    avg_logprob = result.scores[0] * len(ids) / (len(ids) + 1)
    last_word = last_word_probability(tokenizer, ids, result.logits[0] if result.logits else [])
    return [(tokenizer.decode(ids), avg_logprob, result.no_speech_prob, last_word)]


def last_word_probability(tokenizer: Any, ids: Sequence[int], logits: Sequence[Any]) -> float | None:
    """How sure the decoder was of the last word (its least likely token), punctuation after it
    aside. At a pause mid-sentence Whisper sometimes finishes the sentence itself ("… a meal for
    it." where the caller said "… a meal for"); the word it adds is one it is unsure of (measured:
    0.46 for such an "it", 0.98 for one the speaker said), which tells the turn-taker not to trust it."""
    steps = min(len(ids), len(logits))
    pieces = [tokenizer.decode([token]) for token in ids[:steps]]
    end = steps
    while end > 0 and not _WORDLIKE.search(pieces[end - 1]):
        end -= 1
    if end == 0:
        return None
    start = end - 1
    while start > 0 and not pieces[start].startswith(" ") and _LATIN.search(pieces[start]) \
            and _LATIN.search(pieces[start - 1]):
        start -= 1
    least = 1.0
    for step in range(start, end):
        row = np.asarray(logits[step], dtype=np.float32).reshape(-1)
        row = np.exp(row - row.max())
        least = min(least, float(row[ids[step]] / row.sum()))
    return least


def collapse_repeats(text: str) -> str:
    """Whisper decoding a short turn in a short window sometimes says it twice ("Thank you very
    much. Thank you very much.", "我要找人工我要找人工"), or twice and a half: keep it once. The
    text is taken as repeating when, spaces aside, it is periodic and the repeat is at least 40 %
    of it (legitimate speech does not say so much of itself twice word for word)."""
    text = text.strip()
    squeezed = re.sub(r"\s+", "", text)
    for period in range(1, int(len(squeezed) * 0.6) + 1):
        if all(squeezed[i] == squeezed[i - period] for i in range(period, len(squeezed))):
            return text[:_span_of(text, period)].strip()
    return text


def _span_of(text: str, characters: int) -> int:
    """Where in ``text`` the first ``characters`` non-space characters end."""
    seen = 0
    for index, char in enumerate(text):
        if not char.isspace():
            seen += 1
            if seen == characters:
                return index + 1
    return len(text)


class Decoded(NamedTuple):
    text: str
    confidence: float | None
    last_word: float | None = None
    """The decoder's probability of the last word (see :func:`last_word_probability`)."""


class WhisperRecognizer(Recognizer):
    name = "whisper"
    streaming = False

    def __init__(self, language: str, model_dir: Path, *, threads: int = 2, beam_size: int = 5,
                 max_segment_seconds: float = 30.0, partial_interval: float = 0.0,
                 vad_aggressiveness: int = 2, short_window_seconds: float = 0.0) -> None:
        """``short_window_seconds``: turns up to this long are decoded greedily in a shortened
        window (:func:`short_window_decode`, the hotline's turns); 0 keeps faster-whisper's own."""
        super().__init__(language)
        self.model_dir = Path(model_dir)
        self.model = _load_model(self.model_dir, threads)
        self.short_window_seconds = min(short_window_seconds, 30.0 - SHORT_WINDOW_PADDING)
        self.beam_size = beam_size
        self.max_segment_seconds = min(max_segment_seconds, 30.0)
        self.partial_interval = partial_interval
        self.vad_aggressiveness = vad_aggressiveness

    def stream(self, sample_rate: int = 16000, phrases: Sequence[str] | None = None) -> RecognitionStream:
        return WhisperStream(self, sample_rate, phrases)

    def describe(self) -> str:
        return f"whisper ({self.model_dir.name}, int8)"

    def decode(self, pcm: bytes, greedy: bool = False, prompt: str | None = None) -> Decoded:
        """Text and confidence of 16 kHz PCM; empty when it holds no speech. ``prompt`` tells
        Whisper what to expect (the phrases of a menu)."""
        spans = voiced_spans(pcm, RATE, self.vad_aggressiveness)
        if sum(end - start for start, end in spans) < MIN_VOICED_SECONDS:
            return Decoded("", None)
        begin, end = int(spans[0][0] * RATE) * SAMPLE_WIDTH, int(spans[-1][1] * RATE) * SAMPLE_WIDTH
        audio = to_float(pcm[begin:end])
        seconds = len(audio) / RATE
        options = dict(language=self.language, task="transcribe", beam_size=1 if greedy else self.beam_size,
                       temperature=0.0, condition_on_previous_text=False, without_timestamps=True,
                       vad_filter=False, max_new_tokens=int(min(200, 12 * seconds + 20)))
        if seconds <= self.short_window_seconds:
            found = short_window_decode(self.model, audio, self.language, prompt)
            if not found[0][0].strip() and seconds >= 0.6:
                found = short_window_decode(self.model, audio, self.language, prompt or _START_PROMPT[self.language])
            found = [(collapse_repeats(said), logprob, no_speech, last) for said, logprob, no_speech, last in found]
        else:
            segments = list(self.model.transcribe(audio, initial_prompt=prompt, **options)[0])
            if not segments and seconds >= 0.6:
                # Whisper sometimes ends at once on clear speech (the first token is end-of-text); a
                # one-word context of the language gets it started.
                segments = list(self.model.transcribe(audio, initial_prompt=prompt or _START_PROMPT[self.language],
                                                      **options)[0])
            found = [(s.text, s.avg_logprob, s.no_speech_prob, None) for s in segments]
        texts, weights, scores = [], [], []
        last_word: float | None = None
        for said, avg_logprob, no_speech, last in found:
            if (no_speech > 0.6 and avg_logprob < -1.0) or not said.strip():
                continue
            texts.append(said.strip())
            weights.append(max(len(said.strip()), 1))
            scores.append(math.exp(min(avg_logprob, 0.0)))
            last_word = last
        text = ("" if self.language == "zh" else " ").join(t for t in texts if t).strip()
        if self.language == "zh" and text:
            text = _CJK_SPACE.sub("", _to_simplified(text))
        if not text or re.sub(r"[\W_]+", "", text.lower()) in _STOCK_HALLUCINATIONS or _is_loop(text):
            return Decoded("", None)
        confidence = float(np.average(scores, weights=weights)) if scores else None
        return Decoded(text, confidence, last_word)


class WhisperStream(RecognitionStream):
    def __init__(self, recognizer: WhisperRecognizer, sample_rate: int, phrases: Sequence[str] | None) -> None:
        super().__init__(recognizer.language, recognizer.name, sample_rate)
        self._recognizer = recognizer
        self.phrases = list(phrases) if phrases else None
        self._resampler = StreamResampler(sample_rate, RATE)
        self._buffer = bytearray()
        self._buffer_start = 0.0
        self._since_partial = 0.0
        self._max_bytes = int(recognizer.max_segment_seconds * RATE) * SAMPLE_WIDTH

    @property
    def buffered_seconds(self) -> float:
        return len(self._buffer) / (SAMPLE_WIDTH * RATE)

    def _feed(self, pcm: bytes) -> list[Transcript]:
        converted = self._resampler.process(pcm)
        self._buffer.extend(converted)
        results: list[Transcript] = []
        while len(self._buffer) >= self._max_bytes:
            results.append(self._close(self._cut_point()))
        interval = self._recognizer.partial_interval
        self._since_partial += len(converted) / (SAMPLE_WIDTH * RATE)
        if interval > 0 and self._since_partial >= interval and self._buffer:
            self._since_partial = 0.0
            text = self._recognizer.decode(bytes(self._buffer), greedy=True).text
            if text:
                results.append(Transcript(text, False, None, self._buffer_start,
                                          self._buffer_start + self.buffered_seconds, self.language, self.engine))
        return results

    def finish(self) -> Transcript:
        self._buffer.extend(self._resampler.process(b"", last=True))
        self._resampler = StreamResampler(self.sample_rate, RATE)
        return self._close(len(self._buffer))

    def _cut_point(self) -> int:
        """Where to close a full buffer: in the last pause of its second half, else at the limit."""
        spans = voiced_spans(bytes(self._buffer[: self._max_bytes]), RATE, self._recognizer.vad_aggressiveness, 60)
        half = self._max_bytes // 2
        for (_, end), (following, _) in zip(spans[-2::-1], spans[:0:-1], strict=False):
            gap_middle = int((end + following) / 2 * RATE) * SAMPLE_WIDTH
            if half <= gap_middle < self._max_bytes:
                return gap_middle
        return self._max_bytes

    def _close(self, size: int) -> Transcript:
        chunk = bytes(self._buffer[:size])
        del self._buffer[:size]
        start = self._buffer_start
        self._buffer_start += len(chunk) / (SAMPLE_WIDTH * RATE)
        self._since_partial = 0.0
        prompt = ("，" if self.language == "zh" else ", ").join(self.phrases) if self.phrases else None
        text, confidence, last_word = self._recognizer.decode(chunk, prompt=prompt)
        if text and self.phrases:
            phrase, score = snap(text, self.phrases, self.language)
            text, confidence, last_word = phrase, (confidence or 0.0) * score / 100 if phrase else None, None
        spans = voiced_spans(chunk, RATE, self._recognizer.vad_aggressiveness, 0) if text else []
        begin = start + spans[0][0] if spans else start
        end = start + spans[-1][1] if spans else self._buffer_start
        return Transcript(text, True, confidence if text else None, begin, end, self.language, self.engine,
                          last_word if text else None)
