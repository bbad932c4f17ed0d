"""A conversation's language through the hub, with the real dialogue engine: what a person types
in Chinese characters is answered in Mandarin and what they type in Latin letters in English,
whatever the channel said, unless they chose the other language; Rasa's own responses ("Sorry, I
didn't understand") follow as the actions do."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import select

from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound, Reply
from careline.stack import Stack
from knowledge import db
from knowledge.handoffs import hub_sender
from knowledge.models import Conversation
from tests.bot.conftest import elder_id

pytestmark = pytest.mark.dialogue

# the model understands none of these: a Rasa response answers them, in the language slot's language
NOT_UNDERSTOOD_ZH = "啪嗒啪嗒叽里咕噜 疼"
NOT_UNDERSTOOD_EN = "blik florp zibble help"
DIDNT_UNDERSTAND = {"zh": "没听明白", "en": "didn't understand"}
OUT_OF_SCOPE_ZH, OUT_OF_SCOPE_EN = "呃呃呃", "the purple moon is singing"
CANT_HELP = {"zh": "帮不上忙", "en": "can't help with that"}
ACTIVITIES = {"zh": "近期的活动", "en": "Coming up"}


class Talk:
    """One conversation on the terminal channel, as an elder of the fixture district."""

    def __init__(self, servers: Stack, channel_language: str) -> None:
        self.servers = servers
        self.hub = Hub(db.session_factory(db.make_engine(servers.database_url)),
                       RasaClient(servers.rasa_url, timeout=30, token=servers.rasa_token))
        self.name = f"lang-{uuid.uuid4().hex[:8]}"
        self.language = channel_language
        self.elder = elder_id(servers, "wang")

    def say(self, text: str) -> str:
        replies: list[Reply] = asyncio.run(self.hub.handle(Inbound(
            channel="terminal", conversation=self.name, address=self.name, text=text, language=self.language,
            elder_id=self.elder)))
        return "\n".join(r.text for r in replies)

    def conversation(self) -> Conversation:
        with self.hub.sessions() as session:
            return session.scalar(select(Conversation).where(Conversation.channel == "terminal",
                                                             Conversation.external_id == self.name))

    def engine_slot(self) -> str:
        tracker = httpx.get(f"{self.servers.rasa_url}/conversations/{hub_sender(self.conversation().id)}/tracker",
                            params=self.servers.api_params, timeout=30).json()
        return tracker["slots"]["language"]


@pytest.mark.parametrize(("channel", "written", "not_understood", "other"), [
    ("en", "zh", NOT_UNDERSTOOD_ZH, "what activities are coming up"),
    ("zh", "en", NOT_UNDERSTOOD_EN, "最近有什么活动"),
], ids=["chinese-in-an-english-conversation", "english-in-a-mandarin-conversation"])
def test_a_message_the_model_does_not_understand_is_answered_in_its_own_script(
        servers: Stack, channel: str, written: str, not_understood: str, other: str) -> None:
    talk = Talk(servers, channel)
    assert ACTIVITIES[channel] in talk.say(other), "the conversation starts in the channel's language"
    said = talk.say(not_understood)
    assert DIDNT_UNDERSTAND[written] in said, said
    assert talk.conversation().language == written and talk.engine_slot() == written


@pytest.mark.parametrize(("channel", "written", "question", "out_of_scope"), [
    ("en", "zh", "最近有什么活动", OUT_OF_SCOPE_ZH),
    ("zh", "en", "what activities are coming up", OUT_OF_SCOPE_EN),
], ids=["en-channel", "zh-channel"])
def test_the_script_switches_and_a_mixed_message_keeps_the_language(
        servers: Stack, channel: str, written: str, question: str, out_of_scope: str) -> None:
    talk = Talk(servers, channel)
    assert ACTIVITIES[written] in talk.say(question)
    said = talk.say(out_of_scope)  # answered by Rasa's own response, which reads the language slot
    assert CANT_HELP[written] in said, said
    mixed = talk.say("太极 next week")
    assert "太极" in mixed if written == "zh" else "Tai chi" in mixed, mixed
    back = talk.say("what activities are coming up" if channel == "en" else "最近有什么活动")
    assert ACTIVITIES[channel] in back, back
    assert talk.engine_slot() == channel


@pytest.mark.parametrize(("channel", "choose", "chosen", "typed_otherwise", "then_choose", "then"), [
    ("en", "我用中文说吧", "zh", "what activities are coming up", "please speak English", "en"),
    ("zh", "please speak English", "en", "最近有什么活动", "请说中文", "zh"),
], ids=["en-channel", "zh-channel"])
def test_a_language_the_person_chose_stays_whatever_they_type(
        servers: Stack, channel: str, choose: str, chosen: str, typed_otherwise: str, then_choose: str,
        then: str) -> None:
    talk = Talk(servers, channel)
    talk.say("what activities are coming up" if channel == "en" else "最近有什么活动")
    talk.say(choose)
    conversation = talk.conversation()
    assert (conversation.language, conversation.language_chosen) == (chosen, True)
    said = talk.say(typed_otherwise)
    assert ACTIVITIES[chosen] in said, said
    assert talk.engine_slot() == chosen
    talk.say(then_choose)
    said = talk.say(NOT_UNDERSTOOD_ZH if then == "en" else NOT_UNDERSTOOD_EN)
    assert DIDNT_UNDERSTAND[then] in said, said


def test_switching_without_naming_a_language_leaves_the_one_the_person_heard(servers: Stack) -> None:
    """"换个语言" typed in an English conversation: the script already says Mandarin for this
    message, but the switch is away from English, the language the person was reading."""
    talk = Talk(servers, "en")
    talk.say("what activities are coming up")
    said = talk.say("换个语言")
    assert talk.conversation().language == "zh", said
    assert talk.conversation().language_chosen
