"""``careline hotline`` as its own process: with no call session to run, a caller hears that the
hotline is not available (Mandarin, then English) and the hotline hangs up; the caller's number
never reaches the log in clear; SIGTERM stops it cleanly."""

from __future__ import annotations

import audioop
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

from careline.paths import PROJECT_ROOT
from careline.settings import Settings
from tests.voice.telephony.conftest import SCENARIOS
from tests.voice.telephony.tools import best_match, free_udp_port, rms
from voice.call import CALL_RATE
from voice.telephony.hotline import load_handler, preparation, unavailable_audio


class RtpSink:
    """A caller's RTP socket: keeps the audio of every G.711 packet that arrives."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets: list[tuple[int, int, bytes]] = []  # (sequence, payload type, payload)
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        while self.running:
            try:
                data = self.sock.recv(2048)
            except TimeoutError:
                continue
            if len(data) > 12 and data[0] >> 6 == 2:
                payload_type = data[1] & 0x7F
                sequence = struct.unpack("!H", data[2:4])[0]
                self.packets.append((sequence, payload_type, data[12:]))

    def audio(self) -> bytes:
        self.running = False
        self.thread.join(2)
        self.sock.close()
        decode = {0: audioop.ulaw2lin, 8: audioop.alaw2lin}
        return b"".join(decode[pt](payload, 2) for _seq, pt, payload in sorted(self.packets) if pt in decode)


def _start(tmp_path: Path, port: int, handler: str) -> tuple[subprocess.Popen[bytes], Path]:
    rtp = free_udp_port() // 2 * 2
    env = {**os.environ, "CARELINE_VAR_DIR": str(tmp_path / "var"), "CARELINE_SIP_PORT": str(port),
           "CARELINE_SIP_RTP_PORT_MIN": str(min(rtp, 64000)), "CARELINE_SIP_RTP_PORT_MAX": str(min(rtp, 64000) + 50),
           "CARELINE_SIP_NO_MEDIA_SECONDS": "60", "CARELINE_HOTLINE_HANDLER": handler,
           "CARELINE_TTS_ONLINE": "false", "CARELINE_LANGUAGE": "en", "PYTHONPATH": str(PROJECT_ROOT)}
    log = tmp_path / "hotline.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "careline.cli", "hotline"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while "answering SIP" not in log.read_text(errors="replace"):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.2)
    return process, log


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


def test_without_a_call_session_callers_hear_the_hotline_is_not_available(tmp_path: Path) -> None:
    port = free_udp_port()
    process, log = _start(tmp_path, port, "voice.hotline.no_such_module:handle_call")
    try:
        sink = RtpSink()
        caller = "13912345678"
        done = subprocess.run(
            ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIOS / "listen.xml"), "-s", "hotline", "-key", "caller",
             caller, "-key", "rtp_port", str(sink.port), "-i", "127.0.0.1", "-m", "1", "-nostdin",
             "-timeout", "40s", "-timeout_error", "-trace_err", "-error_file", str(tmp_path / "sipp.log")],
            cwd=tmp_path, capture_output=True, text=True, timeout=60)
        heard = sink.audio()
        assert done.returncode == 0, (tmp_path / "sipp.log").read_text(errors="replace")  # the hotline hung up
    finally:
        code = _stop(process)
    output = log.read_text(errors="replace")
    assert code == 0, output
    assert "hotline_handler_unavailable" in output
    assert caller not in output, "the caller's number is logged in clear"
    expected = unavailable_audio(Settings(var_dir=tmp_path / "var", tts_online=False))  # from the same cache
    assert len(heard) >= len(expected) * 0.9 and rms(heard) > 300
    second = CALL_RATE * 2
    pieces = [expected[i:i + second] for i in range(0, len(expected) - second, second)]
    matches = [best_match(heard, piece) for piece in pieces if rms(piece) > 300]
    assert matches and float(np.median(matches)) > 0.9, matches


def test_the_hotline_says_so_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        env = {**os.environ, "CARELINE_VAR_DIR": str(tmp_path / "var"), "CARELINE_SIP_PORT": str(port),
               "CARELINE_HOTLINE_HANDLER": "tests.voice.telephony.test_hotline_cli:a_handler",
               "PYTHONPATH": str(PROJECT_ROOT)}
        done = subprocess.run([sys.executable, "-m", "careline.cli", "hotline", "--lang", "en"], env=env,
                              capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 3
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


async def a_handler(call: object) -> None:
    """A call session for the tests above (never called: the port is taken)."""


def test_the_handler_is_found_by_its_dotted_path() -> None:
    assert load_handler("tests.voice.telephony.test_hotline_cli:a_handler") is a_handler
    assert load_handler("tests.voice.telephony.test_hotline_cli.a_handler") is a_handler


def test_the_call_sessions_prepare_is_found_beside_it() -> None:
    """What ``serve`` runs at start-up: the session module's ``prepare`` (models loaded before
    the first call), or nothing when the module has none."""
    from voice.hotline import session

    assert preparation(load_handler("voice.hotline.session:handle_call")) is session.prepare
    assert preparation(a_handler) is None
