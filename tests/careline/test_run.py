"""``careline run`` as ``make run`` starts it: the action server, Rasa, the hub and the voice
hotline, each on loopback, on a fresh SQLite database with the sample districts; a terminal chat through the hub
gets an answer from the dialogue engine."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from careline.engine import ENGINE_VENV, model_path
from careline.paths import PROJECT_ROOT
from careline.stack import free_port
from tests.careline.test_cli import careline
from tests.voice.telephony.tools import free_udp_port, sip_options

pytestmark = [pytest.mark.dialogue, pytest.mark.long]


def test_careline_run_starts_everything_and_a_chat_is_answered(tmp_path: Path) -> None:
    assert (ENGINE_VENV / "bin" / "rasa").exists() and model_path().exists(), "run `make model` first"
    ports = {"CARELINE_HUB_PORT": free_port(), "CARELINE_RASA_PORT": free_port(),
             "CARELINE_ACTION_SERVER_PORT": free_port()}
    sip_port, rtp_port = free_udp_port(), free_udp_port() // 2 * 2
    env = {**os.environ, "CARELINE_VAR_DIR": str(tmp_path / "var"), **{k: str(v) for k, v in ports.items()},
           "CARELINE_SIP_PORT": str(sip_port), "CARELINE_SIP_RTP_PORT_MIN": str(min(rtp_port, 64000)),
           "CARELINE_SIP_RTP_PORT_MAX": str(min(rtp_port, 64000) + 100)}
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "careline", "run"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, cwd=PROJECT_ROOT, start_new_session=True)
    try:
        hub = f"http://127.0.0.1:{ports['CARELINE_HUB_PORT']}"
        rasa = f"http://127.0.0.1:{ports['CARELINE_RASA_PORT']}"
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text(errors="replace")[-4000:]
            try:
                if httpx.get(f"{hub}/healthz", timeout=2).status_code == 200 and \
                        httpx.get(f"{rasa}/status", timeout=2).status_code == 401:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            raise AssertionError(log.read_text(errors="replace")[-4000:])
        assert httpx.get(f"http://127.0.0.1:{ports['CARELINE_ACTION_SERVER_PORT']}/actions", timeout=5) \
            .status_code == 401, "the action server wants its token"
        assert sip_options(sip_port, wait=60) == b"SIP/2.0 200 OK", "the voice hotline answers"
        chat_env = {"CARELINE_VAR_DIR": env["CARELINE_VAR_DIR"], **{k: str(v) for k, v in ports.items()}}
        done = careline("chat", "--lang", "en", "--message", "what is the old age allowance", env=chat_env,
                        cwd=PROJECT_ROOT, timeout=120)
        assert done.returncode == 0, done.stderr
        assert "allowance" in done.stdout.lower() and "connecting you" not in done.stdout.lower(), done.stdout
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
