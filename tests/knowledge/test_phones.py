"""Phone numbers compared in E.164, and the elder a caller is."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Elder
from knowledge.phones import elder_by_phone, normalise_phone


@pytest.mark.parametrize(("written", "e164"), [
    ("138 0000 6103", "+8613800006103"), ("+86 138-0000-6103", "+8613800006103"),
    ("008613800006103", "+8613800006103"), ("021-6155-3101", "+862161553101"), ("+862161553101", "+862161553101"),
])
def test_the_shapes_people_and_networks_write_are_one_number(written: str, e164: str) -> None:
    assert normalise_phone(written) == e164


@pytest.mark.parametrize("junk", ["", "   ", "anonymous", "12", "x" * 60])
def test_what_is_no_number_matches_nothing(junk: str) -> None:
    assert normalise_phone(junk) is None


def test_a_caller_is_the_one_elder_with_that_number_and_a_shared_number_is_nobody(maple: Session) -> None:
    wang = maple.scalar(select(Elder).where(Elder.key == "wang"))
    assert elder_by_phone(maple, "+86 138 0000 1111") is wang
    assert elder_by_phone(maple, "+86 138 0000 9999") is None
    li = maple.scalar(select(Elder).where(Elder.key == "li"))
    li.phone = "138-0000-1111"
    maple.flush()
    assert elder_by_phone(maple, "13800001111") is None, "two elders share the line: ask, do not guess"
    wang.active = False
    maple.flush()
    assert elder_by_phone(maple, "13800001111") is li
