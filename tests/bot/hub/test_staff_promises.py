"""A text that tells the person staff will contact them, or that they are being connected, is only
said with a hand-off behind it: a row the consultants' queue shows.

The first test walks every text the assistant can say (the catalogue's texts of the engine, the
hub, the hotline and Telegram, and the Rasa domain's responses, in both languages), finds those
that promise staff, and checks the list below names each one and how it is kept. The others drive
each promise through the hub with the real engine (and with its action server down) and look for
the row in the console's queue."""

from __future__ import annotations

import ast
import asyncio
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from bot.console.views import queue
from bot.hub.bot_client import RasaClient
from bot.hub.hub import Hub
from bot.hub.messages import Inbound, Reply
from careline.catalogue import messages
from careline.stack import Stack
from knowledge import db
from knowledge.actors import Actor
from knowledge.handoffs import TAKEN, WAITING
from knowledge.models import Conversation, ElderEvent
from tests.bot.conftest import elder_id

ROOT = Path(__file__).resolve().parents[3]

#: every text that promises staff, and what keeps the promise
PROMISES = {
    "actions.handoff": "said by action_handoff with the hand-off it opens",
    "actions.handoff_after_misunderstanding": "said by action_default_fallback with the hand-off it opens",
    "actions.handoff_after_out_of_scope": "said by action_out_of_scope with the hand-off it opens",
    "actions.emergency": "said by action_emergency with the emergency hand-off it opens",
    "actions.trouble": "a turn that broke down: the hub opens the hand-off (bot/hub/promises.py)",
    "hub.emergency_now": "the hub queues the emergency as it says it (bot/hub/emergencies.py)",
    "hub.alert_emergency": "to the family, for an emergency the hub or the engine queued",
    "hub.with_consultant": "said only while a person owns the conversation (status open)",
    "voice.prompt.queue_next": "the hotline says it while the hub says the conversation waits in the queue",
    "voice.prompt.with_consultant_hold": "the hotline says it while the hub says a person owns the conversation",
    "voice.prompt.connecting": "never said (a prompt only warmed into the cache)",
    "voice.prompt.consultants_busy": "never said (a prompt only warmed into the cache)",
    "voice.prompt.technical_problem": "never said (a prompt only warmed into the cache)",
}
NEVER_SAID = {"connecting", "consultants_busy", "technical_problem"}
SAID_WITH_A_CONSULTANT = {"queue_next", "with_consultant_hold"}

SPOKEN = ("actions.", "hub.", "voice.prompt.", "telegram.")
_STAFF = re.compile(r"staff|consultant|\bperson\b|工作人员|咨询员|人工", re.IGNORECASE)
_DOING = re.compile(r"connect(?:ing)? you|contact you|alerted|with a member of staff|looking into"
                    r"|(?:will|'ll) (?:be with|call|reply)|转给|转接|联系您|通知|收到|处理|回电话|马上就来|回复您",
                    re.IGNORECASE)
_OFFER = re.compile(r"would you like|shall i|\bor i can\b|要不要|好吗|或者|可以", re.IGNORECASE)
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"")  # what to say ("say “转人工”"), not what happens
_SENTENCE = re.compile(r"[^。！？!?.\n]+[。！？!?.]?")


def promises_staff(text: str) -> bool:
    """A sentence that says staff are coming or told, not one that offers them ("shall I…?")."""
    for sentence in _SENTENCE.findall(_QUOTED.sub("", text)):
        sentence = sentence.strip()
        if _STAFF.search(sentence) and _DOING.search(sentence) and not _OFFER.search(sentence) \
                and not sentence.endswith(("?", "？")):
            return True
    return False


def _all_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        for key, text in messages(lang).items():
            if key.startswith(SPOKEN):
                texts.setdefault(key, []).append(text)
    domain = yaml.safe_load((ROOT / "bot" / "domain" / "responses.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        texts[name] = [variant["text"] for variant in variants]
    return texts


def test_every_text_that_promises_staff_is_known_and_kept() -> None:
    found = {key for key, texts in _all_texts().items() if any(promises_staff(t) for t in texts)}
    assert found == set(PROMISES), f"new: {found - set(PROMISES)}; gone: {set(PROMISES) - found}"


def test_the_classifier_tells_offers_from_promises() -> None:
    assert promises_staff("好的，我帮您转给工作人员，请稍等，不要挂机。")
    assert promises_staff("I have alerted our staff, who will contact you right away.")
    assert not promises_staff("最近几周都报满了。要不要我帮您转给工作人员？")
    assert not promises_staff("Would you like me to connect you to a member of staff?")
    assert not promises_staff("您可以接着问我，想再找工作人员就说“转人工”。")


def _said_in(function: ast.AST) -> set[str]:
    return {node.args[0].value for node in ast.walk(function) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "say_prompt" and node.args
            and isinstance(node.args[0], ast.Constant)}


def test_the_hotline_says_its_promises_only_with_a_consultant() -> None:
    tree = ast.parse((ROOT / "voice" / "hotline" / "session.py").read_text(encoding="utf-8"))
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)}
    assert _said_in(functions["_with_consultant"]) >= SAID_WITH_A_CONSULTANT
    elsewhere = set().union(*(_said_in(f) for name, f in functions.items() if name != "_with_consultant"))
    assert not (SAID_WITH_A_CONSULTANT | NEVER_SAID) & elsewhere
    for path in [*ROOT.glob("voice/**/*.py"), *ROOT.glob("bot/**/*.py"), *ROOT.glob("actions/*.py")]:
        if path.name != "prompts.py":
            text = path.read_text(encoding="utf-8")
            assert not any(f'"{key}"' in text for key in NEVER_SAID), path


