"""Rasa answers only those holding the RASA_API secret: its HTTP API through ``--auth-token`` (a
``token`` query parameter), our REST channel through ``Authorization: Bearer`` (Rasa's token
does not cover channel webhooks). Real Rasa and action servers (the ``servers`` stack)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from careline.stack import Stack

pytestmark = pytest.mark.dialogue

A_BOOKING = {"message": "book me tai chi tomorrow", "metadata": {"language": "en", "district": "maple-town",
                                                                 "elder": "wang", "channel": "telegram"}}


def _sender() -> str:
    return f"sec-{uuid.uuid4().hex[:10]}"


def _user_turns(servers: Stack, sender: str) -> list[dict[str, Any]]:
    tracker = httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", params=servers.api_params,
                        timeout=30)
    assert tracker.status_code == 200, tracker.text
    return [e for e in tracker.json()["events"] if e.get("event") == "user"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic d2FuZzp3YW5n"}],
                         ids=["no token", "wrong token", "other scheme"])
def test_the_channel_refuses_a_message_without_the_token(servers: Stack, headers: dict[str, str]) -> None:
    sender = _sender()
    refused = httpx.post(f"{servers.rasa_url}/webhooks/careline/webhook", json={"sender": sender, **A_BOOKING},
                         headers=headers, timeout=60)
    assert refused.status_code == 401
    assert _user_turns(servers, sender) == [], "the message reached no conversation"


def test_the_channel_takes_the_api_token_only_as_a_header(servers: Stack) -> None:
    sender = _sender()
    refused = httpx.post(f"{servers.rasa_url}/webhooks/careline/webhook", params=servers.api_params,
                         json={"sender": sender, **A_BOOKING}, timeout=60)
    assert refused.status_code == 401


def test_the_channel_answers_with_the_token_and_its_health_check_is_open(servers: Stack) -> None:
    sender = _sender()
    assert servers.say(sender, "hello", language="en", district="maple-town")
    assert len(_user_turns(servers, sender)) == 1
    assert httpx.get(f"{servers.rasa_url}/webhooks/careline/", timeout=10).json() == {"status": "ok"}


def test_rasas_own_rest_channel_is_off(servers: Stack) -> None:
    """It would take any message for any conversation, with no token."""
    sent = httpx.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": _sender(), "message": "hi"},
                      headers=servers.headers, timeout=30)
    assert sent.status_code == 404


@pytest.mark.parametrize("params", [{}, {"token": "wrong"}], ids=["no token", "wrong token"])
def test_rasas_api_refuses_without_the_token(servers: Stack, params: dict[str, str]) -> None:
    sender = _sender()
    read = httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", params=params, timeout=30)
    assert read.status_code == 401
    # writing events would let a caller name any elder for a conversation
    slot = [{"event": "slot", "name": "elder_key", "value": "wang"}]
    written = httpx.post(f"{servers.rasa_url}/conversations/{sender}/tracker/events", params=params, json=slot,
                         timeout=30)
    assert written.status_code == 401
    assert httpx.post(f"{servers.rasa_url}/model/parse", params=params, json={"text": "hi"},
                      timeout=30).status_code == 401
    tracker = httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", params=servers.api_params, timeout=30)
    assert tracker.json()["slots"].get("elder_key") is None
