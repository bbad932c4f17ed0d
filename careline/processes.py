"""The processes ``careline run`` starts, under honcho's Procfile-style supervisor."""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field

from honcho.manager import Manager

from careline.catalogue import say
from careline.settings import Settings


@dataclass(frozen=True)
class Process:
    name: str
    command: str
    env: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # secrets: kept out of the command


def planned_processes(settings: Settings) -> list[Process]:
    """What runs in one CareLine system: the action server, Rasa, the hub (with its channels) and,
    unless ``hotline_enabled`` is off, the voice hotline.
    The action server and Rasa listen on local interfaces by default, and each asks its callers
    for a secret (careline/secrets.py)."""
    from careline.engine import RASA_TOKEN_ENV, model_path, rasa_run_command, write_engine_files
    from careline.secrets import ACTION_SERVER, RASA_API, secret

    python = shlex.quote(sys.executable)
    api_token = secret(RASA_API, settings)
    endpoints, credentials = write_engine_files(
        settings.var_dir / "engine", settings.action_server_url, settings.bot_reply_timeout,
        settings.resolved_tracker_store_url, settings.lock_store_url or None,
        action_token=secret(ACTION_SERVER, settings), api_token=api_token)
    engines = [Process("rasa" if i == 0 else f"rasa{i + 1}", " ".join(shlex.quote(part) for part in rasa_run_command(
        model_path().resolve(), settings.rasa_port + i, endpoints.resolve(), credentials.resolve(),
        settings.rasa_host)), {RASA_TOKEN_ENV: api_token})
        for i in range(settings.rasa_workers)]
    hotline = [Process("hotline", f"{python} -m careline.cli hotline")] if settings.hotline_enabled else []
    return [
        Process("actions", f"{python} -m careline.action_server --actions actions "
                f"--host {shlex.quote(settings.action_server_host)} --port {settings.action_server_port}"),
        *engines,
        Process("hub", f"{python} -m careline.cli hub"),
        *hotline,
    ]


def run_processes(settings: Settings, language: str) -> int:
    processes = planned_processes(settings)
    print(say("cli.starting", language, names=", ".join(p.name for p in processes)), flush=True)
    from careline.engine import engine_env

    manager = Manager()
    env = dict(engine_env(), PYTHONUNBUFFERED="1")
    for process in processes:
        manager.add_process(process.name, process.command, env={**env, **process.env})
    manager.loop()
    return manager.returncode or 0
