"""A real hotline endpoint (pjsua2) on 127.0.0.1 with a recording test session, and SIPp to call it.

One endpoint serves the whole test session (pjsua2 allows one library per process). The number
a test dials (SIPp ``-s``) picks what the session does; each test calls from its own caller
number (``-key caller``) and finds its call's record by it.
"""

from __future__ import annotations

import asyncio
import audioop
import itertools
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from ipaddress import ip_network
from pathlib import Path

import pytest

from tests.voice.telephony.tools import free_udp_port, tone
from voice.audio import resample
from voice.call import CALL_RATE, Call, EventKind
from voice.telephony.endpoint import EndpointConfig
from voice.telephony.hotline import Hotline

SCENARIOS = Path(__file__).parent / "scenarios"
SPEECH = Path("/usr/share/pocketsphinx/test/data/goforward.raw")
NO_MEDIA_SECONDS = 2.0
MAX_CALLS = 3
#: the "trunk": the tests' callers send from 127.0.0.1; 127.0.0.2 (also this machine) is a stranger
TRUSTED_PEER = "127.0.0.1/32"
TRANSFER_TARGET = "8001"
_numbers = itertools.count(13900000001)


@dataclass
class CallRecord:
    call: Call
    heard: bytearray = field(default_factory=bytearray)
    digits: list[str] = field(default_factory=list)
    hangup_reason: str = ""
    transferred: bool | None = None
    saw_other_call: bool = False
    busy: bool = False
    done: threading.Event = field(default_factory=threading.Event)


class RecordingSessions:
    """The test's call session: what it does depends on the number dialled."""

    def __init__(self) -> None:
        self.records: dict[str, CallRecord] = {}
        self.lock = threading.Lock()
        self.active = 0
        self.two_active: asyncio.Event | None = None

    def record_for(self, caller: str, timeout: float = 15.0) -> CallRecord:
        """The finished call from ``caller``."""
        with self.lock:
            record = self.records.get(caller)
        assert record is not None, f"no call from {caller}: {sorted(self.records)}"
        assert record.done.wait(timeout), "the call did not end"
        return record

    def calls_from(self, caller: str) -> list[CallRecord]:
        with self.lock:
            return [r for key, r in self.records.items() if key.split("#")[0] == caller]

    def _add(self, call: Call) -> CallRecord:
        record = CallRecord(call)
        with self.lock:
            key = call.caller if call.caller not in self.records else f"{call.caller}#{call.call_id}"
            self.records[key] = record
        return record

    async def busy(self, call: Call) -> None:
        """What a call beyond the hotline's capacity gets: a short tone, then goodbye."""
        record = self._add(call)
        record.busy = True
        try:
            call.play(tone(600, 0.5))
            while call.playing_seconds > 0:
                event = await call.next_event(0.1)
                if event is not None and event.kind is EventKind.HANGUP:
                    record.hangup_reason = event.reason
                    return
            await call.hang_up()
            await self._listen(call, record)
        finally:
            record.done.set()

    async def __call__(self, call: Call) -> None:
        record = self._add(call)
        with self.lock:
            self.active += 1
            if self.two_active is None:
                self.two_active = asyncio.Event()
            if self.active >= 2:
                self.two_active.set()
        try:
            await self._behave(call, record)
        finally:
            with self.lock:
                self.active -= 1
            record.done.set()

    async def _listen(self, call: Call, record: CallRecord, until_audio: bool = False) -> bool:
        """Record until the call ends (False) or, with ``until_audio``, until the first frame (True)."""
        while True:
            event = await call.next_event(10)
            if event is None:
                continue
            if event.kind is EventKind.AUDIO:
                record.heard += event.audio
                if until_audio:
                    return True
            elif event.kind is EventKind.DIGIT:
                record.digits.append(event.digit)
            else:
                record.hangup_reason = event.reason
                return False

    async def _listen_once(self, call: Call, record: CallRecord) -> bool:
        """Take one event (0.1 s at most); False once the call has ended."""
        event = await call.next_event(0.1)
        if event is None:
            return True
        if event.kind is EventKind.AUDIO:
            record.heard += event.audio
        elif event.kind is EventKind.DIGIT:
            record.digits.append(event.digit)
        else:
            record.hangup_reason = event.reason
            return False
        return True

    async def _behave(self, call: Call, record: CallRecord) -> None:
        if call.called == "echo":
            call.play(tone(1000, 1.0))
        elif call.called == "hangup":
            if await self._listen(call, record, until_audio=True):
                await call.hang_up()
        elif call.called == "transfer":
            if await self._listen(call, record, until_audio=True):
                record.transferred = await call.transfer(TRANSFER_TARGET)
        elif call.called == "speak":
            call.play(speech_clip() + bytes(CALL_RATE))  # and a second of quiet before goodbye
            while call.playing_seconds > 0:
                if not await self._listen_once(call, record):
                    return
            await call.hang_up()
        elif call.called == "together":
            assert self.two_active is not None
            try:
                await asyncio.wait_for(self.two_active.wait(), 10)
                record.saw_other_call = True
            except TimeoutError:
                pass
        await self._listen(call, record)


