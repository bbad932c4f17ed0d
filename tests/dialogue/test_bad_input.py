"""Bad input gets a clear answer every time, never an exception, and stores nothing wrongly."""

from __future__ import annotations

import pytest

from tests.dialogue.conftest import Elders, Servers, texts
from tests.dialogue.test_conversations import MAPLE_EN, MAPLE_ZH, _bookings

BAD = [
    ("", MAPLE_ZH),
    ("   ", MAPLE_EN),
    ("我想问一下" * 1000, MAPLE_ZH),
    ("please " * 715, MAPLE_EN),
    ("🙂🙂🙂👍", MAPLE_ZH),
    ("我想book一个lunch明天 please", MAPLE_ZH),
    ("'; DROP TABLE bookings; --", MAPLE_EN),
    ("1 OR 1=1; SELECT * FROM elders", MAPLE_EN),
    ("where is the nearest canteen to Atlantis", MAPLE_EN),
    ("离火星村最近的食堂在哪", MAPLE_ZH),
    ("book me for tai chi yesterday", MAPLE_EN),
    ("我要报名上个月的太极", MAPLE_ZH),
    ("\x00\x01\x02", MAPLE_EN),
]


@pytest.mark.parametrize(("text", "metadata"), BAD, ids=[f"case{i}" for i in range(len(BAD))])
def test_always_a_clear_answer_and_nothing_booked(servers: Servers, sender: str, text: str,
                                                  metadata: dict[str, str], elders: Elders) -> None:
    wang = elders.new("wang")
    before = len(_bookings(servers, wang))
    replies = servers.say(sender, text, elder=wang, **metadata)
    said = texts(replies)
    assert said.strip(), replies
    assert "Traceback" not in said and "Exception" not in said
    assert len(_bookings(servers, wang)) == before


def test_unknown_place_is_said_plainly(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "where is the nearest canteen to Atlantis", **MAPLE_EN))
    assert "Atlantis" in reply or "Which village" in reply, reply


def test_past_date_is_refused_with_an_alternative(servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    reply = texts(servers.say(sender, "book me for tai chi yesterday", elder=wang, **MAPLE_EN))
    assert "already passed" in reply and "Shall I book" in reply, reply


def test_action_server_down_gets_a_kind_reply(servers: Servers, sender: str) -> None:
    servers.stop_actions()
    try:
        reply = servers.say(sender, "what is the old age allowance", **MAPLE_EN)
        assert "connecting you" in texts(reply) or "One moment" in texts(reply), reply
        zh = servers.say(sender + "-zh", "高龄津贴是什么", **MAPLE_ZH)
        assert "工作人员" in texts(zh) or "请稍等" in texts(zh), zh
    finally:
        servers.start_actions()
    assert "Local residents" in texts(servers.say(sender + "-after", "what is the old age allowance", **MAPLE_EN))
