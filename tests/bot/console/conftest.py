"""The console over a private copy of the fixture district (both backends): the hub's HTTP app
served for real (uvicorn in a thread) with consultants who have console accounts, and the
conversation service with the engine not running (what the service does never needs it; a
hand-back's tracker event is tried and logged; ``test_hand_back.py`` runs the real one)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
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
from bot.console.service import ConsoleService
from bot.hub.app import create_app
from bot.hub.bot_client import RasaClient
from bot.hub.events_bus import LocalBus
from bot.hub.hub import Hub
from careline.settings import Settings
from careline.stack import free_port
from knowledge import accounts, db
from knowledge.actors import Actor, actor_for
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import AuditEntry, Consultant, Conversation, District, Elder, utcnow
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


@dataclass
class Desk:
    sessions: sessionmaker[Session]
    hub: Hub
    service: ConsoleService
    district_id: int

    def consultant(self, name: str = "王芳", district_id: int | None = None, is_admin: bool = False) -> Actor:
        with db.transaction(self.sessions) as session:
            row = Consultant(district_id=district_id or self.district_id, key=f"c-{uuid.uuid4().hex[:8]}",
                             name=name, username=f"u-{uuid.uuid4().hex[:8]}", languages=["zh", "en"])
            session.add(row)
            session.flush()
            return actor_for(session, row.id, is_admin)

    def waiting(self, channel: str = "cli", urgency: Urgency = Urgency.REQUESTED, district_id: int | None = None,
                language: str = "zh", elder: str | None = None) -> tuple[int, str]:
        """A conversation in the consultants' queue; its id and its name on the channel."""
        name = f"t-{uuid.uuid4().hex[:8]}"
        with db.transaction(self.sessions) as session:
            elder_id = session.scalar(select(Elder.id).where(Elder.key == elder)) if elder else None
            conversation = Conversation(channel=channel, external_id=name, language=language, status="pending",
                                        priority=0, district_id=district_id or self.district_id, elder_id=elder_id)
            session.add(conversation)
            session.flush()
            open_handoff(session, conversation, urgency, "emergency" if urgency == Urgency.EMERGENCY else "requested",
                         language, "想找工作人员")
            return conversation.id, name

    def other_district(self) -> int:
        with db.transaction(self.sessions) as session:
            maple = session.get(District, self.district_id)
            other = District(key=f"d-{uuid.uuid4().hex[:6]}", kind=maple.kind, name=maple.name, city=maple.city,
                             description=maple.description, timezone=maple.timezone,
                             emergency_number=maple.emergency_number, emergency_advice={}, latitude=0.0,
                             longitude=0.0, bundle_version="test")
            session.add(other)
            session.flush()
            return other.id


@pytest.fixture
def desk(maple_committing: Engine) -> Iterator[Desk]:
    sessions = db.session_factory(maple_committing)
    hub = Hub(sessions, RasaClient(f"http://127.0.0.1:{free_port()}", timeout=2), push_channels={"telegram"},
              lock_storage="memory://", events=LocalBus())
    with sessions() as session:
        district_id = session.scalar(select(District.id).where(District.key == "maple-town"))
    yield Desk(sessions, hub, ConsoleService(hub), district_id)