# -- through the hub, with the real engine ----------------------------------------------------------

ADMIN = Actor(consultant_id=0, district_ids=None, is_admin=True)


class Talk:
    def __init__(self, servers: Stack, language: str, elder: str = "wang") -> None:
        self.hub = Hub(db.session_factory(db.make_engine(servers.database_url)),
                       RasaClient(servers.rasa_url, timeout=30, token=servers.rasa_token))
        self.name, self.language = f"promise-{uuid.uuid4().hex[:8]}", language
        self.elder = elder_id(servers, elder)

    def say(self, text: str) -> list[Reply]:
        replies = asyncio.run(self.hub.handle(Inbound(channel="terminal", conversation=self.name, address=self.name,
                                                      text=text, language=self.language, elder_id=self.elder)))
        for reply in replies:
            if promises_staff(reply.text):
                assert self.queue_row() is not None, f"{reply.text!r} promised staff with no hand-off"
        return replies

    def conversation_id(self) -> int:
        with self.hub.sessions() as session:
            return session.scalar(select(Conversation.id).where(Conversation.external_id == self.name))

    def queue_row(self) -> object | None:
        """This conversation's row in the console's queue (waiting, or taken by a consultant)."""
        with self.hub.sessions() as session:
            rows = queue(session, ADMIN, (WAITING, TAKEN))
        return next((row for row in rows if row.conversation_id == self.conversation_id()), None)


def _said(replies: list[Reply], key: str, language: str) -> bool:
    fixed = messages(language)[key].split("{")[0]
    return any(r.text.startswith(fixed) for r in replies)


@pytest.mark.dialogue
@pytest.mark.parametrize(("language", "messages_", "key"), [
    ("en", ["I want to talk to a real person"], "actions.handoff"),
    ("zh", ["转人工"], "actions.handoff"),
    ("zh", ["呃呃呃", "今天股票涨了没有"], "actions.handoff_after_out_of_scope"),
    ("en", ["the purple moon is singing", "asdf jkl"], "actions.handoff_after_out_of_scope"),
    ("en", ["blik florp zibble help", "zibble florp blik help"], "actions.handoff_after_misunderstanding"),
    ("zh", ["救命 我摔倒了起不来"], "actions.emergency"),
    ("en", ["help I've fallen and I can't get up"], "actions.emergency"),
])
def test_the_engine_says_it_with_the_hand_off(servers: Stack, language: str, messages_: list[str], key: str) -> None:
    talk = Talk(servers, language)
    replies: list[Reply] = []
    for text in messages_:
        replies = talk.say(text)
    assert _said(replies, key, language), [r.text for r in replies]
    assert talk.queue_row() is not None
    later = talk.say("are you still there?" if language == "en" else "还在吗？")
    assert _said(later, "hub.with_consultant", language), [r.text for r in later]


@pytest.fixture
def actions_down(servers: Stack) -> Iterator[Stack]:
    servers.stop_actions()
    try:
        yield servers
    finally:
        servers.start_actions()


@pytest.mark.dialogue
def test_a_turn_that_breaks_down_opens_the_hand_off_it_promises(actions_down: Stack) -> None:
    """The action server is down: "connecting you to staff" comes with a row in the queue, and a
    cry for help still gets the emergency number and the top of the queue (it used to get "the
    system is busy" alone, with no hand-off, while the family were told staff knew)."""
    servers = actions_down
    for language, question in (("en", "what is the old age allowance"), ("zh", "高龄津贴是什么")):
        talk = Talk(servers, language)
        replies = talk.say(question)
        assert _said(replies, "actions.trouble", language), [r.text for r in replies]
        row = talk.queue_row()
        assert row is not None and row.reason == "trouble"
    for language, cry in (("zh", "救命 我摔倒了起不来"), ("en", "help I've fallen and I can't get up")):
        talk = Talk(servers, language, elder="li")
        replies = talk.say(cry)
        assert _said(replies, "hub.emergency_now", language) and "120" in replies[0].text, [r.text for r in replies]
        assert not _said(replies, "actions.trouble", language)
        row = talk.queue_row()
        assert row is not None and row.urgency == 9
        with talk.hub.sessions() as session:
            assert session.scalar(select(ElderEvent.id).where(ElderEvent.kind == "emergency",
                                                              ElderEvent.source == f"conv-{talk.conversation_id()}"))
