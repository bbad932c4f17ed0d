"""Whole conversations through the REST channel against real Rasa and action servers."""

from __future__ import annotations

import pytest
from sqlalchemy import Select, select

from knowledge import db
from knowledge.models import Booking, Conversation, District, Elder, Handoff
from tests.dialogue.conftest import Elders, Servers, texts

MAPLE_ZH = {"language": "zh", "district": "maple-town", "channel": "telegram"}
MAPLE_EN = {"language": "en", "district": "maple-town", "channel": "telegram"}


def _rows(servers: Servers, statement: Select) -> list:
    """What the servers wrote, read straight from their database."""
    engine = db.make_engine(servers.database_url)
    with db.session_factory(engine)() as session:
        rows = list(session.scalars(statement))
    engine.dispose()
    return rows


def _bookings(servers: Servers, elder_key: str) -> list[Booking]:
    return _rows(servers, select(Booking).join(Elder).where(Elder.key == elder_key))


def _handoffs(servers: Servers, sender: str) -> list[Handoff]:
    return _rows(servers, select(Handoff).join(Conversation).where(Conversation.external_id == sender))


def test_booking_in_mandarin_ends_with_the_row_in_the_database(servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    before = len([b for b in _bookings(servers, wang) if b.status == "active"])
    offer = texts(servers.say(sender, "我想报名打太极", elder=wang, **MAPLE_ZH))
    assert "太极拳" in offer and "对吗" in offer, offer
    done = texts(servers.say(sender, "对，报吧", elder=wang, **MAPLE_ZH))
    assert "报好了" in done, done
    active = [b for b in _bookings(servers, wang) if b.status == "active"]
    assert len(active) == before + 1 and active[-1].kind == "activity"


def test_booking_then_cancelling_in_english(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    before = {b.id for b in _bookings(servers, smith)}
    offer = texts(servers.say(sender, "can you book me in for tai chi please", elder=smith, **MAPLE_EN))
    assert "Tai chi" in offer and "?" in offer, offer
    assert "Booked" in texts(servers.say(sender, "yes please", elder=smith, **MAPLE_EN))
    new = [b for b in _bookings(servers, smith) if b.id not in before]
    assert [b.status for b in new] == ["active"]
    ask = texts(servers.say(sender, "I need to cancel the tai chi", elder=smith, **MAPLE_EN))
    assert "Cancel" in ask and "Tai chi" in ask, ask
    assert "Cancelled" in texts(servers.say(sender, "yes", elder=smith, **MAPLE_EN))
    assert [b.status for b in _bookings(servers, smith) if b.id == new[0].id] == ["cancelled"]


def test_saying_no_books_nothing(servers: Servers, sender: str, elders: Elders) -> None:
    li = elders.new("li")
    before = len(_bookings(servers, li))
    offer = texts(servers.say(sender, "帮我报个太极拳", elder=li, **MAPLE_ZH))
    assert "吗？" in offer, offer  # 对吗？, or 要报这一场吗？ when the next one is full
    assert "不办了" in texts(servers.say(sender, "不要了", elder=li, **MAPLE_ZH))
    assert len(_bookings(servers, li)) == before


def test_eligibility_answer_follows_the_rule_in_the_data(servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    li = elders.new("li")
    reply = texts(servers.say(sender, "我能领高龄津贴吗", elder=wang, **MAPLE_ZH))
    assert "符合" in reply and "年满80周岁" in reply and "本地户籍" in reply, reply
    other = texts(servers.say(sender + "-li", "我可以领高龄津贴吗", elder=li, **MAPLE_ZH))
    assert "不符合" in other and "年满80周岁" in other, other


def test_eligibility_asks_only_for_missing_facts(servers: Servers, sender: str, elders: Elders) -> None:
    li = elders.new("li")
    first = texts(servers.say(sender, "can I get the home-care service subsidy?", elder=li, **MAPLE_EN))
    assert "subsistence allowance" in first, first  # income status is the first missing fact
    second = texts(servers.say(sender, "I'm on subsistence allowance", elder=li, **MAPLE_EN))
    assert "care-need assessment" in second, second
    last = texts(servers.say(sender, "level three", elder=li, **MAPLE_EN))
    assert "is open to" in last and "Home-care service subsidy" in last, last


def test_a_district_never_seen_in_training_answers_from_its_own_data(servers: Servers, sender: str) -> None:
    policy = texts(servers.say(sender, "what is the old age allowance", **MAPLE_EN))
    assert "Local residents aged 80 or over get a monthly old-age allowance." in policy, policy
    points = texts(servers.say(sender + "-2", "where is the nearest canteen to Guihua Village", **MAPLE_EN))
    assert "Maple Seniors' Canteen" in points and "phone" in points, points
    zh = texts(servers.say(sender + "-3", "贵花村附近有没有互助点", **MAPLE_ZH))
    assert "桂花村互助点" in zh and "米" in zh, zh


def test_emergency_answers_at_once_and_hands_off(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    reply = texts(servers.say(sender, "I've fallen and I can't get up", elder=smith, **MAPLE_EN))
    assert "120" in reply and "emergency" in reply.lower(), reply
    handoffs = _handoffs(servers, sender)
    assert [(h.urgency, h.reason, h.language) for h in handoffs] == [(9, "emergency", "en")]
    assert "fallen" in handoffs[0].summary
    zh = texts(servers.say(sender + "-zh", "救命啊 我摔倒了起不来", **MAPLE_ZH))
    assert "120" in zh and "紧急" in zh, zh


def test_harmless_words_are_not_an_emergency(servers: Servers, sender: str) -> None:
    for text in ("sorry, I fell asleep, what did you say", "上次摔倒的补贴怎么申请"):
        reply = texts(servers.say(sender, text, **MAPLE_EN))
        assert "120" not in reply, (text, reply)
    assert _handoffs(servers, sender) == []


@pytest.mark.parametrize(("text", "metadata"), [
    ("what number is the ambulance here, just so I know", MAPLE_EN),
    ("what number do I ring for an ambulance? I want to write it on the fridge", MAPLE_EN),
    ("这边急救电话是多少，我记一下", MAPLE_ZH),
])
def test_asking_the_emergency_number_is_answered_from_the_district(servers: Servers, sender: str, text: str,
                                                                   metadata: dict[str, str]) -> None:
    """Not an emergency, and not "I can't help with that" either: the district's own number."""
    engine = db.make_engine(servers.database_url)

    def number(value: str) -> str:
        """Set Maple Town's emergency number; the one it had."""
        with db.transaction(db.session_factory(engine)) as session:
            district = session.scalars(select(District).where(District.key == "maple-town")).one()
            before, district.emergency_number = district.emergency_number, value
        return before

    before = number("112")
    try:
        reply = texts(servers.say(sender, text, **metadata))
    finally:
        number(before)
        engine.dispose()
    assert "112" in reply and "120" not in reply, reply
    assert ("emergency number" in reply) if metadata is MAPLE_EN else ("急救电话" in reply), reply
    assert _handoffs(servers, sender) == [], "asking the number raises no alarm"


@pytest.mark.parametrize(("text", "language", "not_found"), [
    ("since her stroke she walks with a stick, is there help with a wheelchair?", "en", "couldn't find"),
    ("我妈中风以后拄拐杖走路，有没有轮椅方面的帮助", "zh", "没有找到"),
])
def test_a_policy_found_only_by_common_words_is_not_given_as_the_answer(servers: Servers, sender: str, text: str,
                                                                        language: str, not_found: str) -> None:
    """Huaxi lists no wheelchair help; its time bank text has "help" and "walk" in it. The person
    hears that nothing matched, with related policies to ask about, not the time bank as the answer."""
    reply = texts(servers.say(sender, text, language=language, district="huaxi-subdistrict", channel="telegram"))
    assert not_found in reply, reply
    assert "Volunteers who help elders bank their hours" not in reply and "存时间" not in reply, reply


@pytest.mark.parametrize(("text", "metadata", "expected"), [
    ("thank you so much dear, you've been very helpful today, goodbye", MAPLE_EN, "Goodbye"),
    ("谢谢你啊姑娘，那我先挂了", MAPLE_ZH, "再见"),
    ("thank you, that's very kind", MAPLE_EN, "anything else"),
])
def test_thanks_with_a_goodbye_are_answered_with_goodbye(servers: Servers, sender: str, text: str,
                                                         metadata: dict[str, str], expected: str) -> None:
    """Not "anything else I can help with?" to someone who is leaving."""
    reply = texts(servers.say(sender, text, **metadata))
    assert expected in reply, reply


def test_language_can_change_in_conversation(servers: Servers, sender: str) -> None:
    assert "English" in texts(servers.say(sender, "can you speak English please", **MAPLE_ZH))
    reply = texts(servers.say(sender, "what is the time bank", **MAPLE_ZH))
    assert "Hours spent helping elders are banked" in reply, reply


def test_two_misunderstandings_hand_off(servers: Servers, sender: str) -> None:
    for _ in range(2):
        last = texts(servers.say(sender, "blorp fizzle wug", **MAPLE_EN))
    assert "connecting you" in last, last
    assert [h.reason for h in _handoffs(servers, sender)] == ["misunderstood"]


def test_ordering_a_delivered_meal(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    before = [b for b in _bookings(servers, smith) if b.kind == "meal"]
    offer = texts(servers.say(sender, "can you deliver lunch to me tomorrow", elder=smith, **MAPLE_EN))
    assert "Seniors' lunch" in offer and "delivered to the door" in offer and "Is that right?" in offer, offer
    assert "Ordered" in texts(servers.say(sender, "yes", elder=smith, **MAPLE_EN))
    meals = [b for b in _bookings(servers, smith) if b.kind == "meal"]
    assert len(meals) == len(before) + 1 and meals[-1].delivery is True


def test_home_service_request_asks_when_and_confirms(servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    ask = texts(servers.say(sender, "我想请人上门理发", elder=wang, **MAPLE_ZH))
    assert "哪天" in ask, ask
    offer = texts(servers.say(sender, "下周二上午十点", elder=wang, **MAPLE_ZH))
    assert "上门理发" in offer and "对吗" in offer, offer
    assert "已经提交" in texts(servers.say(sender, "对", elder=wang, **MAPLE_ZH))
    requests = [b for b in _bookings(servers, wang) if b.kind == "home_service"]
    assert requests and requests[-1].status == "requested" and requests[-1].preferred_time.hour == 10


def test_time_bank_hours_for_a_volunteer(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "我在时间银行存了多少小时", volunteer="zhou", **MAPLE_ZH))
    assert "42.5" in reply and "40.5" in reply, reply


def test_say_again_repeats_the_last_answer(servers: Servers, sender: str) -> None:
    first = texts(servers.say(sender, "what is the old age allowance", **MAPLE_EN))
    again = texts(servers.say(sender, "sorry, can you say that again", **MAPLE_EN))
    assert again == first


def test_two_things_out_of_scope_hand_off_with_the_right_words(servers: Servers, sender: str) -> None:
    texts(servers.say(sender, "can you book me a train ticket to Beijing", **MAPLE_EN))
    last = texts(servers.say(sender, "what's the capital of France", **MAPLE_EN))
    assert "can't help with either" in last and "didn't understand" not in last, last


def test_a_yes_to_an_offer_of_staff_opens_a_hand_off(servers: Servers, sender: str) -> None:
    """No elder is known, so a booking ends "shall I connect you to staff to register?": the yes
    that follows is taken up, in either language, a no is answered, and a yes said later is not."""
    offer = servers.say(sender, "I'd like to book lunch for tomorrow", **MAPLE_EN)
    assert "connect you to staff" in texts(offer), texts(offer)
    assert [b["payload"] for r in offer for b in r.get("buttons") or []] == ["/affirm", "/deny"]
    taken = texts(servers.say(sender, "yes please", **MAPLE_EN))
    assert "connecting you to a member of staff" in taken, taken
    assert [(h.urgency, h.reason) for h in _handoffs(servers, sender)] == [(3, "requested")]

    zh = sender + "-zh"
    asked = texts(servers.say(zh, "帮我订明天的午饭", **MAPLE_ZH))
    assert "工作人员" in asked, asked
    assert "好的" in texts(servers.say(zh, "不用了", **MAPLE_ZH))
    assert _handoffs(servers, zh) == []

    late = sender + "-late"
    assert "connect you to staff" in texts(servers.say(late, "can you book me in for tai chi", **MAPLE_EN))
    servers.say(late, "what is the time bank", **MAPLE_EN)
    servers.say(late, "yes", **MAPLE_EN)
    assert _handoffs(servers, late) == []


def test_this_week_and_next_week_list_the_whole_week(servers: Servers, sender: str) -> None:
    """Whatever day the test runs: the reply lists every session the database has in that week
    (from now on), up to ten, and says so when there are none."""
    import datetime as dt

    from actions.when import week_said
    from knowledge.activities import upcoming_sessions
    from knowledge.models import District

    for n, (said, meta) in enumerate([("这个星期有什么活动", MAPLE_ZH), ("下个星期有什么活动", MAPLE_ZH),
                                       ("what activities are on next week", MAPLE_EN)]):
        reply = texts(servers.say(f"{sender}-{n}", said, **meta))
        engine = db.make_engine(servers.database_url)
        with db.session_factory(engine)() as session:
            district = session.scalars(select(District).where(District.key == "maple-town")).one()
            now = servers.now().replace(second=0, microsecond=0)  # the servers' clock, not this process's
            monday, next_monday = week_said(said, now.date())
            start = max(dt.datetime.combine(monday, dt.time()), now)
            expected = upcoming_sessions(session, district.id, start, until=dt.datetime.combine(next_monday, dt.time()),
                                         limit=50)[:10]
            titles = [v.activity.title[meta["language"]] for v in expected]
        engine.dispose()
        if not titles:
            assert "没有找到活动" in reply or "find any activities" in reply, (said, reply)
            continue
        lines = [line for line in reply.splitlines() if any(title in line for title in titles)]
        assert len(lines) == len(titles), (said, reply, titles)


def test_a_change_of_language_and_a_request_in_one_breath_keeps_the_request(
        servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    reply = texts(servers.say(sender, "我用中文说吧，我能领高龄津贴吗", elder=wang, **MAPLE_EN))
    assert "普通话" in reply and "高龄津贴" in reply and "符合" in reply, reply
    again = texts(servers.say(sender + "-en", "In English please, what activities are on tomorrow?",
                              elder=wang, **MAPLE_ZH))
    assert "English" in again and ("Coming up" in again or "find any activities" in again), again


def test_someone_who_wants_to_volunteer_is_told_how_and_an_elder_asking_for_one_gets_a_visit(
        servers: Servers, sender: str, elders: Elders) -> None:
    join = texts(servers.say(sender, "我想当志愿者，怎么报名", **MAPLE_ZH))
    assert "到互助点登记成为志愿者" in join, join
    hours = texts(servers.say(sender + "-en", "I helped my neighbour for two hours, how do I log those hours?",
                              **MAPLE_EN))
    assert "Register as a volunteer at a mutual-aid point" in hours, hours
    wang = elders.new("wang")
    visit = texts(servers.say(sender + "-visit", "能不能找个志愿者来陪我聊聊天", elder=wang, **MAPLE_ZH))
    assert "志愿者" in visit and "登记" not in visit, visit
