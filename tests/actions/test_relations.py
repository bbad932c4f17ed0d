"""Whom a family member talks about, and how the assistant names that elder back."""

from __future__ import annotations

import pytest

from actions.relations import relation_of_link, relation_said, who_by_relation


@pytest.mark.parametrize(("said", "relation"), [
    ("我爸七十九了，跟我们住，有低保", "father"),
    ("我妈八十三了", "mother"),
    ("我母亲能领吗", "mother"),
    ("我家老爷子腿脚不好", "father"),
    ("我奶奶九十了", "grandmother"),
    ("我外婆一个人住", "grandmother_maternal"),
    ("我老伴没评估过", "spouse"),
    ("my mum is 82", "mother"),
    ("my dad is 79, lives with us", "father"),
    ("can my grandma get it", "grandmother"),
    ("my husband has dementia", "husband"),
    ("my dad lives with mum", "father"),  # the first named is the one talked about
    ("我自己能领吗", "self"),
    ("my mother-in-law", None),
    ("他现在一个人住了", None),
    ("how much a month", None),
])
def test_relation_words(said: str, relation: str | None) -> None:
    assert relation_said(said) == relation


def test_the_elder_is_named_by_relation_in_both_languages() -> None:
    assert who_by_relation("mother", None, "zh") == "您母亲"
    assert who_by_relation("father", None, "en") == "your father"
    assert who_by_relation("self", None, "zh") == "您"
    assert who_by_relation("grandparent", "female", "zh") == "您奶奶"  # the model's coarse value, made precise
    assert who_by_relation("spouse", "male", "en") == "your husband"
    assert who_by_relation("spouse", None, "en") == "your partner"
    assert who_by_relation(None, "female", "zh") is None
    assert who_by_relation("neighbour", None, "en") is None


def test_what_the_elder_is_to_a_family_member_the_district_lists() -> None:
    assert relation_of_link("daughter", "female") == "mother"
    assert relation_of_link("son", "male") == "father"
    assert relation_of_link("spouse", "female") == "wife"
    assert relation_of_link("son", None) is None
    assert relation_of_link("neighbour", "female") is None
    assert relation_of_link(None, "female") is None
