"""Someone who wants to volunteer hears the district's own scheme (actions/volunteering.py), run as
the action server runs it on the sample districts, without the dialogue engine."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

import actions.context
from actions.home_services import ActionOfferVolunteerVisit
from actions.volunteering import ActionVolunteerJoin
from careline.paths import SAMPLE_BUNDLES
from knowledge import db
from knowledge.bundle import import_path
from knowledge.models import District, Policy
from tests.conftest import TODAY, Databases


@pytest.fixture
def factory(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[sessionmaker[Session]]:
    engine: Engine = db.make_engine(databases.new_url("sqlite"))
    db.upgrade(engine)
    made = db.session_factory(engine)
    assert import_path(made, SAMPLE_BUNDLES, TODAY).ok
    monkeypatch.setattr(actions.context, "session_maker", lambda: made)
    yield made
    engine.dispose()


def ask(text: str, lang: str, district: str) -> tuple[str, list[dict[str, Any]]]:
    message = {"text": text, "intent": {"name": "volunteer_join"}, "entities": []}
    tracker = Tracker("test-volunteer", {"language": lang, "district_key": district}, message,
                      [{"event": "user", "text": text}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionVolunteerJoin().run(dispatcher, tracker, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages), events


@pytest.mark.parametrize(("said", "lang", "district", "expected"), [
    ("我想当志愿者，怎么报名", "zh", "huaxi-subdistrict", "枫林片区为老服务站登记"),
    ("how do I record my volunteer hours", "en", "qinglin-county", "register with their ID card"),
    ("怎么加入时间银行", "zh", "qinglin-county", "领一张时间银行卡"),
])
def test_the_districts_own_scheme_says_how_to_join(factory: sessionmaker[Session], said: str, lang: str,
                                                   district: str, expected: str) -> None:
    reply, events = ask(said, lang, district)
    assert expected in reply, reply
    assert {"event": "slot", "timestamp": None, "name": "policy_key", "value": "time-bank"} in events


def test_a_district_without_a_scheme_offers_a_person(factory: sessionmaker[Session]) -> None:
    with db.transaction(factory) as session:
        district_id = session.scalar(select(District.id).where(District.key == "huaxi-subdistrict"))
        session.execute(delete(Policy).where(Policy.district_id == district_id, Policy.key == "time-bank"))
    reply, events = ask("I want to volunteer, how do I join?", "en", "huaxi-subdistrict")
    assert "connect you to a member of staff" in reply, reply
    assert any(e.get("name") == "pending" and (e.get("value") or {}).get("kind") == "staff" for e in events)


@pytest.mark.parametrize(("said", "lang", "expected"), [
    ("I'd like to volunteer", "en", "sign up at the Maple Court Seniors' Service Station"),
    ("我也想报名当志愿者", "zh", "到枫林片区为老服务站登记"),
])
def test_wanting_to_volunteer_read_as_asking_for_one_is_told_how_to_join(factory: sessionmaker[Session], said: str,
                                                                         lang: str, expected: str) -> None:
    """The model has read "I'd like to volunteer" as asking for a volunteer's visit: the person
    wants to give help, and hears how to join, not "which elder is it for?"."""
    message = {"text": said, "intent": {"name": "request_volunteer"}, "entities": []}
    tracker = Tracker("test-volunteer", {"language": lang, "district_key": "huaxi-subdistrict"}, message,
                      [{"event": "user", "text": said}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionOfferVolunteerVisit().run(dispatcher, tracker, {}))
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert expected in reply, reply
    assert {"event": "slot", "timestamp": None, "name": "policy_key", "value": "time-bank"} in events
    assert not any(e.get("name") == "pending" for e in events), "no booking and no staff offer"


def test_asking_for_a_volunteers_visit_is_still_that(factory: sessionmaker[Session]) -> None:
    said = "can a volunteer come round to keep my mum company"
    message = {"text": said, "intent": {"name": "request_volunteer"}, "entities": []}
    tracker = Tracker("test-volunteer", {"language": "en", "district_key": "huaxi-subdistrict"}, message,
                      [{"event": "user", "text": said}], False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionOfferVolunteerVisit().run(dispatcher, tracker, {}))
    reply = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    assert "which elder" in reply.lower() or "need to know" in reply.lower(), reply
