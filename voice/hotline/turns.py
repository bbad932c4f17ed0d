"""When has the caller finished speaking? Voice activity, a turn-end model, the words, a cap.

Elders pause mid-sentence. A fixed silence long enough for them (1.2 s or more) makes every
answer slow; a short one cuts them off. So the turn is judged at each pause:

1. webrtcvad (:class:`voice.vad.EndOfSpeechDetector`) marks speech and a first short quiet
   (``voice_turn_check_ms``, 300 ms): a *pause*.
2. At a pause the session asks :func:`judge`: Smart Turn v3 (:mod:`voice.hotline.smart_turn`)
   hears whether the sentence sounds finished; if it does, the turn is recognised at once and
   its words are checked too: a sentence that ends on a word that cannot end one ("for", "the",
   "和", "的" …) is not finished whatever the intonation. A finished turn is answered now, with
   the transcript already made.
3. Otherwise the caller is waited for, up to ``voice_turn_silence_cap_ms`` of quiet (2.5 s):
   then the turn ends whatever the model said. Speech before that continues the same turn.

:class:`TurnTaker` does the cheap per-frame part (1 and 3, no model); the session runs 2 in a
thread while frames keep coming, and drops its verdict if the caller speaks again meanwhile.
"""

from __future__ import annotations

import enum
import re
from collections import deque
from dataclasses import dataclass

from voice.vad import EndOfSpeechDetector, VadEventKind

#: Words a sentence does not end on: articles, prepositions, conjunctions, fillers, "I want to".
#: Language data for the turn rule, not text anyone hears.
DANGLING = {
    "en": frozenset(("a", "an", "the", "to", "for", "of", "and", "or", "but", "with", "my", "your", "our", "his",
                     "her", "at", "in", "on", "by", "from", "about", "because", "so", "if", "than", "that",
                     "um", "uh", "er", "erm", "like", "want", "need", "would", "could", "i", "i'm", "is",
                     "are", "was", "can", "some")),
    "zh": ("的", "和", "跟", "与", "在", "给", "把", "被", "想", "要", "个", "一", "那个", "这个", "就是", "然后",
           "还有", "或者", "因为", "所以", "但是", "嗯", "呃", "啊那", "去", "到", "我", "我想", "请问"),
}
#: "Where is the nearest", "when's the next": a place or a time asked for before it is named. Said
#: alone the words are rare ("which one is nearest?" has no "the"); measured: Smart Turn heard all
#: three Piper renderings of "Where is the nearest" as finished (0.90-0.96), and the hotline answered
#: the half sentence (bench/voice_bench.py, one pause in four cut in on).
THE_WHICH = frozenset(("nearest", "closest", "next"))
_WORD = re.compile(r"[A-Za-z']+")
_TRAILING = re.compile(r"[\s\W_]+$", re.UNICODE)


#: The short words Whisper adds to finish a sentence the caller has not finished.
COMPLETIONS = frozenset(("it", "me", "you", "that", "this", "them", "us", "now", "there", "here"))
#: Below this probability the recogniser's last word is not trusted to end the sentence. Measured
#: on 150 Piper renderings of "I would like to book a meal for" + a pause: the words Whisper added
#: scored 0.31-0.71; completing words that were said ("… paying for it.", "… book it.") 0.94-0.99.
UNSURE_LAST_WORD = 0.85


def sounds_unfinished(text: str, language: str, last_word: float | None = None) -> bool:
    """True when ``text`` ends on a word no sentence ends on (the caller paused mid-sentence).
    ``last_word`` is the recogniser's probability of the last word: at a pause Whisper sometimes
    adds one to finish the sentence ("I'd like to book a meal for it." for "… a meal for"; 11
    pauses in 150, measured), so an unsure last word after a dangling one is not believed."""
    stripped = _TRAILING.sub("", text.strip())
    if not stripped:
        return False
    if language == "en":
        words = _WORD.findall(stripped.lower())
        if not words:
            return False
        if words[-1] in DANGLING["en"] or (words[-1] in THE_WHICH and words[-2:-1] == ["the"]):
            return True
        return last_word is not None and last_word < UNSURE_LAST_WORD and len(words) > 1 \
            and words[-1] in COMPLETIONS and words[-2] in DANGLING["en"]
    if stripped.endswith(DANGLING["zh"]):
        return True
    return last_word is not None and last_word < UNSURE_LAST_WORD and stripped[:-1].endswith(DANGLING["zh"])


