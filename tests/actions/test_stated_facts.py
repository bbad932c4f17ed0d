"""Facts about an elder said in passing."""

from __future__ import annotations

import pytest

from actions.replies import NOT_ASSESSED, parse_fact
from actions.stated_facts import facts_to_note, stated_facts


@pytest.mark.parametrize(("said", "facts"), [
    ("我妈妈八十三岁，一个人住，能不能领居家养老补贴", {"age": 83, "lives_alone": True}),
    ("我爸82了 跟我们一起住", {"age": 82, "lives_alone": False}),
    ("他有个儿子 但是不跟儿子住 自己一个人", {"lives_alone": True}),
    ("户口是本地的", {"hukou_local": True}),
    ("she has local hukou", {"hukou_local": True}),
    ("he's 77 and lives on his own", {"age": 77, "lives_alone": True}),
    ("she lives with my brother", {"lives_alone": False}),
    ("he is assessed level 2", {"care_level": 2}),
    ("我是特困户", {"income_status": "extreme_poverty"}),
    ("我今年七十八 有残疾证", {"age": 78, "disabled": True}),
    ("我爸七十九了，跟我们住，有低保，户口在本地，他能领啥",
     {"age": 79, "lives_alone": False, "income_status": "subsistence", "hukou_local": True}),
    ("my dad is 79, lives with us, gets dibao, local hukou, what can he get?",
     {"age": 79, "lives_alone": False, "income_status": "subsistence", "hukou_local": True}),
    ("他现在一个人住了", {"lives_alone": True}),
    ("actually she lives alone now", {"lives_alone": True}),
    ("没评估过", {"care_level": NOT_ASSESSED}),
    ("she's never been assessed", {"care_level": NOT_ASSESSED}),
    ("我妈八十二了，还没做过评估", {"age": 82, "care_level": NOT_ASSESSED}),
    ("评估过了，评的3级", {"care_level": 3}),
    ("三个了", {}),
    ("今年收成不好", {}),
])
def test_plain_statements(said: str, facts: dict) -> None:
    assert stated_facts(said) == facts


def test_the_latest_message_replaces_what_was_told_and_earlier_ones_only_fill_gaps() -> None:
    earlier = ["我爸七十九了，跟我们住", "他有低保"]  # newest first
    told = {"income_status": "low_income"}
    assert facts_to_note("他现在一个人住了", earlier, told) == {"age": 79, "lives_alone": True}
    assert facts_to_note("好的", earlier, {}) == {"age": 79, "lives_alone": False, "income_status": "subsistence"}


@pytest.mark.parametrize(("answer", "intent", "level"), [
    ("没评估过", None, NOT_ASSESSED),
    ("没有", "deny", NOT_ASSESSED),
    ("no, never", None, NOT_ASSESSED),
    ("she hasn't been assessed", None, NOT_ASSESSED),
    ("评的是三级", None, 3),
    ("level 2", None, 2),
])
def test_never_assessed_is_not_level_zero(answer: str, intent: str | None, level: object) -> None:
    assert parse_fact("care_level", answer, intent) == level
