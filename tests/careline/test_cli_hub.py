"""``careline chat`` and ``careline link-code`` as an administrator uses them, in a subprocess,
against the real servers."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from careline.stack import Stack
from tests.careline.test_cli import careline


def _env(servers: Stack) -> dict[str, str]:
    return {"CARELINE_DATABASE_URL": servers.database_url, "CARELINE_RASA_URL": servers.rasa_url,
            "CARELINE_SECRET_RASA_API": servers.rasa_token}


@pytest.mark.dialogue
def test_chat_sends_one_message_and_prints_the_replies(servers: Stack) -> None:
    name = f"cli-{uuid.uuid4().hex[:8]}"
    done = careline("chat", "--lang", "en", "--elder", "smith", "--district", "maple-town", "--conversation", name,
                    "--message", "can I book tai chi", env=_env(servers), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "[1]" in done.stdout and "[2]" in done.stdout, "the offered choices are numbered"
    no = careline("chat", "--lang", "en", "--elder", "smith", "--conversation", name, "--message", "2",
                  env=_env(servers), timeout=120)
    assert no.returncode == 0 and "Booked" not in no.stdout


@pytest.mark.dialogue
def test_chat_names_an_unknown_elder(servers: Stack) -> None:
    done = careline("chat", "--lang", "zh", "--elder", "nobody", "-m", "你好", env=_env(servers), timeout=120)
    assert done.returncode == 1 and "找不到这位老人" in done.stderr


def test_chat_without_a_running_engine_says_how_to_start_it(tmp_path: Path) -> None:
    done = careline("chat", "--lang", "en", "-m", "hello",
                    env={"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "CARELINE_RASA_URL": "http://127.0.0.1:9"})
    assert done.returncode == 3 and "careline run" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.dialogue
def test_link_code_prints_a_six_digit_code(servers: Stack) -> None:
    done = careline("link-code", "wang", "--lang", "en", env=_env(servers))
    assert done.returncode == 0, done.stderr
    code = done.stdout.split("Link code for", 1)[1].split(":", 1)[1].split()[0]
    assert len(code) == 6 and code.isdigit() and f"/link {code}" in done.stdout
