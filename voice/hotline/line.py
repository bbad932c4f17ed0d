"""The call's audio in both directions at once: speaking with barge-in, and listening for a turn.

:class:`Line` reads the call's events (audio frames, keys, hang-up) whether the session is
talking or listening, so the caller can always interrupt: speech or a key during playback stops
it (``Call.stop_playing``) and is what the session hears next. Keys pressed while something
that may not be interrupted is played (emergency advice) wait their turn.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from voice.call import Call, EventKind
from voice.hotline.hearing import Heard
from voice.hotline.turns import TurnEvent, TurnEventKind, TurnTaker

#: How often the line looks at the clock while no event comes (the RTP stack may send nothing
#: during silence).
TICK = 0.1
#: How often the line looks whether the work it waits for is done.
FINE_TICK = 0.02


class CallEnded(Exception):
    """The caller hung up (or the line dropped): the session stops where it is."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Interruption(enum.Enum):
    SPEECH = "speech"
    DIGIT = "digit"


@dataclass(frozen=True)
class Verdict:
    finished: bool
    heard: Heard | None
    """The turn's words, when the judge recognised them (a finished-sounding turn)."""


class HeardKind(enum.Enum):
    TURN = "turn"
    DIGIT = "digit"
    SILENCE = "silence"


@dataclass(frozen=True)
class Input:
    kind: HeardKind
    heard: Heard | None = None
    digit: str = ""
    audio_seconds: float = 0.0
    quiet_seconds: float = 0.0
    """How long the caller had been quiet when the turn was taken (the line was silent that long)."""
    filled: bool = False
    """The filler ("one moment") was played while the turn's words were being made out."""


Judge = Callable[[bytes], Verdict]
Recognise = Callable[[bytes], Heard]
T = TypeVar("T")


