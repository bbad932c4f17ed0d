"""``careline chat`` and ``careline link-code`` as an administrator uses them, in a subprocess,
against the real servers. ``careline chat`` talks to a running hub (the ASGI app on uvicorn) over
its HTTP API with the terminal channel's token, like any channel."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.hub.app import create_app
from careline.stack import Stack, free_port
from knowledge import db
from knowledge.models import Conversation, Elder, Message
from tests.bot.conftest import hub_settings
from tests.bot.hub.conftest import serve
from tests.careline.test_cli import careline


@dataclass
class Hub:
    port: int
    var_dir: Path


def _env(servers: Stack, hub: Hub) -> dict[str, str]:
    return {"CARELINE_DATABASE_URL": servers.database_url, "CARELINE_RASA_URL": servers.rasa_url,
            "CARELINE_VAR_DIR": str(hub.var_dir), "CARELINE_HUB_PORT": str(hub.port)}


@pytest.fixture
def running_hub(servers: Stack, tmp_path: Path) -> Iterator[Hub]:
    port = free_port()
    settings = hub_settings(servers, tmp_path / "var", hub_port=port)
    with serve(create_app(settings), port):
        yield Hub(port, settings.var_dir)


def _conversation(servers: Stack, name: str) -> tuple[str, str | None, list[str]]:
    sessions = db.session_factory(db.make_engine(servers.database_url))
    with sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
        senders = session.scalars(select(Message.sender).where(Message.conversation_id == conversation.id)
                                  .order_by(Message.id)).all()
        return conversation.channel, elder.key if elder else None, list(senders)


@pytest.mark.dialogue
def test_chat_sends_one_message_through_the_running_hub(servers: Stack, running_hub: Hub) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    env = _env(servers, running_hub)
    done = careline("chat", "--lang", "en", "--elder", "smith", "--district", "maple-town", "--conversation", name,
                    "--message", "can I book tai chi", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "[1]" in done.stdout and "[2]" in done.stdout, "the offered choices are numbered"
    no = careline("chat", "--lang", "en", "--elder", "smith", "--conversation", name, "--message", "2",
                  env=env, timeout=120)
    assert no.returncode == 0 and "Booked" not in no.stdout
    channel, elder, senders = _conversation(servers, name)
    assert (channel, elder) == ("terminal", "smith")
    assert senders.count("user") == 2 and "bot" in senders


@pytest.mark.dialogue
def test_chat_cannot_move_a_conversation_to_another_elder(servers: Stack, running_hub: Hub) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    env = _env(servers, running_hub)
    first = careline("chat", "--lang", "en", "--elder", "smith", "--conversation", name, "-m", "hello", env=env,
                     timeout=120)
    assert first.returncode == 0, first.stderr
    moved = careline("chat", "--lang", "zh", "--elder", "wang", "--district", "maple-town", "--conversation", name,
                     "-m", "你好", env=env, timeout=120)
    assert moved.returncode == 4 and "另一位老人" in moved.stderr and "Traceback" not in moved.stderr
    assert _conversation(servers, name)[1] == "smith"


@pytest.mark.dialogue
@pytest.mark.parametrize(("lang", "listening"), [("zh", "我在听"), ("en", "I'm listening")])
def test_chat_an_empty_line_gets_a_gentle_prompt(servers: Stack, running_hub: Hub, lang: str, listening: str) -> None:
    """Enter pressed on an empty line (or a few spaces): a prompt, no "connecting you to staff"."""
    name = f"cli-{uuid.uuid4().hex[:8]}"
    done = careline("chat", "--lang", lang, "--elder", "smith", "--conversation", name, "-m", "   ",
                    env=_env(servers, running_hub), timeout=120)
    assert done.returncode == 0, done.stderr
    assert listening in done.stdout and "staff" not in done.stdout and "工作人员" not in done.stdout, done.stdout


@pytest.mark.dialogue
def test_chat_with_another_token_is_refused(servers: Stack, running_hub: Hub, tmp_path: Path) -> None:
    other = Hub(running_hub.port, tmp_path / "elsewhere")
    done = careline("chat", "--lang", "en", "-m", "hello", env=_env(servers, other), timeout=60)
    assert done.returncode == 4 and "channel token" in done.stderr and str(other.var_dir) in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.dialogue
def test_chat_names_an_unknown_elder(servers: Stack, running_hub: Hub) -> None:
    done = careline("chat", "--lang", "zh", "--elder", "nobody", "-m", "你好", env=_env(servers, running_hub),
                    timeout=120)
    assert done.returncode == 1 and "找不到这位老人" in done.stderr


@pytest.mark.parametrize(("lang", "words"), [("en", "Cannot reach the conversation hub"), ("zh", "连不上会话中心")])
def test_chat_without_a_running_hub_says_how_to_start_it(tmp_path: Path, lang: str, words: str) -> None:
    port = free_port()
    done = careline("chat", "--lang", lang, "-m", "hello",
                    env={"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CARELINE_VAR_DIR": str(tmp_path),
                         "CARELINE_HUB_PORT": str(port)})
    assert done.returncode == 3 and words in done.stderr and "careline run" in done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.dialogue
def test_link_code_prints_a_six_digit_code(servers: Stack) -> None:
    done = careline("link-code", "wang", "--lang", "en", env={"CARELINE_DATABASE_URL": servers.database_url})
    assert done.returncode == 0, done.stderr
    code = done.stdout.split("Link code for", 1)[1].split(":", 1)[1].split()[0]
    assert len(code) == 6 and code.isdigit() and f"/link {code}" in done.stdout