@dataclass
class RunningHotline:
    port: int
    sessions: RecordingSessions
    hotline: Hotline


@pytest.fixture(scope="session")
def hotline() -> Iterator[RunningHotline]:
    assert shutil.which("sipp"), "SIPp is missing: apt-get install sip-tester (make install does)"
    port = free_udp_port()
    rtp = free_udp_port() // 2 * 2
    rtp = min(rtp, 64000)
    config = EndpointConfig(host="127.0.0.1", port=port, rtp_port_min=rtp, rtp_port_max=rtp + 200,
                            no_media_seconds=NO_MEDIA_SECONDS, max_calls=MAX_CALLS,
                            trusted_peers=(ip_network(TRUSTED_PEER),))
    sessions = RecordingSessions()
    hotline = Hotline(config, sessions, busy=sessions.busy)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(hotline.start())
        except BaseException as error:  # noqa: BLE001 - reported to the fixture
            failure.append(error)
            started.set()
            return
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="hotline-loop", daemon=True)
    thread.start()
    assert started.wait(30) and not failure, failure
    try:
        yield RunningHotline(port, sessions, hotline)
    finally:
        asyncio.run_coroutine_threadsafe(hotline.stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def speech_clip() -> bytes:
    """Real speech at 8 kHz: "go forward ten meters" (Debian pocketsphinx-testdata, 16 kHz raw)."""
    assert SPEECH.exists(), "apt-get install pocketsphinx-testdata (make install does)"
    return resample(SPEECH.read_bytes(), 16000, CALL_RATE)


def new_caller() -> str:
    return str(next(_numbers))


def write_ulaw(folder: Path, pcm: bytes) -> None:
    """What SIPp streams (``rtp_stream="caller.ulaw"``): raw μ-law in the working folder."""
    (folder / "caller.ulaw").write_bytes(audioop.lin2ulaw(pcm, 2))


def sipp(hotline: RunningHotline, scenario: str, service: str, caller: str, folder: Path, *extra: str,
         duration_ms: int = 1000, calls: int = 1, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run one SIPp scenario against the hotline; exit code 0 when every call went as scripted."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "caller.ulaw").exists():
        write_ulaw(folder, bytes(CALL_RATE * 2))  # one second of silence, looped
    command = ["sipp", f"127.0.0.1:{hotline.port}", "-sf", str(SCENARIOS / scenario), "-s", service,
               "-key", "caller", caller, "-i", "127.0.0.1", "-mi", "127.0.0.1", "-m", str(calls),
               "-l", str(calls), "-r", str(max(1, calls * 2)), "-d", str(duration_ms), "-nostdin",
               "-timeout", f"{int(timeout - 5)}s", "-timeout_error", "-recv_timeout", "15s",
               "-trace_err", "-error_file", str(folder / "sipp_errors.log"), *extra]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout)
    errors = folder / "sipp_errors.log"
    done.stdout = errors.read_text(errors="replace") if errors.exists() else ""
    return done
