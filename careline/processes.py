"""The processes ``careline run`` starts, under honcho's Procfile-style supervisor."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass

from honcho.manager import Manager

from careline.settings import Settings
from careline.texts import say


@dataclass(frozen=True)
class Process:
    name: str
    command: str


def planned_processes(settings: Settings) -> list[Process]:
    """What runs in one CareLine system: the action server, Rasa, and the hub (with its channels)."""
    from careline.engine import model_path, rasa_run_command, write_engine_files

    python = shlex.quote(sys.executable)
    endpoints, credentials = write_engine_files(
        settings.var_dir / "engine", f"http://127.0.0.1:{settings.action_server_port}/webhook",
        settings.bot_reply_timeout, settings.resolved_tracker_store_url, settings.lock_store_url or None)
    engines = [Process("rasa" if i == 0 else f"rasa{i + 1}", " ".join(shlex.quote(part) for part in rasa_run_command(
        model_path().resolve(), settings.rasa_port + i, endpoints.resolve(), credentials.resolve())))
        for i in range(settings.rasa_workers)]
    return [
        Process("actions", f"{python} -m rasa_sdk --actions actions --port {settings.action_server_port}"),
        *engines,
        Process("hub", f"{python} -m careline.cli hub"),
    ]


def run_processes(settings: Settings, language: str) -> int:
    processes = planned_processes(settings)
    print(say("starting", language, names=", ".join(p.name for p in processes)), flush=True)
    from careline.engine import engine_env

    manager = Manager()
    env = dict(engine_env(), PYTHONUNBUFFERED="1")
    for process in processes:
        manager.add_process(process.name, process.command, env=env)
    manager.loop()
    return manager.returncode or 0
