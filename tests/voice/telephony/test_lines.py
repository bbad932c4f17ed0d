"""``careline hotline`` with more callers than one SIP stack takes: the front spreads calls over
line processes, talks with at most ``sip_max_calls`` at once, and lets the rest hear that the
lines are busy; twenty calls arriving in the same second crash nothing and none is left unanswered."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from careline.paths import PROJECT_ROOT
from tests.voice.telephony.conftest import SCENARIOS
from tests.voice.telephony.test_hotline_cli import RtpSink
from tests.voice.telephony.tools import free_udp_port

MAX_CALLS = 6
CALLS = 20


def _start(tmp_path: Path, port: int) -> tuple[subprocess.Popen[bytes], Path]:
    rtp = min(free_udp_port() // 2 * 2, 60000)
    env = {**os.environ, "CARELINE_VAR_DIR": str(tmp_path / "var"), "CARELINE_SIP_PORT": str(port),
           "CARELINE_SIP_RTP_PORT_MIN": str(rtp), "CARELINE_SIP_RTP_PORT_MAX": str(rtp + 300),
           "CARELINE_SIP_MAX_CALLS": str(MAX_CALLS), "CARELINE_SIP_HOLD_SECONDS": "40",
           "CARELINE_SIP_NO_MEDIA_SECONDS": "60", "CARELINE_TTS_ONLINE": "false", "CARELINE_LANGUAGE": "en",
           "CARELINE_HOTLINE_HANDLER": "tests.voice.telephony.line_session:handle_call",
           "CARELINE_TEST_CALLS_DIR": str(tmp_path / "calls"), "CARELINE_TEST_CALL_SECONDS": "2",
           "PYTHONPATH": str(PROJECT_ROOT)}
    log = tmp_path / "hotline.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "careline.cli", "hotline"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while log.read_text(errors="replace").count("hotline_line_ready") < 2:
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
        time.sleep(0.2)
    return process, log


def _most_at_once(records: list[dict]) -> int:
    edges = sorted([(r["start"], 1) for r in records] + [(r["end"], -1) for r in records])
    best = current = 0
    for _at, step in edges:
        current += step
        best = max(best, current)
    return best


def test_twenty_calls_at_once_are_all_answered_by_lines_or_the_busy_message(tmp_path: Path) -> None:
    port = free_udp_port()
    process, log = _start(tmp_path, port)
    try:
        sink = RtpSink()
        done = subprocess.run(
            ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIOS / "listen.xml"), "-s", "hotline",
             "-key", "caller", "13912345678", "-key", "rtp_port", str(sink.port), "-i", "127.0.0.1",
             "-m", str(CALLS), "-l", str(CALLS), "-r", str(CALLS), "-nostdin", "-timeout", "120s",
             "-timeout_error", "-trace_err", "-error_file", str(tmp_path / "sipp.log")],
            cwd=tmp_path, capture_output=True, text=True, timeout=150)
        sink.audio()
        errors = (tmp_path / "sipp.log").read_text(errors="replace") if (tmp_path / "sipp.log").exists() else ""
        assert done.returncode == 0, errors + done.stdout[-2000:]  # every call answered, then hung up by us
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    output = log.read_text(errors="replace")
    assert code == 0, output[-3000:]
    records = [json.loads(path.read_text()) for path in (tmp_path / "calls").glob("*.json")]
    busy = output.count("busy=True")
    assert len(records) + busy == CALLS, (len(records), busy)
    assert busy >= 1 and len(records) >= MAX_CALLS
    assert _most_at_once(records) <= MAX_CALLS
    assert len({record["pid"] for record in records}) == 2  # both line processes talked with callers
    assert "13912345678" not in output
