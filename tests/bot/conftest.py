"""The hub running for real: its own event loop in a thread (as in the hub process), the real
Rasa and action servers, and the Telegram Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.hub.app import HubRuntime
from careline.settings import Settings
from careline.stack import Stack
from knowledge import db, links
from knowledge.models import District, Elder
from tests.standins.telegram_api import TelegramAPI

T = TypeVar("T")
LINK_KEY = "test-link-code-key"
"""The hubs of the tests and :func:`link_code` share this link-code key (``secrets.link_codes``)."""


class RunningHub:
    """A :class:`HubRuntime` on its own event loop thread."""

    def __init__(self, settings: Settings, transcribe: Callable[[bytes, str], Any] | None = None) -> None:
        self.settings = settings
        self.transcribe = transcribe
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="hub-loop", daemon=True)
        self.thread.start()
        self.runtime: HubRuntime = self.call(self._build())
        self.call(self.runtime.start())

    async def _build(self) -> HubRuntime:
        return HubRuntime.build(self.settings, transcribe=self.transcribe)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self) -> None:
        self.call(self.runtime.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def hub_settings(servers: Stack, tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": servers.database_url, "rasa_url": servers.rasa_url, "var_dir": tmp,
                              "outbox_max_backoff": 1.0, "language": "zh", "hub_retry_window": 600.0,
                              "secrets": {"rasa_api": servers.rasa_token, "link_codes": LINK_KEY}}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def telegram_api() -> Iterator[TelegramAPI]:
    with TelegramAPI() as api:
        yield api


@pytest.fixture
def hub(servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(hub_settings(servers, tmp_path, telegram_token=telegram_api.token,
                                      telegram_base_url=telegram_api.base_url,
                                      telegram_base_file_url=telegram_api.base_file_url))
    yield running
    running.stop()


def telegram_settings(servers: Stack, api: TelegramAPI, tmp: Path, **overrides: Any) -> Settings:
    return hub_settings(servers, tmp, telegram_token=api.token, telegram_base_url=api.base_url,
                        telegram_base_file_url=api.base_file_url, **overrides)


@contextlib.contextmanager
def database_locked(database_url: str, seconds: float) -> Iterator[threading.Thread]:
    """Another connection holds the SQLite database exclusively (no reads, no writes) for
    ``seconds`` from now; yields the thread that lets go, joined on exit."""
    connection = sqlite3.connect(make_url(database_url).database, isolation_level=None, timeout=30,
                                 check_same_thread=False)
    connection.execute("BEGIN EXCLUSIVE")

    def release() -> None:
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=release, name="database-lock")
    thread.start()
    try:
        yield thread
    finally:
        thread.join(seconds + 5)


def elder_id(servers: Stack, key: str, district: str = "maple-town") -> int:
    sessions = db.session_factory(db.make_engine(servers.database_url))
    with sessions() as session:
        return session.scalar(select(Elder.id).join(District, District.id == Elder.district_id)
                              .where(Elder.key == key, District.key == district))


def link_code(servers: Stack, key: str, hours: float = 24) -> str:
    import datetime as dt

    sessions = db.session_factory(db.make_engine(servers.database_url))
    with db.transaction(sessions) as session:
        return links.issue_code(session, elder_id(servers, key), dt.timedelta(hours=hours), key=LINK_KEY)
