"""The hub's HTTP app served for real (uvicorn on a free port, in a thread), as the hub process
serves it, for tests of its doors."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.app import create_app
from careline.secrets import secret
from careline.settings import Settings
from careline.stack import free_port
from knowledge import db
from knowledge.models import District, Elder
from tests.standins.telegram_api import TelegramAPI


@contextmanager
def serve(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Run ``app`` on uvicorn in a thread (its lifespan included); yield its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="hub-http", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the hub did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@dataclass
class ApiHub:
    """A hub serving HTTP over the fixture district, Telegram (the stand-in) on, Rasa not running."""

    url: str
    settings: Settings
    sessions: sessionmaker[Session]

    def token(self, channel: str) -> str:
        return secret(f"channel_{channel}", self.settings)

    def elder(self, key: str) -> int:
        with self.sessions() as session:
            return session.scalar(select(Elder.id).join(District, District.id == Elder.district_id)
                                  .where(Elder.key == key, District.key == "maple-town"))


def api_settings(engine: Engine, tmp: Path, telegram_api: TelegramAPI, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": engine.url.render_as_string(hide_password=False), "var_dir": tmp / "var",
        "rasa_url": f"http://127.0.0.1:{free_port()}", "hub_bot_timeout": 2.0, "outbox_max_backoff": 1.0,
        "telegram_token": telegram_api.token, "telegram_base_url": telegram_api.base_url,
        "telegram_base_file_url": telegram_api.base_file_url, "hub_max_body_bytes": 4096}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def api_hub(maple_committing: Engine, tmp_path: Path, telegram_api: TelegramAPI) -> Iterator[ApiHub]:
    settings = api_settings(maple_committing, tmp_path, telegram_api)
    with serve(create_app(settings)) as url:
        yield ApiHub(url, settings, db.session_factory(maple_committing))
