"""A console service over a private copy of the fixture district (both backends), with
consultants made for each test. The engine is not running: what the service does never needs it
(a hand-back's tracker event is tried and logged); ``tests/bot/console/test_hand_back.py`` runs
the real one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.console.service import ConsoleService
from bot.hub.bot_client import RasaClient
from bot.hub.events_bus import LocalBus
from bot.hub.hub import Hub
from careline.stack import free_port
from knowledge import db
from knowledge.actors import Actor, actor_for
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Consultant, Conversation, District, Elder


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
