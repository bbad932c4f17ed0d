"""Call recordings, made only when ``CARELINE_VOICE_RECORDINGS`` is on (off by default).

Each call becomes one stereo WAV (8 kHz, 16-bit) under ``<var_dir>/recordings/<UTC date>/``: left
channel the caller, right channel what the hotline played, in step 20 ms at a time (each frame
the caller's side delivers is written with the frame the line sent meanwhile; audio dropped at a
barge-in is dropped here too). The file is named by the SIP Call-ID, never by the caller's number,
and nothing of it reaches a log. ``careline purge`` deletes recordings older than
``CARELINE_VOICE_RECORDINGS_DAYS``.
"""

from __future__ import annotations

import audioop
import datetime as dt
import hashlib
import re
import wave
from pathlib import Path

from careline.logging import get_logger
from voice.call import CALL_RATE, Call, CallEvent, EventKind

log = get_logger("careline.hotline")

_SAFE = re.compile(r"[^A-Za-z0-9._-]")


def recording_path(folder: Path, call_id: str, now: dt.datetime | None = None) -> Path:
    """Where a call's recording goes: a folder per UTC day, a file named by its Call-ID."""
    day = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d")
    name = _SAFE.sub("_", call_id)[:80] or "call"
    digest = hashlib.sha256(call_id.encode()).hexdigest()[:8]  # two Call-IDs that differ only in unsafe characters
    return folder / day / f"call-{name}-{digest}.wav"


class RecordingCall(Call):
    """A :class:`Call` that records both directions while the session uses it as usual."""

    def __init__(self, inner: Call, path: Path) -> None:
        self.inner = inner
        self.call_id, self.caller, self.called = inner.call_id, inner.caller, inner.called
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 - closed by close(), when the call ends
        self._wav.setnchannels(2)
        self._wav.setsampwidth(2)
        self._wav.setframerate(CALL_RATE)
        self._outgoing = bytearray()
        """What the line still has to send, as the session queued it (mirrors the line's queue)."""

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        event = await self.inner.next_event(timeout)
        if event is not None and event.kind is EventKind.AUDIO and self._wav is not None:
            heard = event.audio[:len(event.audio) // 2 * 2]
            sent = bytes(self._outgoing[:len(heard)]).ljust(len(heard), b"\x00")
            del self._outgoing[:len(heard)]
            self._wav.writeframes(audioop.add(audioop.tostereo(heard, 2, 1, 0), audioop.tostereo(sent, 2, 0, 1), 2))
        return event

    def play(self, pcm: bytes) -> None:
        self._outgoing.extend(pcm)
        self.inner.play(pcm)

    def stop_playing(self) -> None:
        self._outgoing.clear()
        self.inner.stop_playing()

    @property
    def playing_seconds(self) -> float:
        return self.inner.playing_seconds

    async def hang_up(self) -> None:
        await self.inner.hang_up()

    async def transfer(self, target: str) -> bool:
        return await self.inner.transfer(target)

    def close(self) -> None:
        """Finish the file (its header gets the length); safe to call twice."""
        if self._wav is None:
            return
        try:
            self._wav.close()
        except OSError as error:  # a full disk must not fail the call's end
            log.warning("call_recording_failed", call=self.call_id, error=type(error).__name__)
        self._wav = None


def purge_recordings(folder: Path, cutoff: dt.datetime, dry_run: bool) -> int:
    """Delete (or count, in a dry run) recordings last written before ``cutoff`` (naive UTC);
    day folders left empty go too."""
    if not folder.is_dir():
        return 0
    limit = cutoff.replace(tzinfo=dt.UTC).timestamp()
    old = [path for path in folder.glob("*/call-*.wav") if path.stat().st_mtime < limit]
    if not dry_run:
        for path in old:
            path.unlink(missing_ok=True)
        for day in folder.iterdir():
            if day.is_dir() and not any(day.iterdir()):
                day.rmdir()
    return len(old)
