"""How a family member gets linked, asked in chat and on the phone, in both languages, through the
real servers: chat says where the code comes from; the phone asks a known elder for the year of
birth and tells the hotline to take it (the code itself comes from the hub, never the engine)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialogue.conftest import Elders, Servers, texts

MAPLE = {"district": "maple-town", "channel": "telegram"}
PHONE = {"district": "maple-town", "channel": "phone"}


def _asks_for_the_year(replies: list[dict[str, Any]]) -> bool:
    return any((r.get("custom") or {}).get("family_link") for r in replies)


@pytest.mark.parametrize(("language", "text"), [
    ("en", "how do I get linked to my mum's account so I can book for her"),
    ("en", "my brother wants to help dad from his phone, what code does he need"),
    ("zh", "我想帮我妈预约，怎么绑定她的账号"),
    ("zh", "我哥也想在手机上帮爸爸弄，要什么码"),
])
def test_in_chat_a_family_member_is_told_where_the_code_comes_from(servers: Servers, sender: str, language: str,
                                                                   text: str) -> None:
    replies = servers.say(sender, text, language=language, **MAPLE)
    said = texts(replies)
    assert "/link" in said and "028-6000-0000" in said, said
    assert not _asks_for_the_year(replies)


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("en", "how does my daughter connect to help me", "year you were born"),
    ("zh", "我女儿要怎么绑定才能帮我", "出生年份"),
])
def test_on_the_phone_a_known_elder_is_asked_for_the_year_of_birth(servers: Servers, sender: str, elders: Elders,
                                                                   language: str, text: str, expected: str) -> None:
    elder = elders.new("smith")
    replies = servers.say(sender, text, language=language, elder=elder, **PHONE)
    assert expected in texts(replies) and _asks_for_the_year(replies), replies


def test_on_the_phone_a_caller_nobody_knows_is_offered_a_consultant_not_a_code(servers: Servers,
                                                                              sender: str) -> None:
    replies = servers.say(sender, "I need the family link code for my son", language="en", **PHONE)
    said = texts(replies)
    assert "registered" in said or "phone number we have" in said, said
    assert "consultant" in said and not _asks_for_the_year(replies)
