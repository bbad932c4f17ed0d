"""Finding service points as people ask: a greeting or half a name taken for the place by the
model, and a follow-up that names only a new place."""

from __future__ import annotations

from tests.dialogue.conftest import Elders, Servers, texts

QINGLIN_EN = {"language": "en", "district": "qinglin-county", "channel": "telegram"}
HUAXI_ZH = {"language": "zh", "district": "huaxi-subdistrict", "channel": "telegram"}
HUAXI_EN = {"language": "en", "district": "huaxi-subdistrict", "channel": "telegram"}


def test_the_place_is_found_when_the_model_also_tags_a_greeting(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "Hi there, my grandfather lives in Saddle Bend, is there a canteen near him",
                              **QINGLIN_EN))
    assert "couldn't find" not in reply and "Anziwan" in reply, reply


def test_a_misheard_name_said_whole_beats_half_of_it(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "东胡新村附近的日托", **HUAXI_ZH))
    assert "东湖新村" in reply, reply


def test_a_follow_up_naming_only_a_place_keeps_the_kind(servers: Servers, sender: str) -> None:
    first = texts(servers.say(sender, "where's the nearest health station to East Lake", **HUAXI_EN))
    assert "health station" in first, first
    again = texts(servers.say(sender, "what about near the metro", **HUAXI_EN))
    assert "Metro" in again and "health station" in again, again


def test_a_follow_up_the_model_took_for_something_else_is_still_a_search(servers: Servers, sender: str) -> None:
    first = texts(servers.say(sender, "离东湖新村最近的卫生站在哪", **HUAXI_ZH))
    assert "卫生站" in first, first
    again = texts(servers.say(sender, "那明珠花园呢", **HUAXI_ZH))
    assert "离明珠花园最近的卫生站" in again, again


def test_a_named_canteen_and_a_day_it_serves_are_kept(servers: Servers, sender: str, elders: Elders) -> None:
    he_shulin = elders.new("he-shulin")
    wang_xiuying = elders.new("wang-xiuying")
    named = texts(servers.say(sender, "book lunch at the Yunxi canteen tomorrow", elder=he_shulin, **QINGLIN_EN))
    assert "Seniors' canteen lunch" in named, named
    saturday = texts(servers.say(sender + "-2", "我要订星期六的午饭", elder=wang_xiuying,
                                 **{**QINGLIN_EN, "language": "zh"}))
    assert "不供应" not in saturday and "星期六" in saturday, saturday


def test_how_people_name_kinds_of_points_finds_them(servers: Servers, sender: str, elders: Elders) -> None:
    """A generic word means any point; "where can I eat" means a place that serves meals; a
    haircut means a point that gives one (the elder's home village is the origin)."""
    wang = elders.new("wang")
    en = {"language": "en", "district": "maple-town", "channel": "telegram"}
    zh = {**en, "language": "zh"}
    anything = texts(servers.say(sender + "-1", "where is the nearest service point?", elder=wang, **en))
    assert "Guihua Mutual-Aid Point" in anything and "Clinic" in anything, anything
    eat = texts(servers.say(sender + "-2", "where can I eat", elder=wang, **en))
    assert "Canteen" in eat and "Clinic" not in eat and "Mutual-Aid" not in eat, eat
    hair = texts(servers.say(sender + "-3", "附近哪里可以理发", elder=wang, **zh))
    assert "互助点" in hair and "卫生室" not in hair and "食堂" not in hair, hair
    point = texts(servers.say(sender + "-4", "离我最近的服务点在哪里", elder=wang, **zh))
    assert "桂花村互助点" in point, point