class TurnEventKind(enum.Enum):
    STARTED = "started"
    """The caller began to speak (a new turn, or again after a pause): barge-in, cancel a verdict."""
    PAUSED = "paused"
    """A short quiet after speech: time to judge whether the turn is over."""
    ENDED = "ended"
    """The quiet reached the cap, or the turn its longest: the turn is over whatever was judged."""


@dataclass(frozen=True)
class TurnEvent:
    kind: TurnEventKind


class TurnTaker:
    """Per-frame turn state of one call's incoming audio (8 kHz PCM)."""

    def __init__(self, sample_rate: int, *, check_ms: int, cap_ms: int, min_speech_ms: int, max_turn_seconds: float,
                 aggressiveness: int = 2, pre_roll_ms: int = 300) -> None:
        self.sample_rate = sample_rate
        self._detector = EndOfSpeechDetector(sample_rate, aggressiveness=aggressiveness, silence_ms=check_ms,
                                             min_speech_ms=min_speech_ms, start_ms=90,
                                             max_turn_ms=int(max_turn_seconds * 1000))
        self.check_ms = check_ms
        self.cap_ms = cap_ms
        self.max_turn_bytes = int(max_turn_seconds * sample_rate) * 2
        self._pre_roll: deque[bytes] = deque()
        self._pre_roll_bytes = sample_rate * pre_roll_ms // 1000 * 2
        self._audio = bytearray()
        self.in_turn = False
        self.paused = False
        self._had_speech = False
        self._quiet_ms = 0.0

    @property
    def audio(self) -> bytes:
        """The current turn's audio, from a little before its first word."""
        return bytes(self._audio)

    @property
    def quiet_seconds(self) -> float:
        return self._quiet_ms / 1000 if self.paused else 0.0

    def reset(self) -> None:
        """Forget the turn (it was taken, or the line is being spoken over)."""
        self._detector.reset()
        self._audio.clear()
        self.in_turn = self.paused = self._had_speech = False
        self._quiet_ms = 0.0

    def feed(self, frame: bytes) -> list[TurnEvent]:
        frame_ms = len(frame) / 2 / self.sample_rate * 1000
        if self.in_turn:
            self._audio.extend(frame)
        else:
            self._pre_roll.append(frame)
            while sum(map(len, self._pre_roll)) > self._pre_roll_bytes:
                self._pre_roll.popleft()
        events: list[TurnEvent] = []
        for vad in self._detector.feed(frame):
            if vad.kind is VadEventKind.SPEECH_START:
                if not self.in_turn:
                    self.in_turn = True
                    self._audio.extend(b"".join(self._pre_roll))
                    self._pre_roll.clear()
                self.paused = False
                self._quiet_ms = 0.0
                events.append(TurnEvent(TurnEventKind.STARTED))
            elif vad.kind in (VadEventKind.SPEECH_END, VadEventKind.NOISE) and self.in_turn:
                self._had_speech = self._had_speech or vad.kind is VadEventKind.SPEECH_END
                if not self._had_speech:  # only a cough or a click so far: no turn
                    self.reset()
                    continue
                self.paused = True
                self._quiet_ms = float(self.check_ms)
                events.append(TurnEvent(TurnEventKind.PAUSED))
            elif vad.kind is VadEventKind.TOO_LONG and self.in_turn:
                events.append(TurnEvent(TurnEventKind.ENDED))
        if self.paused and not any(e.kind is TurnEventKind.PAUSED for e in events):
            self._quiet_ms += frame_ms
            if self._quiet_ms >= self.cap_ms:
                events.append(TurnEvent(TurnEventKind.ENDED))
        if self.in_turn and len(self._audio) >= self.max_turn_bytes and not events:
            events.append(TurnEvent(TurnEventKind.ENDED))
        return events
