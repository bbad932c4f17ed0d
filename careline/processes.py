"""The processes ``careline run`` starts, under honcho's Procfile-style supervisor."""

from __future__ import annotations

import os
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
    """What runs in one CareLine system; later parts (Rasa, hub, gateways) add theirs here."""
    python = shlex.quote(sys.executable)
    return [
        Process("actions", f"{python} -m rasa_sdk --actions actions --port {settings.action_server_port}"),
    ]


def run_processes(settings: Settings, language: str) -> int:
    processes = planned_processes(settings)
    print(say("starting", language, names=", ".join(p.name for p in processes)), flush=True)
    manager = Manager()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    for process in processes:
        manager.add_process(process.name, process.command, env=env)
    manager.loop()
    return manager.returncode or 0
