"""Start a local action server and Rasa server on free ports (tests and benchmarks).

Like ``careline run``, each server asks its callers for a secret; a stack makes its own two
(``action_token``, ``rasa_token``), and :meth:`Stack.say`, :attr:`Stack.headers` and
:attr:`Stack.api_params` carry the one Rasa wants.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from careline.engine import RASA_TOKEN_ENV, engine_env, model_path, rasa_run_command, write_engine_files
from careline.paths import PROJECT_ROOT


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
class Stack:
    """A Rasa server and an action server over one database, stopped with :meth:`stop`."""

    folder: Path
    database_url: str
    reply_timeout: float = 8.0
    rasa_workers: int = 1
    rasa_url: str = ""
    rasa_urls: list[str] = field(default_factory=list)
    action_url: str = ""
    action_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    rasa_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    clock_start: dt.datetime | None = None
    clock_anchor: float = field(default_factory=time.time)
    _action_command: list[str] = field(default_factory=list)
    _rasa_command: list[str] = field(default_factory=list)

    def start(self, model: Path | None = None) -> Stack:
        action_port, rasa_port = free_port(), free_port()
        self.action_url = f"http://127.0.0.1:{action_port}"
        self.rasa_url = f"http://127.0.0.1:{rasa_port}"
        self._action_command = [sys.executable, "-m", "careline.action_server", "--actions", "actions",
                                "--host", "127.0.0.1", "--port", str(action_port)]
        self._launch_actions()
        endpoints, credentials = write_engine_files(self.folder / "engine", f"{self.action_url}/webhook",
                                                    self.reply_timeout,
                                                    f"sqlite:///{(self.folder / 'tracker.db').as_posix()}",
                                                    action_token=self.action_token, api_token=self.rasa_token)
        self._rasa_command = rasa_run_command(model or model_path(), rasa_port, endpoints, credentials)
        self._launch_rasa()  # both start at once: each spends most of its start importing
        self._await_actions()
        self._await_rasa()
        for index in range(1, self.rasa_workers):
            port = free_port()
            command = rasa_run_command(model or model_path(), port, endpoints, credentials)
            self._start_engine(f"rasa{index + 1}", command, f"http://127.0.0.1:{port}")
        return self

    @property
    def headers(self) -> dict[str, str]:
        """What our REST channel asks of a caller."""
        return {"Authorization": f"Bearer {self.rasa_token}"}

    @property
    def api_params(self) -> dict[str, str]:
        """What Rasa's HTTP API (``--auth-token``) asks of a caller: a ``token`` query parameter."""
        return {"token": self.rasa_token}

    def _engine_env(self) -> dict[str, str]:
        return {**engine_env(), RASA_TOKEN_ENV: self.rasa_token}

    @property
    def all_rasa_urls(self) -> str:
        """Every Rasa server, comma-separated, as the hub's setting takes them."""
        return ",".join([self.rasa_url, *self.rasa_urls])

    def _start_engine(self, name: str, command: list[str], url: str) -> None:
        log_path = self.folder / f"{name}.log"
        with log_path.open("ab") as log:
            self.processes[name] = subprocess.Popen(command, env=self._engine_env(), stdout=log,
                                                    stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
        wait_http(f"{url}/status", self.processes[name], 300, log_path)
        self.rasa_urls.append(url)

    def start_rasa(self) -> None:
        self._launch_rasa()
        self._await_rasa()

    def _launch_rasa(self) -> None:
        with (self.folder / "rasa.log").open("ab") as log:
            self.processes["rasa"] = subprocess.Popen(self._rasa_command, env=self._engine_env(), stdout=log,
                                                      stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)

    def _await_rasa(self) -> None:
        wait_http(f"{self.rasa_url}/status", self.processes["rasa"], 300, self.folder / "rasa.log")

    def stop_rasa(self) -> None:
        process = self.processes.pop("rasa")
        process.terminate()
        process.wait(timeout=30)

    def now(self) -> dt.datetime:
        """Local time on the action server's clock (the real local time unless ``clock_start`` is set)."""
        if self.clock_start is None:
            from careline import clock

            return clock.local_now()
        return self.clock_start + dt.timedelta(seconds=time.time() - self.clock_anchor)

    def set_clock(self, start: dt.datetime) -> None:
        """Restart the action server with its clock at ``start`` (local wall time) from now on."""
        self.clock_start, self.clock_anchor = start, time.time()
        self.stop_actions()
        self.start_actions()

    def start_actions(self) -> None:
        self._launch_actions()
        self._await_actions()

    def _launch_actions(self) -> None:
        env = {**os.environ, "CARELINE_DATABASE_URL": self.database_url, "PYTHONUNBUFFERED": "1",
               "CARELINE_SECRET_ACTION_SERVER": self.action_token}
        # Sanic shuts the server down when its worker has not reported ready within 30 s, which a
        # loaded 2-core machine (several stacks starting at once) exceeds
        env.setdefault("SANIC_WORKER_ACK_TIMEOUT", "180")
        if self.clock_start is not None:
            env.update(CARELINE_CLOCK_START=self.clock_start.isoformat(), CARELINE_CLOCK_ANCHOR=repr(self.clock_anchor))
        with (self.folder / "actions.log").open("ab") as log:
            self.processes["actions"] = subprocess.Popen(self._action_command, env=env, stdout=log,
                                                         stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)

    def _await_actions(self) -> None:
        # a loaded 2-core machine (several stacks starting at once) takes over a minute to import actions
        wait_http(f"{self.action_url}/health", self.processes["actions"], 180, self.folder / "actions.log")

    def stop_actions(self) -> None:
        """Stop the action server; it is killed if it does not stop in a few seconds (Sanic waits
        for Rasa's keep-alive connections to close before it exits)."""
        process = self.processes.pop("actions")
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def say(self, sender: str, text: str, **metadata: Any) -> list[dict[str, Any]]:
        response = httpx.post(f"{self.rasa_url}/webhooks/careline/webhook",
                              json={"sender": sender, "message": text, "metadata": metadata}, headers=self.headers,
                              timeout=60)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()
