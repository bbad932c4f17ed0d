"""Eligibility as people ask about it: facts said with the question or in passing, every fact in
one breath with "what can he get?", a fact added after the verdict, the age band of an allowance
settled by the age and its amount, "never assessed", and the elder named as the family member
knows them. Runs on the sample county, whose old-age allowance has one policy per age band, and
the sample sub-district, whose allowance is one range with bands and which has a care-needs
assessment."""

from __future__ import annotations

import uuid

from tests.dialogue.conftest import Elders, Servers, texts

QINGLIN_ZH = {"language": "zh", "district": "qinglin-county", "channel": "telegram"}
QINGLIN_EN = {"language": "en", "district": "qinglin-county", "channel": "telegram"}
HUAXI_ZH = {"language": "zh", "district": "huaxi-subdistrict", "channel": "telegram"}
HUAXI_EN = {"language": "en", "district": "huaxi-subdistrict", "channel": "telegram"}


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
    assert "您母亲符合" in verdict and "每月60元" in verdict, verdict  # her band's amount, said of her
    amount = texts(servers.say(sender, "一个月多少钱", **QINGLIN_ZH))
    assert "每月60元" in amount and "怎么申请" not in amount, amount


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


def test_every_fact_in_one_breath_and_one_added_after(servers: Servers, sender: str) -> None:
    every = texts(servers.say(sender, "我爸七十九了，跟我们住，有低保，户口在本地，他能领啥", **QINGLIN_ZH))
    assert "您父亲符合条件的有" in every and "低保老人生活补助" in every and "城乡居民基础养老金" in every, every
    assert "居家养老服务补贴还要看一点" in every and "一键呼叫服务" not in every, every  # lives with them
    assert "多大年纪" not in every and "户口在本地吗" not in every, every
    now_alone = texts(servers.say(sender, "他现在一个人住了", **QINGLIN_ZH))
    assert "记下了" in now_alone and "一键呼叫服务" in now_alone, now_alone


def test_every_fact_in_one_breath_in_english(servers: Servers, sender: str) -> None:
    every = texts(servers.say(sender, "my dad is 79, lives with us, gets dibao, local hukou, what can he get?",
                              **QINGLIN_EN))
    assert "your father can get" in every and "Extra allowance for elders on dibao" in every, every
    assert "Which policy" not in every and "How old" not in every, every


def test_a_fact_added_after_a_verdict_gives_it_again(servers: Servers, sender: str) -> None:
    first = texts(servers.say(sender, "can my mum get the emergency call button? she's 77 and lives with my brother",
                              **QINGLIN_EN))
    assert "not open to your mother" in first, first
    again = texts(servers.say(sender, "actually she lives alone now", **QINGLIN_EN))
    assert "Emergency call button is open to your mother" in again, again


def test_never_assessed_is_told_how_to_get_assessed(servers: Servers, sender: str) -> None:
    ask = texts(servers.say(sender, "我妈能申请长护险吗", **HUAXI_ZH))
    assert "多大年纪" in ask, ask
    assert "评估" in texts(servers.say(sender, "八十二", **HUAXI_ZH))
    verdict = texts(servers.say(sender, "没评估过", **HUAXI_ZH))
    assert "暂时不符合" not in verdict and "要先评估" in verdict, verdict
    assert "老年照护需求评估" in verdict and "021-6155-5100" in verdict, verdict  # the district's own assessment
    english = texts(servers.say(sender + "-en", "my mum is 82 and has never been assessed, can she get long-term "
                                "care insurance at home?", **HUAXI_EN))
    assert "hasn't had a care assessment" in english and "not open" not in english, english
    assert "Care-needs assessment" in english, english


def test_the_amount_of_a_range_is_the_elders_band(servers: Servers, sender: str) -> None:
    verdict = texts(servers.say(sender, "can my dad get the old-age allowance? he's 85 with local hukou", **HUAXI_EN))
    assert "open to your father" in verdict and "180 yuan a month" in verdict, verdict
    amount = texts(servers.say(sender, "how much a month", **HUAXI_EN))
    assert "180 yuan a month" in amount and "650" not in amount, amount


def test_a_family_member_linked_on_telegram_hears_about_their_mother(servers: Servers) -> None:
    """张伟 is 沈雅芳's son in the sample bundle, with his Telegram account; the hub's sender id
    names the conversation, whose account is his."""
    from sqlalchemy import select

    from knowledge import db, links
    from knowledge.models import Conversation, Elder

    engine = db.make_engine(servers.database_url)
    try:
        with db.transaction(db.session_factory(engine)) as session:
            account = links.account_for(session, "telegram", "700000201", "700000201", "zh")
            elder = session.scalars(select(Elder).where(Elder.key == "shen-yafang")).one()
            conversation = Conversation(channel="telegram", external_id=f"test-{uuid.uuid4().hex[:10]}",
                                        language="zh", status="pending", priority=0, elder_id=elder.id,
                                        account_id=account.id, district_id=elder.district_id)
            session.add(conversation)
            session.flush()
            sender = f"conv-{conversation.id}"
    finally:
        engine.dispose()
    verdict = texts(servers.say(sender, "能领一键通吗", elder="shen-yafang", **HUAXI_ZH))
    assert "您母亲符合" in verdict and "沈雅芳" not in verdict, verdict
