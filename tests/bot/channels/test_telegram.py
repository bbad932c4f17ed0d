"""A family member on Telegram, end to end: the real python-telegram-bot against the Bot API
stand-in, the hub, the real Rasa and action servers, and the database."""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import select

from bot.hub.messages import Inbound
from careline.stack import Stack
from knowledge import db
from knowledge.models import Booking, Elder, ElderEvent
from tests.bot.conftest import RunningHub, elder_id, link_code
from tests.standins.telegram_api import TelegramAPI, User

pytestmark = [pytest.mark.dialogue, pytest.mark.long]

WAIT = 60.0


def new_user(api: TelegramAPI, language: str = "zh-hans", name: str = "Ming") -> User:
    return api.user(random.randint(10**8, 10**9), name, language)


def said(api: TelegramAPI, user: User) -> str:
    return "\n".join(m.text or "" for m in api.sent(user.id))


def wait_text(api: TelegramAPI, user: User, fragment: str, timeout: float = WAIT) -> None:
    api.wait_until(lambda: fragment in said(api, user), timeout, f"{fragment!r} in chat {user.id}")


def link(api: TelegramAPI, servers: Stack, user: User, elder: str) -> None:
    api.send_text(user, f"/link {link_code(servers, elder)}")
    wait_text(api, user, "绑定成功" if user.language_code.startswith("zh") else "Linked")


