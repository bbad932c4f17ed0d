"""The fault test of issue 12: the database locked for 15 s during a burst of Telegram updates, and
the Bot API refusing one reply for good. Every update is answered once, every other reply and the
emergency alert arrive, in order. The real hub, Rasa and action servers, python-telegram-bot and
the Bot API stand-in; SQLite locked by another connection holding ``BEGIN EXCLUSIVE`` (no reads,
no writes), longer than the hub's 10 s busy timeout."""

from __future__ import annotations

import random
import time

import pytest
from sqlalchemy import select

from bot.hub.messages import Inbound
from careline.stack import Stack
from knowledge import db
from knowledge.models import ChannelUpdate, OutboxMessage
from tests.bot.channels.test_telegram import link, new_user, wait_text
from tests.bot.channels.test_telegram_delivery import user_messages
from tests.bot.conftest import RunningHub, database_locked, elder_id
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.dialogue

REFUSED = "Just type your question"  # the English /help text: the stand-in refuses it for good


def test_a_locked_database_and_a_refused_reply_lose_double_and_block_nothing(
        hub: RunningHub, telegram_api: TelegramAPI, servers: Stack) -> None:
    api = telegram_api
    ann, bo, cy = new_user(api, "en", "Ann"), new_user(api, "zh-hans", "Bo"), new_user(api, "en", "Cy")
    link(api, servers, ann, "smith")
    link(api, servers, bo, "wang")
    link(api, servers, cy, "li")
    api.fail("sendMessage", times=None, status=400, description="Bad Request: can't parse entities",
             matching=REFUSED)
    said = {ann.id: ["/help", "what is the old age allowance"],
            bo.id: ["高龄津贴是什么", "谢谢"],
            cy.id: ["hello", "what is the old age allowance", "thank you"]}
    users = {ann.id: ann, bo.id: bo, cy.id: cy}
    before = {user_id: len(api.sent(user_id)) for user_id in users}
    with database_locked(servers.database_url, 15):
        for turn in range(3):  # a burst, the three chats interleaved
            for user_id, texts in said.items():
                if turn < len(texts):
                    api.send_text(users[user_id], texts[turn])
                    time.sleep(0.3)
    wait_text(api, ann, "allowance", timeout=120)  # behind the refused /help text in Ann's chat
    hub.call(hub.runtime.hub.handle(Inbound(
        channel="phone", conversation=f"call-{random.randint(1, 10**9)}", address="call", language="en",
        text="help me I've fallen and I can't get up", elder_id=elder_id(servers, "smith"))))

    wait_text(api, ann, "Emergency alert", timeout=120)
    wait_text(api, bo, "高龄津贴", timeout=120)
    api.wait_until(lambda: len(api.sent(cy.id)) - before[cy.id] >= 3, 120, "Cy's three answers")
    api.wait_until(lambda: len(api.sent(bo.id)) - before[bo.id] >= 2, 60, "Bo's two answers")
    time.sleep(5)  # anything doubled would arrive by now

    sessions = db.session_factory(db.make_engine(servers.database_url))
    with sessions() as session:
        updates = session.scalars(select(ChannelUpdate).order_by(ChannelUpdate.id)).all()
        queued = {user_id: session.scalars(select(OutboxMessage).where(OutboxMessage.address == str(user_id))
                                           .order_by(OutboxMessage.id)).all() for user_id in users}
    burst = [u for u in updates if (u.payload.get("message") or {}).get("chat", {}).get("id") in users
             and (u.payload["message"].get("text") in sum(said.values(), []))]
    assert len(burst) == 7 and {u.status for u in burst} == {"done"}, [(u.status, u.attempts) for u in burst]
    for user_id, texts in said.items():
        assert user_messages(servers, users[user_id]) == [t for t in texts if not t.startswith("/")], \
            "each message reached the hub once, in order"
        delivered = [m.text for m in api.sent(user_id)]
        expected = [row.body["text"] for row in queued[user_id] if row.status == "sent"]
        assert delivered == expected, "every queued reply and alert arrived once, in the order queued"
        assert {row.status for row in queued[user_id]} <= {"sent", "failed"}
    [refused] = [row for rows in queued.values() for row in rows if row.status == "failed"]
    assert refused.address == str(ann.id) and REFUSED in refused.body["text"]
    assert len([c for c in api.attempts("sendMessage") if REFUSED in str(c.params.get("text"))]) == 1, \
        "a reply refused for good is not retried"
    answers = [m.text for m in api.sent(ann.id)][before[ann.id]:]
    assert "allowance" in answers[0] and "Emergency alert" in answers[-1], answers
    assert sum("allowance" in t for t in [m.text for m in api.sent(cy.id)][before[cy.id]:]) == 1
