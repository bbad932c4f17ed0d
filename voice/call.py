"""What a live phone call offers the code that talks to the caller, whatever SIP stack carries it.

The telephony side (:mod:`voice.telephony`) answers a call, decodes its RTP (G.711 μ-law or A-law)
and its keypad presses (RFC 4733 telephone-events or SIP INFO), and hands the call session
(:mod:`voice.hotline`) one :class:`Call`. The session never sees SIP: it reads :class:`CallEvent`\\ s
(audio frames, digits, the hang-up) and plays audio back. Tests drive a session with an in-memory
call; the hotline drives it with real ones.

Audio is 16-bit signed little-endian mono PCM at :data:`CALL_RATE` (8 kHz, the rate of a G.711
line), in frames of :data:`FRAME_MS`. ``play`` queues audio and returns at once; queued audio goes
out in real time, and ``stop_playing`` drops what has not been sent yet (barge-in).
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

CALL_RATE = 8000
FRAME_MS = 20
FRAME_BYTES = CALL_RATE * FRAME_MS // 1000 * 2


class EventKind(enum.Enum):
    AUDIO = "audio"
    DIGIT = "digit"
    HANGUP = "hangup"


@dataclass(frozen=True)
class CallEvent:
    kind: EventKind
    audio: bytes = b""
    """One frame of the caller's audio (``AUDIO``)."""
    digit: str = ""
    """``0``–``9``, ``*`` or ``#`` (``DIGIT``), once per key press."""
    reason: str = ""
    """Why the call ended (``HANGUP``): ``caller``, ``no_media``, ``shutdown``, ``transfer``, or
    ``local`` (the session's own :meth:`Call.hang_up`)."""


class Call(abc.ABC):
    """One answered call."""

    call_id: str
    """The SIP Call-ID: unique per call, safe to log."""
    caller: str
    """The caller's number as the network gave it (user part of From, or P-Asserted-Identity).
    Personal data: never log it in clear."""
    called: str
    """The number dialled (user part of the request URI)."""

    @abc.abstractmethod
    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        """The next event, or ``None`` when ``timeout`` seconds pass without one. After ``HANGUP``
        every call returns ``HANGUP`` again."""

    @abc.abstractmethod
    def play(self, pcm: bytes) -> None:
        """Queue audio (8 kHz PCM) to be sent after what is already queued."""

    @abc.abstractmethod
    def stop_playing(self) -> None:
        """Drop queued audio that has not been sent (the caller interrupted)."""

    @property
    @abc.abstractmethod
    def playing_seconds(self) -> float:
        """Seconds of queued audio not yet sent; 0 when the line is quiet."""

    @abc.abstractmethod
    async def hang_up(self) -> None:
        """End the call from our side (BYE). Safe to call twice or after the caller hung up."""

    async def transfer(self, target: str) -> bool:
        """Blind transfer (SIP REFER) to ``target``; True when the network accepted it. Stacks
        without transfer return False."""
        return False


#: What the telephony side calls for each answered call; the call ends when it returns.
CallHandler = Callable[[Call], Awaitable[None]]
