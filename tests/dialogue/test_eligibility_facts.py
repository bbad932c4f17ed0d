"""Eligibility as people ask about it: facts said with the question or in passing, the age band
of an allowance settled by the age, and "can I get it?" about the policy just discussed.
Runs on the sample county, whose old-age allowance has one policy per age band."""

from __future__ import annotations

from tests.dialogue.conftest import Elders, Servers, texts

QINGLIN_ZH = {"language": "zh", "district": "qinglin-county", "channel": "telegram"}
QINGLIN_EN = {"language": "en", "district": "qinglin-county", "channel": "telegram"}


def test_facts_said_with_the_question_are_not_asked_again(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "我妈妈八十三岁，一个人住，能不能领居家养老补贴", **QINGLIN_ZH))
    assert "多大年纪" not in reply and "一个人住吗" not in reply, reply
    assert "居家养老服务补贴" in reply, reply


def test_the_age_given_picks_the_allowance_band(servers: Servers, sender: str) -> None:
    ask = texts(servers.say(sender, "我妈能不能领高龄津贴", **QINGLIN_ZH))
    assert "多大年纪" in ask, ask
    after_age = texts(servers.say(sender, "82", **QINGLIN_ZH))
    assert "户口" in after_age and "不符合" not in after_age, after_age
    verdict = texts(servers.say(sender, "是本地户口", **QINGLIN_ZH))
    assert "80—89" in verdict and "不符合" not in verdict, verdict


def test_an_answer_that_is_a_statement_is_understood(servers: Servers, sender: str) -> None:
    ask = texts(servers.say(sender, "does my dad qualify for the emergency call button", **QINGLIN_EN))
    assert "How old" in ask, ask
    alone = texts(servers.say(sender, "he's 77", **QINGLIN_EN))
    assert "live alone" in alone, alone
    verdict = texts(servers.say(sender, "yes he lives on his own since mum died", **QINGLIN_EN))
    assert "Emergency call button" in verdict and "not" not in verdict.split(".")[0], verdict


def test_can_i_get_it_asks_about_the_policy_just_discussed(servers: Servers, sender: str, elders: Elders) -> None:
    wang_xiuying = elders.new("wang-xiuying")
    about = texts(servers.say(sender, "一键呼叫服务是什么", elder=wang_xiuying, **QINGLIN_ZH))
    assert "一键呼叫服务" in about, about
    verdict = texts(servers.say(sender, "那我能申请吗", elder=wang_xiuying, **QINGLIN_ZH))
    assert "一键呼叫服务" in verdict, verdict