class Line:
    def __init__(self, call: Call, turns: TurnTaker) -> None:
        self.call = call
        self.turns = turns
        self._digits: deque[str] = deque()
        self._last_turn_events: list[TurnEvent] = []
        self.listening_since: float | None = None
        """When the session began waiting for the caller's next input (None while it speaks or works)."""
        self.ended: str | None = None
        self._filled = False

    async def _next(self, timeout: float) -> None:
        """Take one event (or none within ``timeout``) into the turn state and the key queue;
        the turn events it caused are left in ``_last_turn_events``."""
        event = await self.call.next_event(timeout)
        self._last_turn_events = []
        if event is None:
            return
        if event.kind is EventKind.HANGUP:
            self.ended = event.reason or "caller"
            raise CallEnded(self.ended)
        if event.kind is EventKind.DIGIT and event.digit:
            self._digits.append(event.digit)
        elif event.kind is EventKind.AUDIO and event.audio:
            self._last_turn_events = self.turns.feed(event.audio)

    async def play(self, pcm: bytes, interruptible: bool = True) -> Interruption | None:
        """Play ``pcm`` to its end, or until the caller speaks or presses a key (when
        ``interruptible``); the turn or key that interrupted is left for :meth:`listen`."""
        if interruptible and self._digits:
            return Interruption.DIGIT
        if interruptible and self.turns.in_turn and not self.turns.paused:
            return Interruption.SPEECH
        self.call.play(pcm)
        while self.call.playing_seconds > 0:
            await self._next(min(TICK, max(self.call.playing_seconds, 0.02)))
            if not interruptible:
                continue
            if self._digits:
                self.call.stop_playing()
                return Interruption.DIGIT
            if any(e.kind is TurnEventKind.STARTED for e in self._last_turn_events):
                self.call.stop_playing()
                return Interruption.SPEECH
        return None

    async def pause(self, seconds: float, until: asyncio.Future[T] | None = None) -> None:
        """Let time pass on the line (events still read), e.g. between polls; when ``until`` is
        given, no longer than it takes to finish, looked at every :data:`FINE_TICK` (an answer
        is spoken the moment it is there, not up to a tick later)."""
        deadline = time.monotonic() + seconds
        tick = TICK if until is None else FINE_TICK
        while (left := deadline - time.monotonic()) > 0 and (until is None or not until.done()):
            await self._next(min(tick, left))

    def take_digit(self) -> str | None:
        return self._digits.popleft() if self._digits else None

    async def listen(self, timeout: float, judge: Judge, recognise: Recognise, filler: bytes | None = None,
                     gap: float = 0.0) -> Input:
        """The caller's next input: a finished turn (recognised), a key, or ``timeout`` seconds
        without either (silence). A turn in progress is always waited for to its end.

        ``filler`` ("one moment") is played once if the caller has been quiet for ``gap`` seconds
        while their words are still being made out: ten turns recognised at once on two cores
        can take longer than the longest silence a caller may hear. Speech over it stops it."""
        started = self.listening_since = time.monotonic()
        pending: asyncio.Task[Verdict] | None = None
        self._filled = False
        try:
            while True:
                if pending is not None and self.turns.paused:
                    self._fill(filler, gap - self.turns.quiet_seconds)
                digit = self.take_digit()
                if digit is not None and not self.turns.in_turn:
                    return Input(HeardKind.DIGIT, digit=digit)
                if pending is not None and pending.done():
                    verdict = pending.result()
                    pending = None
                    if verdict.finished and self.turns.paused:
                        return self._take(verdict.heard)
                if not self.turns.in_turn and digit is None and time.monotonic() - started >= timeout:
                    return Input(HeardKind.SILENCE)
                if digit is not None:  # a key pressed mid-sentence ends the sentence unheard
                    self.turns.reset()
                    return Input(HeardKind.DIGIT, digit=digit)
                await self._next(TICK if pending is None else FINE_TICK)
                for event in self._last_turn_events:
                    if event.kind is TurnEventKind.STARTED:
                        if pending is not None:
                            pending.cancel()
                            pending = None
                        if self._filled and self.call.playing_seconds > 0:
                            self.call.stop_playing()
                        started = time.monotonic()
                    elif event.kind is TurnEventKind.PAUSED:
                        pending = asyncio.create_task(asyncio.to_thread(judge, self.turns.audio))
                    elif event.kind is TurnEventKind.ENDED:
                        heard = None
                        if pending is not None:  # judged since the caller last spoke: same words
                            heard = (await self._filling(pending, filler, gap)).heard
                            pending = None
                        if heard is None:
                            words = asyncio.ensure_future(asyncio.to_thread(recognise, self.turns.audio))
                            heard = await self._filling(words, filler, gap)
                        return self._take(heard)
        finally:
            self.listening_since = None
            if pending is not None:
                pending.cancel()

    def _fill(self, filler: bytes | None, left: float) -> None:
        if filler and not self._filled and left <= 0 and self.call.playing_seconds == 0:
            self.call.play(filler)
            self._filled = True

    async def _filling(self, work: asyncio.Future[T], filler: bytes | None, gap: float) -> T:
        """``work`` (the turn's words) awaited, with the filler played once the caller's quiet
        reaches ``gap`` (events are left queued meanwhile: speech after the turn's end is the
        next turn's)."""
        if filler and not self._filled and not work.done():
            began, quiet = time.monotonic(), self.turns.quiet_seconds
            if gap - quiet > 0:
                await asyncio.wait({work}, timeout=gap - quiet)
            if not work.done():
                self._fill(filler, gap - quiet - (time.monotonic() - began))
        return await work

    def _take(self, heard: Heard | None) -> Input:
        seconds = len(self.turns.audio) / 2 / self.turns.sample_rate
        quiet = self.turns.quiet_seconds
        self.turns.reset()
        return Input(HeardKind.TURN, heard=heard, audio_seconds=seconds, quiet_seconds=quiet, filled=self._filled)
