"""Finding the nearest service point as people ask for it (actions/service_points.py), run as the
action server runs it, on the sample districts, without the dialogue engine: the kind from the
message's own words (a generic word meaning any kind), the place the message names before the
elder's home, and an alias that only names a kind naming no one point inside a sentence."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

import actions.context
from actions.service_points import ActionFindServicePoint
from careline.paths import SAMPLE_BUNDLES
from knowledge import db
from knowledge.bundle import import_path
from knowledge.models import District, ServicePoint
from tests.conftest import TODAY, Databases

HUAXI = "huaxi-subdistrict"
QINGLIN = "qinglin-county"
SHEN = "shen-yafang"  # Huaxi, lives in Huaxi Xincun East Block (华溪新村东块)
HE = "he-shulin"  # Qinglin, lives in Anziwan (鞍子湾（马鞍村二组）)
HOME = {SHEN: {"zh": "华溪新村东块", "en": "Huaxi Xincun East Block"},
        HE: {"zh": "鞍子湾（马鞍村二组）", "en": "Anziwan (Ma'an Group 2)"}}


@pytest.fixture(scope="module")
def samples(databases: Databases) -> Iterator[Engine]:
    engine = db.make_engine(databases.new_url("sqlite"))
    db.upgrade(engine)
    result = import_path(db.session_factory(engine), SAMPLE_BUNDLES, TODAY)
    assert result.ok, [p.say("en") for p in result.problems]
    yield engine
    engine.dispose()


@pytest.fixture
def factory(samples: Engine, monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    made = db.session_factory(samples)
    monkeypatch.setattr(actions.context, "session_maker", lambda: made)
    return made


def ask(text: str, lang: str, district: str, elder: str | None = None, **entities: str) -> str:
    """The reply of the action to ``text``, with the entities the model tagged."""
    tagged = [{"entity": name, "value": value} for name, value in entities.items()]
    message = {"text": text, "intent": {"name": "find_service_point"}, "entities": tagged}
    slots = {"language": lang, "district_key": district, "elder_key": elder}
    tracker = Tracker("test-points", slots, message, [{"event": "user", "text": text}], False, None, {},
                      "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionFindServicePoint().run(dispatcher, tracker, {}))
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


def listed(factory: sessionmaker[Session], reply: str, lang: str, district: str) -> list[ServicePoint]:
    """The points a reply lists, one a line after its first."""
    with factory() as session:
        points = list(session.scalars(select(ServicePoint).join(District).where(District.key == district)))
        session.expunge_all()
    found: list[ServicePoint] = []
    for line in reply.splitlines()[1:]:
        found += [p for p in points if line.startswith(p.name[lang] + ("，" if lang == "zh" else ","))]
    return found


def origin(reply: str) -> str:
    return reply.splitlines()[0]


# -- 1. a word for any service point finds the nearest of any kind --------------------------------

@pytest.mark.parametrize(("said", "lang", "entities"), [
    # the model took the word for a place, or heard a mutual-aid point in "help point"
    ("where is the nearest service point?", "en", {"service_type": "service point"}),
    ("is there a help point near me", "en", {"service_type": "mutual_aid_point"}),
    ("离我最近的服务点在哪里", "zh", {"service_type": "服务点"}),
    ("附近有没有养老驿站", "zh", {"place": "养老驿站"}),
])
def test_a_generic_word_finds_the_nearest_point_of_any_kind(factory: sessionmaker[Session], said: str,
                                                              lang: str, entities: dict[str, Any]) -> None:
    reply = ask(said, lang, HUAXI, SHEN, **entities)
    assert HOME[SHEN][lang] in origin(reply), reply
    points = listed(factory, reply, lang, HUAXI)
    assert len(points) == 3, reply
    # the nearest three of every kind: the hotline, the canteen and the service centre
    assert len({p.kind for p in points}) == 3, [p.kind for p in points]


# -- 2. the kind comes from the message's own words -----------------------------------------------

@pytest.mark.parametrize(("said", "lang", "district", "elder", "entities", "kinds"), [
    ("is there a dining hall near me", "en", HUAXI, SHEN, {}, {"canteen", "meal_station"}),
    ("附近有没有老年餐桌", "zh", HUAXI, SHEN, {}, {"canteen", "meal_station"}),
    ("where is the nearest day-care centre", "en", HUAXI, SHEN, {}, {"day_care_centre"}),
    ("离我最近的日间照料中心", "zh", HUAXI, SHEN, {}, {"day_care_centre"}),
    ("is there a mutual-aid point near my house", "en", QINGLIN, HE, {}, {"mutual_aid_point"}),
    ("附近有互助点吗", "zh", QINGLIN, HE, {}, {"mutual_aid_point"}),
    # the model's entity is a hint: the words said win over a wrong one
    ("离我最近的食堂在哪", "zh", HUAXI, SHEN, {"service_type": "health_station"}, {"canteen", "meal_station"}),
    ("nearest 助餐点 please", "en", HUAXI, SHEN, {"service_type": "nursing_home"}, {"meal_station", "canteen"}),
])
def test_the_kind_comes_from_the_words_said(factory: sessionmaker[Session], said: str, lang: str, district: str,
                                            elder: str, entities: dict[str, Any], kinds: set[str]) -> None:
    reply = ask(said, lang, district, elder, **entities)
    points = listed(factory, reply, lang, district)
    assert points and {p.kind for p in points} <= kinds, reply


@pytest.mark.parametrize(("said", "lang", "district", "elder", "entities"), [
    ("where can I get a haircut nearby", "en", HUAXI, SHEN, {"home_service_type": "haircut"}),
    ("附近哪里可以理发", "zh", QINGLIN, HE, {}),
])
def test_a_haircut_is_found_where_personal_care_is_given(factory: sessionmaker[Session], said: str, lang: str,
                                                         district: str, elder: str,
                                                         entities: dict[str, Any]) -> None:
    reply = ask(said, lang, district, elder, **entities)
    points = listed(factory, reply, lang, district)
    assert points, reply
    for point in points:
        assert point.kind in ("day_care_centre", "mutual_aid_point") or {"haircut", "bathing"} & set(point.services), \
            (point.key, reply)


# -- 3. a place named in the message beats the elder's home ---------------------------------------

@pytest.mark.parametrize(("said", "lang", "place"), [
    ("where's the nearest canteen to Donghu Xincun", "en", "Donghu Xincun"),
    ("离东湖新村最近的食堂在哪", "zh", "东湖新村"),
    ("is there a health station near Pearl Garden", "en", "Pearl Garden"),
    ("明珠花园附近有卫生站吗", "zh", "明珠花园"),
])
def test_a_place_the_message_names_beats_the_home(factory: sessionmaker[Session], said: str, lang: str,
                                                  place: str) -> None:
    reply = ask(said, lang, HUAXI, SHEN)  # the model tagged no place
    assert place in origin(reply) and HOME[SHEN][lang] not in origin(reply), reply


@pytest.mark.parametrize(("said", "lang", "district", "elder"), [
    ("where is the nearest canteen", "en", HUAXI, SHEN),
    ("离我最近的食堂在哪", "zh", HUAXI, SHEN),
    ("福利院在什么地方", "zh", QINGLIN, HE),  # 利院 sounds like 梨园 (Liyuan Village): not a place said
])
def test_with_no_place_named_the_home_is_the_place(factory: sessionmaker[Session], said: str, lang: str,
                                                   district: str, elder: str) -> None:
    reply = ask(said, lang, district, elder)
    assert HOME[elder][lang] in origin(reply), reply


# -- 4. an alias that only names a kind names its point only when said alone ----------------------

@pytest.mark.parametrize(("said", "lang", "entities"), [
    # 服务站 and "the service station" are aliases of Maple Court Seniors' Service Station
    ("离我最近的服务站在哪里", "zh", {"place": "服务站"}),
    ("where is the nearest service station", "en", {"service_type": "service station"}),
])
def test_a_kind_alias_inside_a_question_is_not_the_place(factory: sessionmaker[Session], said: str, lang: str,
                                                         entities: dict[str, Any]) -> None:
    reply = ask(said, lang, HUAXI, SHEN, **entities)
    assert HOME[SHEN][lang] in origin(reply), reply
    assert "枫林" not in origin(reply) and "Maple Court" not in origin(reply), reply
