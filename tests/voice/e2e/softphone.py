"""A real SIP softphone for the tests: baresip on 127.0.0.1, driven by the test like a caller.

baresip (Debian ``baresip-core``) places the call and carries all of its media: G.711 μ-law RTP
out of what its ``aufile`` source reads, RFC 4733 telephone-events for keys, BYE. The test steers
it through two of its own control modules: ``ctrl_tcp`` (commands such as ``dial``, ``ausrc``,
``hangup``, and the call events back) and ``cons`` (key presses, as a person's fingers on the
keypad). The ``sndfile`` module writes what baresip receives, decoded, to ``dump-…-dec.wav`` as
it arrives: that is what the caller heard, read while the call goes on.

To speak, the test switches the audio source to a WAV file of the sentence followed by a long
silence (the source never runs dry, so RTP never stops); between sentences it sends silence.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tests.voice.telephony.tools import free_even_port, free_udp_port
from voice.call import CALL_RATE

MODULES = Path("/usr/lib/baresip/modules")
#: baresip's key code for "key released" (``KEYCODE_REL``): ends a telephone-event. Without it the
#: event runs on, and after 8.2 s (the longest an RFC 4733 event lasts) starts again as a new press.
KEY_RELEASE = "\x04"
#: Silence after each sentence in its WAV file: longer than any call of the tests.
TAIL_SECONDS = 150
FRAME = CALL_RATE // 50  # 20 ms in samples
#: Frames louder than this (RMS of 16-bit samples) count as sound; the hotline's silence is 0.
SOUND_RMS = 150.0
_HALF_SECOND = 25  # frames


def write_wav(path: Path, pcm: bytes) -> None:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(CALL_RATE)
        out.writeframes(pcm)


def _free_tcp_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _free_sip_port() -> int:
    """A port free for UDP and TCP both: baresip listens for SIP on UDP, TCP and TLS at once."""
    while True:
        port = free_udp_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port


class Softphone:
    """One caller with one call at a time. Use as a context manager (baresip is stopped on exit)."""

    def __init__(self, folder: Path, number: str) -> None:
        self.folder = folder
        self.number = number
        self.events: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None
        self._keys = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sentences = 0
        self.hung_up_by_us = False
        folder.mkdir(parents=True, exist_ok=True)
        self._silence = folder / "silence.wav"
        write_wav(self._silence, bytes(2 * CALL_RATE * TAIL_SECONDS))
        (folder / "accounts").write_text(f"<sip:{number}@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1\n")
        self._configure()

    def _configure(self) -> None:
        """Ports chosen now, free now: another process may take one before baresip binds it, so
        :meth:`__enter__` tries again with new ones."""
        folder = self.folder
        self._control_port, self._keys_port = _free_tcp_port(), free_udp_port()
        rtp = free_even_port()
        (folder / "config").write_text(
            "poll_method epoll\n"
            f"sip_listen 127.0.0.1:{_free_sip_port()}\n"
            f"audio_source aufile,{self._silence}\n"
            "audio_player aubridge,nowhere\n"
            f"module_path {MODULES}\n"
            "module g711.so\nmodule aufile.so\nmodule aubridge.so\nmodule sndfile.so\n"
            "module_app account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\nmodule_app cons.so\n"
            f"ctrl_tcp_listen 127.0.0.1:{self._control_port}\n"
            f"cons_listen 127.0.0.1:{self._keys_port}\n"
            f"snd_path {folder}\n"
            f"rtp_ports {rtp}-{rtp + 10}\n")

    # -- the process ------------------------------------------------------------------------

    def __enter__(self) -> Softphone:
        for attempt in range(3):
            log = (self.folder / "baresip.log").open("wb")
            self._process = subprocess.Popen(["baresip", "-f", str(self.folder)], stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
            log.close()
            if self._connect():
                break
            assert "Address already in use" in self.log_tail() and attempt < 2, self.log_tail()
            self._configure()
        threading.Thread(target=self._read_control, name="baresip-events", daemon=True).start()
        return self

    def _connect(self) -> bool:
        """Connect to baresip's control port; False when baresip exited (a port was taken)."""
        assert self._process is not None
        deadline = time.monotonic() + 20
        while True:
            if self._process.poll() is not None:
                return False
            try:
                self._control = socket.create_connection(("127.0.0.1", self._control_port), timeout=1)
                break
            except OSError:
                assert time.monotonic() < deadline, f"baresip's control port never opened\n{self.log_tail()}"
                time.sleep(0.1)
        self._control.settimeout(None)
        return True

    def __exit__(self, *_exc: object) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            if self.in_call:
                self.hang_up()
            self.command("quit")
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        if self._control is not None:
            self._control.close()
        self._keys.close()

    def log_tail(self, characters: int = 3000) -> str:
        path = self.folder / "baresip.log"
        return path.read_text(errors="replace")[-characters:] if path.exists() else ""

    # -- control ----------------------------------------------------------------------------

    def command(self, name: str, params: str = "") -> None:
        assert self._control is not None
        body = json.dumps({"command": name, "params": params, "token": name}).encode()
        self._control.sendall(str(len(body)).encode() + b":" + body + b",")

    def _read_control(self) -> None:
        """Netstrings from ctrl_tcp: command responses and call events, kept in ``events``."""
        assert self._control is not None
        buffer = b""
        while True:
            try:
                data = self._control.recv(65536)
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b":" in buffer:
                length, _colon, rest = buffer.partition(b":")
                if not length.isdigit() or len(rest) < int(length) + 1:
                    break
                message, buffer = rest[: int(length)], rest[int(length) + 1:]
                try:
                    event = json.loads(message)
                except ValueError:
                    continue
                with self._changed:
                    self.events.append(event)
                    self._changed.notify_all()

    def _call_events(self) -> list[str]:
        return [e.get("type", "") for e in self.events if e.get("event") and e.get("class") == "call"]

    def wait_for(self, check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not check():
                left = deadline - time.monotonic()
                assert left > 0, f"{what}: not within {timeout} s; events {self._call_events()}\n{self.log_tail()}"
                self._changed.wait(min(left, 0.2))

    @property
    def in_call(self) -> bool:
        kinds = self._call_events()
        return "CALL_ESTABLISHED" in kinds and "CALL_CLOSED" not in kinds

    @property
    def closed(self) -> bool:
        return "CALL_CLOSED" in self._call_events()

    @property
    def call_id(self) -> str:
        """The SIP Call-ID of the call (the hotline names its conversation after it)."""
        for event in self.events:
            if event.get("event") and event.get("type") == "CALL_ESTABLISHED":
                return str(event.get("id", ""))
        raise AssertionError("no call was established")

    # -- the caller -------------------------------------------------------------------------

    def dial(self, port: int, number: str = "hotline", timeout: float = 15.0) -> None:
        self.command("dial", f"sip:{number}@127.0.0.1:{port}")
        self.wait_for(lambda: "CALL_ESTABLISHED" in self._call_events() or "CALL_CLOSED" in self._call_events(),
                      timeout, "the hotline answering")
        assert self.in_call, f"the call was not answered: {self._call_events()}"
        self.wait_for(lambda: self._dump() is not None, 5, "baresip's recording starting")

    def say(self, pcm: bytes, wait: bool = True) -> float:
        """Speak ``pcm`` (8 kHz) into the call, then silence; returns when it has been sent (or at
        once, ``wait=False``). Returns the seconds it lasts."""
        self._sentences += 1
        path = self.folder / f"say-{self._sentences}.wav"
        write_wav(path, pcm + bytes(2 * CALL_RATE * TAIL_SECONDS))
        self.command("ausrc", f"aufile,{path}")
        seconds = len(pcm) / 2 / CALL_RATE
        if wait:
            time.sleep(seconds)
        return seconds

    def press(self, digit: str, hold: float = 0.2) -> None:
        """One key press (an RFC 4733 telephone-event), held ``hold`` seconds."""
        self._keys.sendto(digit.encode(), ("127.0.0.1", self._keys_port))
        time.sleep(hold)
        self._keys.sendto(KEY_RELEASE.encode(), ("127.0.0.1", self._keys_port))
        time.sleep(0.1)

    def hang_up(self) -> None:
        self.hung_up_by_us = True
        self.command("hangup")
        self.wait_for(lambda: self.closed, 10, "the call closing")

    # -- what the caller heard --------------------------------------------------------------

    def _dump(self) -> Path | None:
        dumps = sorted(self.folder.glob("dump-*-dec.wav"))
        return dumps[-1] if dumps else None

    def heard(self, since: int = 0) -> bytes:
        """What the caller heard (8 kHz PCM) from byte ``since`` of the call's audio on."""
        dump = self._dump()
        if dump is None:
            return b""
        with dump.open("rb") as recording:
            start = recording.read(512).find(b"data")  # the WAV header: its sizes are written at the end
            if start < 0:
                return b""
            recording.seek(start + 8 + since)
            pcm = recording.read()
        return pcm[: len(pcm) // 2 * 2]

    @property
    def mark(self) -> int:
        """Where the audio heard from now on starts (for :meth:`heard`)."""
        return len(self.heard())

    def _sound(self, since: int) -> np.ndarray:
        samples = np.frombuffer(self.heard(since), dtype="<i2")
        frames = samples[: len(samples) // FRAME * FRAME].reshape(-1, FRAME).astype(np.float64)
        return np.sqrt((frames ** 2).mean(axis=1)) > SOUND_RMS if len(frames) else np.zeros(0, bool)

    def seconds_until_sound(self, since: int) -> float | None:
        """Seconds of the call's audio from ``since`` to the first sound; None before any."""
        sound = self._sound(since)
        return float(np.argmax(sound)) * FRAME / CALL_RATE if sound.any() else None

    def sent(self) -> bytes:
        """What the caller sent (8 kHz PCM), as baresip encoded it."""
        dumps = sorted(self.folder.glob("dump-*-enc.wav"))
        if not dumps:
            return b""
        raw = dumps[-1].read_bytes()
        start = raw[:512].find(b"data")
        pcm = raw[start + 8:] if start >= 0 else b""
        return pcm[: len(pcm) // 2 * 2]

    def until_answered(self, since: int, quiet: float = 3.0, timeout: float = 60.0, longest: float | None = None,
                       ready: Callable[[], bool] | None = None) -> bytes:
        """Wait until the hotline has said something after ``since`` and then stayed quiet for
        ``quiet`` seconds of the call, or, with ``longest``, until that many seconds have been
        heard from its first sound; what was heard from ``since`` on.

        ``ready`` says when the answer waited for exists (the hub has recorded it): sound before
        that ("one moment", which may be followed by a longer silence) does not count."""
        deadline = time.monotonic() + timeout
        ready_at: int | None = 0 if ready is None else None
        while time.monotonic() < deadline:
            sound = self._sound(since)
            if ready_at is None and ready is not None and ready():
                ready_at = max(0, len(sound) - _HALF_SECOND)
            after = sound[ready_at:] if ready_at is not None else sound[:0]
            if after.any():
                first = ready_at + int(np.argmax(after))
                last = len(sound) - 1 - int(np.argmax(sound[::-1]))
                if (len(sound) - 1 - last) * FRAME / CALL_RATE >= quiet:
                    return self.heard(since)
                if longest is not None and (len(sound) - first) * FRAME / CALL_RATE >= longest:
                    return self.heard(since)[: (first * FRAME + int(longest * CALL_RATE)) * 2]
            if self.closed:
                return self.heard(since)
            time.sleep(0.1)
        raise AssertionError(f"the hotline did not answer and fall quiet for {quiet} s within {timeout} s")
