"""Names of a district the model never saw (tests/fixtures/bundles/yulin-subdistrict), through the
running Rasa and action servers: the names come from the database, not from the model."""

from __future__ import annotations

from tests.dialogue.conftest import Elders, Servers, texts

YULIN_ZH = {"language": "zh", "district": "yulin-subdistrict", "channel": "telegram"}
YULIN_EN = {"language": "en", "district": "yulin-subdistrict", "channel": "telegram"}


def test_how_to_apply_for_a_policy_said_by_its_short_form(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "长护险怎么申请", **YULIN_ZH))
    assert "成都市长期护理保险" in reply, reply
    assert "没有找到" not in reply and "哪项政策" not in reply, reply


def test_a_homophone_and_a_misspelling_find_the_policy(servers: Servers, sender: str) -> None:
    heard = texts(servers.say(sender, "长乎险是什么", **YULIN_ZH))
    assert "成都市长期护理保险" in heard, heard
    typed = texts(servers.say(sender + "-en", "how do I apply for the long-term cair insurance", **YULIN_EN))
    assert "Chengdu long-term care insurance" in typed, typed


def test_tell_me_more_means_the_policy_just_discussed(servers: Servers, sender: str) -> None:
    first = texts(servers.say(sender, "what is the LTCI", **YULIN_EN))
    assert "Chengdu long-term care insurance" in first, first
    more = texts(servers.say(sender, "tell me more", **YULIN_EN))
    assert "How to apply" in more and "medical insurance card" in more, more
    assert "Which policy" not in more, more
    again = texts(servers.say(sender, "详细说说", **{**YULIN_EN, "language": "zh"}))
    assert "医保卡" in again and "哪项政策" not in again, again


def test_how_much_is_a_home_service_is_answered_without_a_booking(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "how much is bath help", **YULIN_EN))
    assert "Bathing help at home" in reply and "80 yuan" in reply, reply
    assert "Is that right" not in reply, reply
    massage = texts(servers.say(sender + "-zh", "推拿多少钱", **YULIN_ZH))
    assert "康复推拿" in massage and "100元" in massage, massage


def test_a_service_points_phone_is_asked_directly(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "玉林食堂电话多少", **YULIN_ZH))
    assert "028-8555-1202" in reply, reply


def test_a_kind_of_point_the_district_has_one_of_names_that_point(servers: Servers, sender: str) -> None:
    """Yulin has one health centre ("社区医院" is also what any community hospital is called);
    Huaxi has two health stations, so a kind alone names neither of them."""
    reply = texts(servers.say(sender, "社区医院地址在哪", **YULIN_ZH))
    assert "倪家桥路9号" in reply, reply
    reply = texts(servers.say(sender + "-en", "what's the address of the clinic", **YULIN_EN))
    assert "9 Nijiaqiao Road" in reply, reply
    reply = texts(servers.say(sender + "-huaxi", "卫生站电话多少", language="zh", district="huaxi-subdistrict",
                              channel="telegram"))
    assert "021-6155-5112" not in reply and "021-6155-5113" not in reply, reply


def test_book_me_into_an_activity_said_differently(servers: Servers, sender: str, elders: Elders) -> None:
    elder = elders.new("peng-jiahe")
    offer = texts(servers.say(sender, "book me into the singing one", elder=elder, **YULIN_EN))
    assert "Yulin Sunset Choir" in offer and "Is that right" in offer, offer
    booked = texts(servers.say(sender, "yes", elder=elder, **YULIN_EN))
    assert "Booked" in booked, booked
    again = texts(servers.say(sender, "can you book me into the choir", elder=elder, **YULIN_EN))
    assert "already booked" in again and "Is that right" not in again, again


def test_a_chinese_title_in_an_english_sentence(servers: Servers, sender: str, elders: Elders) -> None:
    elder = elders.new("peng-jiahe")
    offer = texts(servers.say(sender, "太极 tomorrow morning please", elder=elder, **YULIN_EN))
    # read back or listed, the session meant and no other activity
    assert "Taiji for health" in offer and "tomorrow" in offer, offer
    assert "Smartphone course" not in offer and "Calligraphy" not in offer, offer


def test_the_district_comes_from_a_place_the_person_names(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "我住芳草街，附近有食堂吗", language="zh", channel="telegram"))
    assert "芳草街助餐点" in reply, reply


def test_with_no_district_known_it_asks_once(servers: Servers, sender: str) -> None:
    asked = texts(servers.say(sender, "what subsidies are there", language="en", channel="telegram"))
    assert "Which district" in asked and "Yulin Sub-district" in asked, asked
    answered = texts(servers.say(sender, "Yulin", language="en", channel="telegram"))
    assert "Yulin Sub-district" in answered and "Which district" not in answered, answered
    later = texts(servers.say(sender, "how do I apply for the panic button", language="en", channel="telegram"))
    assert "One-touch SOS pendant" in later and "Which district" not in later, later


def test_a_detail_of_a_policy_only_described_finds_it(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "what papers do I need to get help with nursing costs",
                              **YULIN_EN))
    assert "Chengdu long-term care insurance" in reply, reply
    assert "Which policy" not in reply, reply
    zh = texts(servers.say(sender + "-zh", "失能老人护理费那个要带什么材料", **YULIN_ZH))
    assert "成都市长期护理保险" in zh and "哪项政策" not in zh, zh
    asked = texts(servers.say(sender + "-docs", "what documents do I need", **YULIN_EN))
    assert "Which policy" in asked, asked
