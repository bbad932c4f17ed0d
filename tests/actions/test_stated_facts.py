"""Facts about an elder said in passing."""

from __future__ import annotations

import pytest

from actions.stated_facts import stated_facts


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
    ("三个了", {}),
    ("今年收成不好", {}),
])
def test_plain_statements(said: str, facts: dict) -> None:
    assert stated_facts(said) == facts
