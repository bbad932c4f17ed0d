"""Words for kinds of service point (knowledge/point_kinds.py), and an alias that only names a
kind (食堂, "the canteen") naming its point only when said alone (places and naming)."""

from __future__ import annotations

import typing

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.service_points import KIND_NAMES
from knowledge.bundle.schema import ServicePoint as PointItem
from knowledge.models import ServicePoint
from knowledge.naming import find_named
from knowledge.places import find_places
from knowledge.point_kinds import ANY, HAIRCUT, KINDS, NOUNS, SERVED_BY, asked_in, names_only_a_kind


def test_the_kinds_are_those_of_the_bundle_format() -> None:
    in_bundles = set(typing.get_args(PointItem.model_fields["kind"].annotation))
    assert set(KINDS) == in_bundles == set(KIND_NAMES)
    assert set(NOUNS) == {*KINDS, ANY} and set(SERVED_BY) >= set(NOUNS)
    assert all(set(kinds) <= in_bundles for kinds in SERVED_BY.values())


@pytest.mark.parametrize(("said", "asked"), [
    ("where is the nearest service point?", ANY),
    ("any service stations around here", ANY),
    ("离我最近的服务点在哪里", ANY),
    ("附近有没有驿站", ANY),
    ("最近的养老服务中心在哪", ANY),
    ("where can I get a haircut nearby", HAIRCUT),
    ("附近哪个服务点能理发", HAIRCUT),  # what is wanted done beats a word for any point
    ("nearest dining hall", "canteen"),
    ("老年餐桌在哪", "canteen"),
    ("附近的助餐服务点", "meal_station"),  # the longer word: a meal station, not any 服务点
    ("nearest day-care centers", "day_care_centre"),
    ("离我最近的日间照料中心", "day_care_centre"),
    ("the nearest mutual-aid point to Guihua clinic", "mutual_aid_point"),  # English: the first
    ("离桂花卫生室最近的互助点", "mutual_aid_point"),  # Mandarin: the last
    ("hello", None),
    ("我要订午饭", None),
])
def test_what_a_message_asks_for(said: str, asked: str | None) -> None:
    assert asked_in(said) == asked


@pytest.mark.parametrize(("name", "only_kind"), [
    ("食堂", True), ("老年食堂", True), ("村卫生室", True), ("服务站", True), ("长者照护之家", True),
    ("the seniors' canteen", True), ("the old people's home", True), ("the service station", True),
    ("和平食堂", False), ("为老中心食堂", False), ("云溪养老中心", False),
    ("Huaxi service centre", False), ("Guihua care point", False), ("the family doctor", False),
])
def test_a_name_that_only_names_a_kind(name: str, only_kind: bool) -> None:
    assert names_only_a_kind(name) is only_kind


@pytest.fixture
def canteen_called_canteen(maple: Session) -> Session:
    """The fixture district's canteen, also called just 食堂 and "the canteen"."""
    canteen = maple.scalar(select(ServicePoint).where(ServicePoint.key == "canteen"))
    canteen.aliases = {"zh": ["食堂"], "en": ["the canteen"]}
    maple.flush()
    return maple


@pytest.mark.parametrize("said", ["食堂", "the canteen"])
def test_a_kind_alias_said_alone_names_its_point(canteen_called_canteen: Session, said: str) -> None:
    assert [m.key for m in find_places(canteen_called_canteen, said, limit=1)] == ["canteen"]
    assert [m.key for m in find_named(canteen_called_canteen, said, kinds=("service_point",))] == ["canteen"]


@pytest.mark.parametrize("said", ["离桂花村最近的食堂在哪", "食堂电话多少", "where is the nearest canteen to Guihua",
                                  "what's the phone number of the canteen"])
def test_a_kind_alias_inside_a_question_names_no_point(canteen_called_canteen: Session, said: str) -> None:
    assert "canteen" not in [m.key for m in find_places(canteen_called_canteen, said)]
    assert find_named(canteen_called_canteen, said, kinds=("service_point",)) == []
