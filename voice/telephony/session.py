"""One answered call as the call session sees it (:class:`voice.call.Call`), fed from pjsua2's threads.

pjsua2 delivers frames on its media clock thread and signalling on the endpoint's own thread;
the session lives on an asyncio loop. Events cross with ``loop.call_soon_threadsafe`` into an
:class:`asyncio.Queue`; audio to play sits in a byte buffer under a lock that the media thread
drains one frame at a time. Everything that must touch pjsua2 (BYE, REFER) is handed to the
endpoint's thread through ``post`` (pjsua2 is driven from one thread only).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable

from careline.logging import get_logger
from voice.call import CALL_RATE, FRAME_BYTES, Call, CallEvent, EventKind

log = get_logger("voice.telephony")

#: Caller audio kept for a session that does not read it (30 s); older frames are dropped.
MAX_QUEUED_FRAMES = 1500
_HANGUP_WAIT = 5.0

Post = Callable[[Callable[[], object]], None]


def _nothing() -> None:
    return None


def _refused(_target: str) -> concurrent.futures.Future[bool]:
    outcome: concurrent.futures.Future[bool] = concurrent.futures.Future()
    outcome.set_result(False)
    return outcome


class SipCall(Call):
    """The :class:`~voice.call.Call` of one pjsua2 call. Made by the endpoint, never by a session."""

    def __init__(self, loop: asyncio.AbstractEventLoop, post: Post, call_id: str, caller: str, called: str,
                 hang_up: Callable[[], None], transfer: Callable[[str], concurrent.futures.Future[bool]],
                 busy: bool = False) -> None:
        self.call_id, self.caller, self.called = call_id, caller, called
        #: The hotline's front sent this call to hear that the lines are busy.
        self.busy = busy
        self._loop = loop
        self._post = post
        self._send_bye = hang_up
        self._send_refer = transfer
        self._events: asyncio.Queue[CallEvent] = asyncio.Queue()
        self._ended = asyncio.Event()
        self._ended_reason = ""
        self._local_reason = ""  # why we hung up, when we did
        self._outgoing = bytearray()
        self._lock = threading.Lock()
        self._dropped = 0

    # --- from pjsua2's threads -------------------------------------------------------------
    def _deliver(self, event: CallEvent) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: the process is stopping
            self._loop.call_soon_threadsafe(self._enqueue, event)

    def _enqueue(self, event: CallEvent) -> None:
        if self._ended.is_set():
            return
        if event.kind is EventKind.AUDIO and self._events.qsize() >= MAX_QUEUED_FRAMES:
            if not self._dropped:
                log.warning("sip_audio_unread", call_id=self.call_id, frames=MAX_QUEUED_FRAMES)
            self._dropped += 1
            return
        self._events.put_nowait(event)
        if event.kind is EventKind.HANGUP:
            self._ended_reason = event.reason
            self._ended.set()

    def heard(self, pcm: bytes) -> None:
        """One frame of the caller's audio (media thread)."""
        self._deliver(CallEvent(EventKind.AUDIO, audio=pcm))

    def pressed(self, digit: str) -> None:
        self._deliver(CallEvent(EventKind.DIGIT, digit=digit))

    def ending(self, reason: str) -> None:
        """We are ending the call (endpoint thread): ``reason`` is what the HANGUP event will say."""
        if not self._local_reason:
            self._local_reason = reason

    def disconnected(self, reason: str = "caller") -> None:
        """The call is over (endpoint thread); ``reason`` unless we hung up ourselves first. The
        session lets go of pjsua2's call here: a session kept after the library is destroyed must
        not hold a pjsua2 object."""
        self._send_bye = _nothing
        self._send_refer = _refused
        self._deliver(CallEvent(EventKind.HANGUP, reason=self._local_reason or reason))

    def next_frame(self, size: int = FRAME_BYTES) -> bytes:
        """The next frame to send (media thread): queued audio, or silence."""
        with self._lock:
            chunk = bytes(self._outgoing[:size])
            del self._outgoing[:size]
        return chunk + bytes(size - len(chunk)) if len(chunk) < size else chunk

    # --- the session's side ----------------------------------------------------------------
    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        if self._ended.is_set() and self._events.empty():
            return CallEvent(EventKind.HANGUP, reason=self._ended_reason)
        try:
            return await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return None

    def play(self, pcm: bytes) -> None:
        if len(pcm) % 2:
            raise ValueError("PCM must be whole 16-bit samples")
        with self._lock:
            self._outgoing += pcm

    def stop_playing(self) -> None:
        with self._lock:
            self._outgoing.clear()

    @property
    def playing_seconds(self) -> float:
        with self._lock:
            return len(self._outgoing) / (2 * CALL_RATE)

    @property
    def ended(self) -> bool:
        return self._ended.is_set()

    async def hang_up(self, reason: str = "local") -> None:
        if self._ended.is_set():
            return
        if not self._local_reason:
            self._local_reason = reason
            self._post(lambda: self._send_bye())
        try:
            await asyncio.wait_for(self._ended.wait(), _HANGUP_WAIT)
        except TimeoutError:
            log.warning("sip_hangup_unconfirmed", call_id=self.call_id)

    async def transfer(self, target: str) -> bool:
        if self._ended.is_set():
            return False
        outcome: concurrent.futures.Future[bool] = concurrent.futures.Future()

        def refer() -> None:
            try:
                self._send_refer(target).add_done_callback(
                    lambda done: outcome.set_result(done.result()) if not outcome.done() else None)
            except Exception as error:  # noqa: BLE001 - pjsua refused to send: no transfer
                log.warning("sip_transfer_failed", call_id=self.call_id, error=type(error).__name__)
                outcome.set_result(False)

        self._post(refer)
        try:
            accepted = await asyncio.wait_for(asyncio.wrap_future(outcome), 32.0)
        except TimeoutError:
            accepted = False
        log.info("sip_transfer", call_id=self.call_id, accepted=accepted)
        if accepted:
            await self.hang_up("transfer")
        return accepted
