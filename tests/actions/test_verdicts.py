"""Questions about every policy at once, and about an amount, read from the words."""

from __future__ import annotations

import pytest

from actions.verdicts import asks_amount, asks_what_all


@pytest.mark.parametrize("said", [
    "我爸七十九了，跟我们住，有低保，户口在本地，他能领啥",
    "她能领什么",
    "我妈能享受哪些政策",
    "有什么补贴能领",
    "my dad is 79, lives with us, gets dibao, local hukou, what can he get?",
    "what can my mum get",
    "what is she entitled to",
    "what benefits can she get?",
])
def test_every_policy_at_once(said: str) -> None:
    assert asks_what_all(said)


@pytest.mark.parametrize("said", [
    "我妈能不能领高龄津贴",
    "那我能申请吗",
    "一键呼叫服务是什么",
    "does my dad qualify for the emergency call button",
    "can she get the old-age allowance",
    "what is the old age allowance",
])
def test_one_policy(said: str) -> None:
    assert not asks_what_all(said)


@pytest.mark.parametrize(("said", "amount"), [
    ("一个月多少钱", True), ("能领多少", True), ("how much a month", True), ("what's the amount", True),
    ("怎么申请", False), ("tell me more", False),
])
def test_amount_asked(said: str, amount: bool) -> None:
    assert asks_amount(said) is amount