def test_link_ask_book_with_a_button_and_get_the_confirmation(hub: RunningHub, telegram_api: TelegramAPI,
                                                              servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    api.send_command(user, "/start")
    wait_text(api, user, "绑定码")
    link(api, servers, user, "li")
    api.send_text(user, "我妈想请人上门理发")
    wait_text(api, user, "几点")
    api.send_text(user, "下周三上午十点")
    [offer] = api.wait_for(user.id, 1, WAIT, lambda m: bool(m.buttons))
    assert "理发" in offer.text
    api.press_button(user, offer, text="是")
    wait_text(api, user, "已经提交")
    assert not api.message(user.id, offer.message_id).buttons, "a pressed keyboard is cleared"
    sessions = db.session_factory(db.make_engine(servers.database_url))
    with sessions() as session:
        rows = session.scalars(select(Booking).where(Booking.elder_id == elder_id(servers, "li"),
                                                     Booking.kind == "home_service",
                                                     Booking.created_via == "telegram")).all()
    assert rows and rows[-1].status == "requested"


def test_an_emergency_on_another_channel_alerts_every_linked_family_member(
        hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api = telegram_api
    daughter, son = new_user(api, "en", "Ann"), new_user(api, "zh-hans", "Bo")
    link(api, servers, daughter, "smith")
    link(api, servers, son, "smith")
    outsider = new_user(api, "en", "Cy")
    link(api, servers, outsider, "wang")
    replies = hub.call(hub.runtime.hub.handle(Inbound(
        channel="phone", conversation=f"call-{random.randint(1, 10**9)}", address="call", language="en",
        text="help me I've fallen and I can't get up", elder_id=elder_id(servers, "smith"))))
    assert "120" in " ".join(r.text for r in replies)
    wait_text(api, daughter, "Emergency alert")
    wait_text(api, son, "紧急提醒")
    assert "fallen" in said(api, daughter)
    time.sleep(2)
    assert "Emergency" not in said(api, outsider) and "紧急" not in said(api, outsider)


def test_bad_link_codes_are_explained(hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    api.send_text(user, "/link 000000" if link_code(servers, "wang") != "000000" else "/link 000001")
    wait_text(api, user, "不对")
    api.send_text(user, f"/link {link_code(servers, 'wang', hours=-1)}")
    wait_text(api, user, "过期")
    code = link_code(servers, "wang")
    api.send_text(user, f"/link {code}")
    wait_text(api, user, "绑定成功")
    other = new_user(api)
    api.send_text(other, f"/link {code}")
    wait_text(api, other, "用过")
    api.send_text(other, "/link 12ab")
    wait_text(api, other, "6位数字")
    api.send_text(other, "明天有什么活动")
    wait_text(api, other, "还没有绑定")


def test_a_family_member_never_reaches_an_elder_not_linked_to_them(
        hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    link(api, servers, user, "wang")
    api.send_text(user, "/elders")
    [listing] = api.wait_for(user.id, 1, WAIT, lambda m: bool(m.buttons))
    assert [b.text for b in listing.buttons] == ["✓ 王秀英"]
    forged = {"callback_query": {"id": "forged-1", "from": user.to_dict(), "chat_instance": "1",
                                 "message": listing.to_dict(), "data": f"elder:{elder_id(servers, 'li')}"}}
    api.push_update(forged)
    wait_text(api, user, "没有绑定这位老人")
    api.send_text(user, "我报了哪些")
    api.wait_for(user.id, 1, WAIT)
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        li_name = session.scalar(select(Elder.name).where(Elder.id == elder_id(servers, "li")))
    assert li_name not in said(api, user)


def test_stickers_and_photos_get_a_kind_answer(hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "en")
    api.send_sticker(user)
    wait_text(api, user, "only read text")
    api.send_photo(user, caption=None)
    api.wait_for(user.id, 1, WAIT)
    assert said(api, user).count("only read text") == 2


def test_fifty_messages_in_a_second_are_limited_politely(hub: RunningHub, telegram_api: TelegramAPI,
                                                         servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "en")
    link(api, servers, user, "smith")
    before = len(api.sent(user.id))
    for n in range(50):
        api.send_text(user, f"hello {n}")
    wait_text(api, user, "a lot of messages")
    time.sleep(8)
    replies = api.sent(user.id)[before:]
    assert sum("a lot of messages" in (m.text or "") for m in replies) == 1
    assert len(replies) <= 12, "only the first few messages reach the assistant"


def test_replies_arrive_exactly_once_after_the_bot_api_fails_for_a_while(
        hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "en")
    link(api, servers, user, "smith")
    api.fail("sendMessage", times=3, status=500)
    api.slow("sendMessage", 20, times=1, apply=False)
    api.send_text(user, "what is the old age allowance")
    api.send_text(user, "thank you")
    time.sleep(3)
    api.down(True, mode="drop")
    time.sleep(2)
    api.down(False)
    wait_text(api, user, "allowance", timeout=90)
    api.wait_until(lambda: len(api.sent(user.id)) >= 3, 60, "both replies")
    delivered = [m.text for m in api.sent(user.id)]
    assert len(delivered) == len(set(delivered)), delivered
    assert any(not call.delivered for call in api.attempts("sendMessage"))


def test_a_rasa_restart_gets_a_holding_reply_then_the_conversation_goes_on(
        hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    link(api, servers, user, "wang")
    api.send_text(user, "想请人上门给我妈理个发")
    wait_text(api, user, "几点")
    servers.stop_rasa()
    try:
        api.send_text(user, "下周四下午三点")
        wait_text(api, user, "请稍等")
    finally:
        servers.start_rasa()
    [offer] = api.wait_for(user.id, 1, 120, lambda m: bool(m.buttons), since=0)
    assert "理发" in offer.text, "the slots survived the restart"
    api.press_button(user, offer, text="是")
    wait_text(api, user, "已经提交")
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        assert session.scalar(select(ElderEvent.id).where(ElderEvent.elder_id == elder_id(servers, "wang"),
                                                          ElderEvent.kind == "booking_made",
                                                          ElderEvent.channel == "telegram")) is not None


def test_a_voice_note_is_transcribed_and_answered_like_text(hub: RunningHub, telegram_api: TelegramAPI,
                                                            servers: Stack) -> None:
    from tests.voice.test_audio import ogg_opus
    from voice.tts.piper import PiperSynthesizer

    api, user = telegram_api, new_user(telegram_api, "en")
    link(api, servers, user, "smith")
    speech = PiperSynthesizer().synthesize("What is the old age allowance?", "en", 1.0, 16000).pcm
    api.send_voice(user, ogg_opus(speech), duration=3)
    wait_text(api, user, "allowance", timeout=120)
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        from knowledge.models import Message

        heard = session.scalars(select(Message.text).where(Message.kind == "speech")).all()
    assert any("allowance" in text.lower() for text in heard)
    api.send_voice(user, b"this is not audio at all", duration=1)
    wait_text(api, user, "couldn't make out")


def test_commands_for_bookings_language_and_a_person(hub: RunningHub, telegram_api: TelegramAPI,
                                                     servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    link(api, servers, user, "li")
    api.send_text(user, "/bookings")
    api.wait_for(user.id, 1, WAIT)
    api.send_text(user, "/language")
    [menu] = api.wait_for(user.id, 1, WAIT, lambda m: bool(m.buttons))
    api.press_button(user, menu, text="English")
    wait_text(api, user, "I'll use English")
    api.send_text(user, "/nonsense")
    wait_text(api, user, "Commands:")
    api.send_text(user, "/human")
    wait_text(api, user, "staff")
    api.send_text(user, "are you still there?")
    wait_text(api, user, "with a member of staff")
