"""A consultant takes a Telegram conversation from the bot and hands it back, end to end: the
real Rasa and action servers, the hub with its dispatcher, python-telegram-bot against the Bot
API stand-in. The consultant's reply reaches the chat, the person is told of the hand-back, the
tracker records it, and the bot answers the next question with what it knew before."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from careline.stack import Stack
from knowledge import db
from knowledge.actors import actor_for
from knowledge.handoffs import hub_sender
from knowledge.models import ChannelAccount, Consultant, Conversation, Elder, Handoff
from tests.bot.channels.test_telegram import WAIT, link, new_user, said, wait_text
from tests.bot.conftest import RunningHub, elder_id
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.dialogue


def test_hand_back_on_telegram_keeps_the_bots_slots(hub: RunningHub, telegram_api: TelegramAPI,
                                                     servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api)
    link(api, servers, user, "li")
    api.send_text(user, "高龄津贴是什么")
    wait_text(api, user, "高龄津贴")
    api.send_text(user, "/human")
    wait_text(api, user, "工作人员")
    api.send_text(user, "申请条件是什么")  # while a person owns the conversation, the bot stays out
    wait_text(api, user, "您的消息已经转给工作人员了")

    li = elder_id(servers, "li")
    sessions = db.session_factory(db.make_engine(servers.database_url))
    with db.transaction(sessions) as session:
        conversation = session.scalar(
            select(Conversation).join(ChannelAccount, ChannelAccount.id == Conversation.account_id)
            .where(ChannelAccount.external_id == str(user.id)).order_by(Conversation.id.desc()))
        assert conversation.status == "open"
        district_id = session.get(Elder, li).district_id
        consultant = Consultant(district_id=district_id, key=f"c-{uuid.uuid4().hex[:8]}", name="王芳",
                                username=f"u-{uuid.uuid4().hex[:8]}", languages=["zh"])
        session.add(consultant)
        session.flush()
        actor = actor_for(session, consultant.id)
    console = hub.runtime.console
    hub.call(console.claim(conversation.id, actor))
    screen = hub.call(console.conversation(conversation.id, actor, "zh"))
    assert screen.slots.get("policy_key") and screen.slots.get("elder_key") == "li", screen.slots
    assert [line.text for line in screen.transcript if line.sender == "user"][-1] == "申请条件是什么"
    hub.call(console.say(conversation.id, actor, "您好，我是工作人员王芳。高龄津贴的事我帮您看一下。"))
    wait_text(api, user, "我是工作人员王芳")
    hub.call(console.hand_back(conversation.id, actor))
    wait_text(api, user, "交回给我")

    tracker = httpx.get(f"{servers.rasa_url}/conversations/{hub_sender(conversation.id)}/tracker",
                        params=servers.api_params, timeout=30).json()
    assert tracker["events"][-1]["event"] == "resume"
    assert tracker["slots"]["policy_key"], "the engine's tracker still has the policy under discussion"
    before = len(api.sent(user.id))
    api.send_text(user, "申请条件是什么")  # names no policy: only the slot from before the hand-off does
    api.wait_until(lambda: "条件是" in "\n".join(m.text or "" for m in api.sent(user.id)[before:]), WAIT,
                   "the bot's answer about the policy")
    answer = "\n".join(m.text or "" for m in api.sent(user.id)[before:])
    assert "高龄津贴" in answer and "您想了解哪项政策" not in answer, said(api, user)
    with sessions() as session:
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id)
                                 .order_by(Handoff.id.desc()))
        assert session.get(Conversation, conversation.id).status == "pending"
        assert (handoff.status, handoff.consultant_id) == ("handed_back", actor.consultant_id)
