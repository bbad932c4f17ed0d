"""A real Rasa server and a real action server on free local ports, over a database imported
from the sample bundles (and a second district the model never saw in training)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from careline.engine import ENGINE_VENV, engine_env, model_path, rasa_run_command, write_engine_files
from careline.settings import PROJECT_ROOT, SAMPLE_BUNDLES
from knowledge import db
from knowledge.bundle import import_path
from tests.conftest import MAPLE

pytestmark = pytest.mark.dialogue


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up in {timeout} s:\n{log.read_text(errors='replace')[-3000:]}")


@dataclass
class Servers:
    rasa_url: str
    action_url: str
    database_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    action_command: list[str] = field(default_factory=list)
    action_env: dict[str, str] = field(default_factory=dict)
    action_log: Path | None = None

    def say(self, sender: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
        response = httpx.post(f"{self.rasa_url}/webhooks/careline/webhook",
                              json={"sender": sender, "message": text, "metadata": metadata}, timeout=60)
        response.raise_for_status()
        return response.json()

    def start_actions(self) -> None:
        assert self.action_log is not None
        log = self.action_log.open("ab")
        self.processes["actions"] = subprocess.Popen(self.action_command, env=self.action_env, stdout=log,
                                                     stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        wait_http(f"{self.action_url}/health", self.processes["actions"], 60, self.action_log)

    def stop_actions(self) -> None:
        process = self.processes.pop("actions")
        process.terminate()
        process.wait(timeout=20)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    model = model_path()
    if not (ENGINE_VENV / "bin" / "rasa").exists() or not model.exists():
        pytest.fail(f"the engine venv and a trained model are needed: run `make model` ({model})")
    tmp = tmp_path_factory.mktemp("dialogue")
    database_url = f"sqlite:///{tmp / 'careline.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    today = dt.date.today()
    for bundle in (SAMPLE_BUNDLES, MAPLE):
        result = import_path(db.session_factory(engine), bundle, today)
        assert result.ok, [p.say("en") for p in result.problems]
    engine.dispose()

    action_port, rasa_port = free_port(), free_port()
    action_url = f"http://127.0.0.1:{action_port}"
    env = {**os.environ, "CARELINE_DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1"}
    servers = Servers(f"http://127.0.0.1:{rasa_port}", action_url, database_url,
                      action_command=[sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port",
                                      str(action_port)],
                      action_env=env, action_log=tmp / "actions.log")
    servers.start_actions()
    endpoints, credentials = write_engine_files(tmp / "engine", f"{action_url}/webhook", reply_timeout=8)
    rasa_log = tmp / "rasa.log"
    with rasa_log.open("wb") as log:
        servers.processes["rasa"] = subprocess.Popen(
            rasa_run_command(model, rasa_port, endpoints, credentials), env=engine_env(), stdout=log,
            stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    wait_http(f"{servers.rasa_url}/status", servers.processes["rasa"], 240, rasa_log)
    yield servers
    for process in servers.processes.values():
        process.terminate()
    for process in servers.processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def tracker(servers: Servers, sender: str) -> dict[str, Any]:
    return httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", timeout=30).json()
