"""Call recordings: both sides in step, named by the Call-ID, nothing when the setting is off."""

from __future__ import annotations

import asyncio
import audioop
import datetime as dt
import wave
from collections import deque
from pathlib import Path

from careline.settings import Settings
from voice.call import FRAME_BYTES, Call, CallEvent, EventKind
from voice.hotline.recording import RecordingCall, recording_path


class ScriptedCall(Call):
    """A call whose caller sends the given frames; what is played is only noted."""

    def __init__(self, frames: list[bytes]) -> None:
        self.call_id, self.caller, self.called = "a1b2@10.0.0.9", "13900001111", "4008001234"
        self.frames = deque(frames)
        self.played: list[bytes] = []

    async def next_event(self, timeout: float | None = None) -> CallEvent | None:
        if not self.frames:
            return CallEvent(EventKind.HANGUP, reason="caller")
        return CallEvent(EventKind.AUDIO, audio=self.frames.popleft())

    def play(self, pcm: bytes) -> None:
        self.played.append(pcm)

    def stop_playing(self) -> None:
        pass

    @property
    def playing_seconds(self) -> float:
        return 0.0

    async def hang_up(self) -> None:
        pass


def _level(value: int) -> bytes:
    return value.to_bytes(2, "little", signed=True) * (FRAME_BYTES // 2)


def test_each_side_is_one_channel_in_step_and_a_barge_in_drops_the_rest(tmp_path: Path) -> None:
    inner = ScriptedCall([_level(1000)] * 5)
    path = recording_path(tmp_path, inner.call_id, dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC))
    call = RecordingCall(inner, path)

    async def session() -> None:
        call.play(_level(-2000) * 2)           # two frames of answer
        await call.next_event()
        await call.next_event()
        await call.next_event()                # the line is quiet again
        call.play(_level(3000) * 10)
        await call.next_event()
        call.stop_playing()                    # the caller speaks: the rest is never sent
        await call.next_event()

    asyncio.run(session())
    call.close()
    call.close()
    assert inner.played == [_level(-2000) * 2, _level(3000) * 10], "the call itself got the audio"
    assert path.parent.name == "2026-12-07" and inner.caller not in path.name and "a1b2" in path.name
    with wave.open(str(path)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (2, 2, 8000)
        frames = wav.readframes(wav.getnframes())
    left, right = audioop.tomono(frames, 2, 1, 0), audioop.tomono(frames, 2, 0, 1)
    assert left == _level(1000) * 5
    assert right == _level(-2000) * 2 + bytes(FRAME_BYTES) + _level(3000) + bytes(FRAME_BYTES)


def test_a_call_id_with_odd_characters_makes_a_safe_name(tmp_path: Path) -> None:
    path = recording_path(tmp_path, "../../etc/passwd@x")
    assert path.parent.parent == tmp_path and path.resolve().is_relative_to(tmp_path.resolve())
    assert path.name.startswith("call-") and path.suffix == ".wav"
    assert recording_path(tmp_path, "a/b") != recording_path(tmp_path, "a_b")


def test_recordings_are_off_unless_enabled() -> None:
    assert Settings().voice_recordings is False
    assert Settings(voice_recordings=True, var_dir=Path("/srv/careline")).recordings_dir == \
        Path("/srv/careline/recordings")
