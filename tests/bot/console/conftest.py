"""The hub's HTTP app served for real (uvicorn in a thread) with the console mounted, over a
private copy of the fixture district, and consultants with console accounts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.security import ConsoleAuth
from bot.hub.app import create_app
from careline.settings import Settings
from careline.stack import free_port
from knowledge import accounts, db
from knowledge.models import AuditEntry, utcnow
from tests.bot.hub.conftest import serve

PASSWORD = "correct horse battery staple"
#: cheap Argon2 parameters: the tests check the rules, not the cost
FAST_HASH = {"console_password_time_cost": 1, "console_password_memory_kib": 1024}


def console_settings(engine: Engine, tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": engine.url.render_as_string(hide_password=False),
                              "var_dir": tmp / "var", "rasa_url": f"http://127.0.0.1:{free_port()}",
                              "language": "zh", **FAST_HASH}
    values.update(overrides)
    return Settings(**values)


class Clock:
    """The console's clock, moved by the test."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@dataclass
class Console:
    url: str
    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    app: FastAPI

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, timeout=30, **kwargs)

    def login_form(self, client: httpx.Client, **params: str) -> str:
        """GET the form; its sign-in token (the cookie it is bound to stays in ``client``)."""
        page = client.get("/console/login", params=params)
        assert page.status_code == 200, page.text
        return form_token(page.text)

    def login(self, client: httpx.Client, username: str, password: str = PASSWORD,
              headers: dict[str, str] | None = None) -> httpx.Response:
        token = self.login_form(client)
        return client.post("/console/login", data={"username": username, "password": password,
                                                   "csrf_token": token}, headers=headers)

    def audit(self) -> list[AuditEntry]:
        with self.sessions() as session:
            return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def add_consultants(engine: Engine, settings: Settings) -> None:
    hasher = accounts.password_hasher(settings.console_password_time_cost, settings.console_password_memory_kib)
    with db.transaction(db.session_factory(engine)) as session:
        accounts.add(session, hasher, "alice", PASSWORD, ["maple-town"], name="Alice Wong")
        accounts.add(session, hasher, "maple-chen", PASSWORD, ["maple-town"], is_admin=True)


@pytest.fixture
def console(maple_committing: Engine, tmp_path: Path) -> Iterator[Console]:
    settings = console_settings(maple_committing, tmp_path)
    add_consultants(maple_committing, settings)
    app = create_app(settings)
    clock = Clock()
    app.state.console = ConsoleAuth(settings, now=clock)
    with serve(app) as url:
        yield Console(url, settings, db.session_factory(maple_committing), clock, app)
