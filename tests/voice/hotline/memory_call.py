"""A phone line in memory: the test double of the telephony side (only of the transport).

Like an RTP stream, :class:`MemoryCall` delivers one 20 ms frame of the caller's audio every
20 ms of real time (silence when the caller says nothing) and sends what the session plays at
the same pace, dropping what is still queued on ``stop_playing`` (barge-in). The caller's side is
a script: :meth:`say` (speech, delivered in real time), :meth:`press`, :meth:`hang_up_caller`;
what the session played is kept, chunk by chunk, to be recognised and checked.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from typing import Any

from voice.call import CALL_RATE, FRAME_BYTES, FRAME_MS, Call, CallEvent, EventKind

SILENT_FRAME = b"\x00" * FRAME_BYTES


class MemoryCall(Call):
    def __init__(self, caller: str = "", called: str = "12320", transfers: bool | None = None) -> None:
        self.call_id = f"mem-{uuid.uuid4().hex[:12]}"
        self.transfers = transfers
        """How the network answers a transfer: True accepts it (the call then ends, as after
        a REFER's NOTIFY 200 and our BYE), False refuses it, None: this line cannot transfer."""
        self.transferred_to: list[str] = []
        self.caller = caller
        self.called = called
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._speech: deque[bytes] = deque()
        self._queued: deque[tuple[int, bytes]] = deque()
        self._current = bytearray()
        self._chunk_index = 0
        self.sent: list[bytearray] = []
        """What the caller heard: one chunk per play, cut short where the session stopped it."""
        self.stops = 0
        self.ended: str | None = None
        self.hung_up_by_us = False
        self.quiet_since = time.monotonic()
        self._clock: asyncio.Task[None] | None = None
        self.session: Any = None
        """The call session that took the call (set by the test harness)."""

    # -- the session's side (voice.call.Call) ------------------------------------------------

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        if self.ended is not None and self._events.empty():
            return CallEvent(EventKind.HANGUP, reason=self.ended)
        try:
            return await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return None

    def play(self, pcm: bytes) -> None:
        if self.ended is not None:
            return
        self._queued.append((len(self.sent), bytes(pcm)))
        self.sent.append(bytearray())

    def stop_playing(self) -> None:
        if self._queued or self._current:
            self.stops += 1
        self._queued.clear()
        self._current.clear()

    @property
    def playing_seconds(self) -> float:
        queued = len(self._current) + sum(len(pcm) for _, pcm in self._queued)
        return queued / 2 / CALL_RATE

    async def hang_up(self) -> None:
        if self.ended is None:
            self.ended = "local"
            self.hung_up_by_us = True
        await self.stop()

    async def transfer(self, target: str) -> bool:
        if self.transfers is None or self.ended is not None:
            return False
        self.transferred_to.append(target)
        if self.transfers:
            self.ended, self.hung_up_by_us = "transfer", True
            self._events.put_nowait(CallEvent(EventKind.HANGUP, reason="transfer"))
        return self.transfers

    # -- the line's clock ----------------------------------------------------------------------

    def start(self) -> None:
        self._clock = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._clock is not None and self._clock is not asyncio.current_task():
            self._clock.cancel()

    async def _run(self) -> None:
        tick = FRAME_MS / 1000
        next_at = time.monotonic()
        while self.ended is None:
            frame = self._speech.popleft() if self._speech else SILENT_FRAME
            self._events.put_nowait(CallEvent(EventKind.AUDIO, audio=frame))
            self._send_frame()
            next_at += tick
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def _send_frame(self) -> None:
        if not self._current and self._queued:
            self._chunk_index, pcm = self._queued.popleft()
            self._current = bytearray(pcm)
        if not self._current:
            return
        frame = bytes(self._current[:FRAME_BYTES])
        del self._current[:FRAME_BYTES]
        self.sent[self._chunk_index].extend(frame)
        self.quiet_since = time.monotonic()

    # -- the caller's side ---------------------------------------------------------------------

    async def say(self, pcm: bytes) -> None:
        """Speak ``pcm`` (8 kHz) into the line; returns when the last frame went out."""
        for start in range(0, len(pcm), FRAME_BYTES):
            self._speech.append(pcm[start:start + FRAME_BYTES].ljust(FRAME_BYTES, b"\x00"))
        while self._speech and self.ended is None:
            await asyncio.sleep(FRAME_MS / 1000)

    async def press(self, digit: str) -> None:
        self._events.put_nowait(CallEvent(EventKind.DIGIT, digit=digit))
        await asyncio.sleep(0.1)

    async def hang_up_caller(self) -> None:
        self.ended = "caller"
        self._speech.clear()
        self._events.put_nowait(CallEvent(EventKind.HANGUP, reason="caller"))

    async def until_quiet(self, seconds: float = 1.0, timeout: float = 60.0) -> None:
        """Wait until the session has played nothing for ``seconds`` (it is listening)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.playing_seconds == 0 and time.monotonic() - self.quiet_since >= seconds:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the line was never quiet for {seconds} s in {timeout} s")

    async def until_answered(self, since: int, quiet: float = 3.6, timeout: float = 60.0) -> bytes:
        """Wait until the session has played something after chunk ``since`` and is waiting for
        the caller again (listening, nothing playing); return what was heard from ``since`` on.
        Without a session to ask, "waiting" is ``quiet`` seconds of silence (longer than the
        session ever stays silent while it works)."""
        deadline = time.monotonic() + timeout
        while not any(self.sent[since:]) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if not any(self.sent[since:]):
            raise AssertionError(f"the session said nothing in {timeout} s")
        if self.session is None:
            await self.until_quiet(quiet, max(1.0, deadline - time.monotonic()))
        else:
            await self.until_listening(max(1.0, deadline - time.monotonic()))
        return self.heard_audio(since)

    async def until_listening(self, timeout: float = 60.0, settled: float = 0.3) -> None:
        """Wait until the session has been waiting for the caller for ``settled`` seconds with
        nothing playing: it has said all it had to say."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            since = self.session.line.listening_since
            if since is not None and self.playing_seconds == 0 and time.monotonic() - since >= settled:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the session was not waiting for the caller in {timeout} s")

    async def until_playing(self, timeout: float = 30.0) -> None:
        """Wait until the session is playing something."""
        deadline = time.monotonic() + timeout
        while self.playing_seconds == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        assert self.playing_seconds > 0, f"the session played nothing in {timeout} s"

    def heard_audio(self, since: int = 0) -> bytes:
        """What the caller heard from chunk ``since`` on, chunks apart by a short silence."""
        gap = b"\x00" * int(0.3 * CALL_RATE) * 2
        return gap.join(bytes(chunk) for chunk in self.sent[since:] if chunk)

    @property
    def mark(self) -> int:
        """Where the next chunk will start (for :meth:`heard_audio`)."""
        return len(self.sent)
