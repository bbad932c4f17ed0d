"""An empty or whitespace message, on every channel, gets a gentle prompt in the conversation's
language: it never reaches the engine, never counts as a turn the assistant failed, and never
says "connecting you to staff" (which used to come with no hand-off behind it)."""

from __future__ import annotations

import asyncio
import random
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.hub.app import create_app
from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound, Reply
from careline.catalogue import say
from careline.secrets import secret
from careline.stack import Stack
from knowledge import db
from knowledge.handoffs import hub_sender
from knowledge.models import Conversation, Handoff, Message
from tests.bot.channels.test_telegram import link
from tests.bot.conftest import RunningHub, elder_id, hub_settings
from tests.bot.hub.conftest import serve
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.dialogue

BLANK = ["", " ", "   \n\t", "\u3000"]  # \u3000: the ideographic space of a Chinese keyboard
OUT_OF_SCOPE = {"zh": ("呃呃呃", "今天股票涨了没有"), "en": ("the purple moon is singing", "asdf jkl")}
CANT_HELP = {"zh": "帮不上忙", "en": "can't help with that"}


def _handoffs(servers: Stack, conversation_id: int) -> list[Handoff]:
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        return list(session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_an_empty_message_is_a_gentle_prompt_and_not_a_failed_turn(servers: Stack, language: str) -> None:
    hub = Hub(db.session_factory(db.make_engine(servers.database_url)),
              RasaClient(servers.rasa_url, timeout=30, token=servers.rasa_token))
    name, wang = f"empty-{uuid.uuid4().hex[:8]}", elder_id(servers, "wang")

    def say_(text: str) -> list[Reply]:
        return asyncio.run(hub.handle(Inbound(channel="terminal", conversation=name, address=name, text=text,
                                              language=language, elder_id=wang)))

    first, second = OUT_OF_SCOPE[language]
    assert CANT_HELP[language] in "\n".join(r.text for r in say_(first)), "not understood once"
    for blank in BLANK:
        assert say_(blank) == [Reply(say("hub.listening", language), role="notice")], repr(blank)
    with hub.sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        blanks = session.scalars(select(Message).where(Message.conversation_id == conversation.id,
                                                       Message.sender == "user", Message.id > 0)
                                 .order_by(Message.id)).all()[1:]
        assert [m.text for m in blanks] == BLANK, "kept in the transcript"
        assert all(m.bot_state is None for m in blanks), "never sent to the engine"
    assert _handoffs(servers, conversation.id) == [], "no staff were promised, and none were called"
    tracker = httpx.get(f"{servers.rasa_url}/conversations/{hub_sender(conversation.id)}/tracker",
                        params=servers.api_params, timeout=30).json()
    assert [e.get("text") for e in tracker["events"] if e["event"] == "user"] == [first]
    assert tracker["slots"]["fallbacks"] == 1.0, "the misunderstanding before the blanks still counts, once"
    handed = "\n".join(r.text for r in say_(second))
    assert _handoffs(servers, conversation.id), f"two misunderstandings in a row hand over: {handed}"


@pytest.mark.parametrize(("language", "listening"), [("zh", "我在听"), ("en", "I'm listening")])
def test_an_empty_message_over_the_channel_api(servers: Stack, tmp_path: Path, language: str,
                                               listening: str) -> None:
    settings = hub_settings(servers, tmp_path / "var")
    with serve(create_app(settings)) as url:
        for channel in ("terminal", "phone"):
            headers = {"Authorization": f"Bearer {secret(f'channel_{channel}', settings)}"}
            body = {"conversation": f"{channel}-{uuid.uuid4().hex[:8]}", "text": "  ", "language": language}
            answer = httpx.post(f"{url}/api/messages", json=body, headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text
            assert [r["text"] for r in answer.json()["replies"]] == [say("hub.listening", language)]
            assert listening in answer.json()["replies"][0]["text"]
            no_text = httpx.post(f"{url}/api/messages", json={**body, "conversation": body["conversation"] + "-b",
                                                              "text": ""}, headers=headers, timeout=60)
            assert [r["text"] for r in no_text.json()["replies"]] == [say("hub.listening", language)]


@pytest.mark.parametrize(("app", "listening"), [("zh-hans", "我在听"), ("en", "I'm listening")])
def test_an_empty_message_on_telegram(hub: RunningHub, telegram_api: TelegramAPI, servers: Stack, app: str,
                                      listening: str) -> None:
    api = telegram_api
    user = api.user(random.randint(10**8, 10**9), "Ming", app)
    link(api, servers, user, "li")
    api.send_text(user, "   ")
    [reply] = api.wait_for(user.id, 1, 60.0)
    assert listening in reply.text and "staff" not in reply.text and "工作人员" not in reply.text, reply.text
