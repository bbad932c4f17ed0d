"""Who may post to ``/api/messages``, as which channel, and for which elder.

Each channel that answers in the same breath (the terminal, the phone line) has its own token;
the token names the channel, and a conversation is always looked up within that channel. Rasa is
not running here: an accepted message gets the hub's holding reply, which is enough to see that
it was accepted."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from bot.hub.auth import API_CHANNELS, ChannelTokens
from careline.settings import Settings
from knowledge import db, outbox
from knowledge.models import ChannelAccount, Conversation, Message, OutboxMessage
from tests.bot.hub.conftest import ApiHub

CJK = range(0x4E00, 0xA000)


def post(hub: ApiHub, body: Any, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.post(f"{hub.url}/api/messages", json=body, headers=headers, timeout=30)


def assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code
    assert any(ord(c) in CJK for c in body["message"]["zh"]) and body["message"]["en"].strip()


def conversations(hub: ApiHub, external_id: str) -> list[tuple[str, int | None]]:
    with hub.sessions() as session:
        return [(c.channel, c.elder_id) for c in session.scalars(
            select(Conversation).where(Conversation.external_id == external_id).order_by(Conversation.id))]


def test_a_message_without_a_valid_token_is_refused(api_hub: ApiHub) -> None:
    body = {"channel": "terminal", "conversation": "no-token", "text": "hello", "language": "en"}
    missing = post(api_hub, body)
    assert_refused(missing, 401, "unauthenticated")
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_refused(post(api_hub, body, token="not-the-token"), 401, "unauthenticated")
    assert_refused(post(api_hub, body, token=api_hub.token("terminal")[:-1]), 401, "unauthenticated")
    basic = httpx.post(f"{api_hub.url}/api/messages", json=body, timeout=30,
                       headers={"Authorization": f"Basic {api_hub.token('terminal')}"})
    assert_refused(basic, 401, "unauthenticated")
    assert conversations(api_hub, "no-token") == []


def test_the_token_names_the_channel(api_hub: ApiHub) -> None:
    for channel in ("terminal", "phone"):
        reply = post(api_hub, {"conversation": "by-token", "text": "hello", "language": "en"}, api_hub.token(channel))
        assert reply.status_code == 200, reply.text
        assert reply.json()["channel"] == channel and reply.json()["replies"][0]["text"]
    assert conversations(api_hub, "by-token") == [("terminal", None), ("phone", None)]
    assert api_hub.token("terminal") != api_hub.token("phone")
    named = post(api_hub, {"channel": "phone", "conversation": "named", "text": "hi"}, api_hub.token("phone"))
    assert named.status_code == 200 and conversations(api_hub, "named") == [("phone", None)]


def test_a_token_never_speaks_for_another_channel_nor_reaches_telegram(api_hub: ApiHub) -> None:
    smith, wang = api_hub.elder("smith"), api_hub.elder("wang")
    with api_hub.sessions.begin() as session:
        account = ChannelAccount(channel="telegram", external_id="777001", address="777001", language="en",
                                 selected_elder_id=smith)
        session.add(account)
        session.flush()
        session.add(Conversation(channel="telegram", external_id="777001", elder_id=smith, account_id=account.id,
                                 language="en", status="pending", priority=0))
    terminal = api_hub.token("terminal")
    assert_refused(post(api_hub, {"channel": "phone", "conversation": "777001", "text": "hi"}, terminal),
                   403, "channel_mismatch")
    for token in (terminal, api_hub.token("phone")):
        assert_refused(post(api_hub, {"channel": "telegram", "conversation": "777001", "text": "hi",
                                      "elder_id": wang}, token), 403, "channel_mismatch")
    own = post(api_hub, {"conversation": "777001", "text": "hi", "elder_id": wang}, terminal)
    assert own.status_code == 200, own.text
    assert conversations(api_hub, "777001") == [("telegram", smith), ("terminal", wang)]
    with api_hub.sessions() as session:
        assert session.scalars(select(OutboxMessage.channel)).all() == []


def test_a_conversation_keeps_the_elder_it_was_bound_to(api_hub: ApiHub) -> None:
    token, smith, wang = api_hub.token("terminal"), api_hub.elder("smith"), api_hub.elder("wang")
    first = post(api_hub, {"conversation": "bound", "text": "hello", "language": "en", "elder_id": smith}, token)
    assert first.status_code == 200, first.text
    assert_refused(post(api_hub, {"conversation": "bound", "text": "book for me", "elder_id": wang}, token),
                   409, "conversation_bound")
    same = post(api_hub, {"conversation": "bound", "text": "and again", "elder_id": smith}, token)
    unnamed = post(api_hub, {"conversation": "bound", "text": "and again"}, token)
    assert same.status_code == 200 and unnamed.status_code == 200
    assert conversations(api_hub, "bound") == [("terminal", smith)]
    later = post(api_hub, {"conversation": "unbound", "text": "hello"}, token)
    named = post(api_hub, {"conversation": "unbound", "text": "it is for wang", "elder_id": wang}, token)
    assert later.status_code == 200 and named.status_code == 200
    assert_refused(post(api_hub, {"conversation": "unbound", "text": "now smith", "elder_id": smith}, token),
                   409, "conversation_bound")
    assert conversations(api_hub, "unbound") == [("terminal", wang)]


def test_a_conversation_of_a_chat_account_is_never_taken_over(api_hub: ApiHub) -> None:
    with api_hub.sessions.begin() as session:
        account = ChannelAccount(channel="terminal", external_id="someone", address="someone", language="en")
        session.add(account)
        session.flush()
        session.add(Conversation(channel="terminal", external_id="account-chat", account_id=account.id,
                                 language="en", status="pending", priority=0))
    assert_refused(post(api_hub, {"conversation": "account-chat", "text": "hi"}, api_hub.token("terminal")),
                   409, "conversation_bound")


def test_requests_racing_for_a_new_conversation_bind_it_to_one_elder(api_hub: ApiHub) -> None:
    token, elders = api_hub.token("terminal"), [api_hub.elder("smith"), api_hub.elder("wang")]

    async def race() -> list[tuple[int, int]]:
        async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            async def one(elder: int) -> tuple[int, int]:
                response = await client.post(f"{api_hub.url}/api/messages",
                                             json={"conversation": "raced", "text": "hi", "elder_id": elder})
                return elder, response.status_code

            return list(await asyncio.gather(*(one(elders[i % 2]) for i in range(6))))

    results = asyncio.run(race())
    [(channel, winner)] = conversations(api_hub, "raced")
    assert channel == "terminal" and winner in elders
    assert {status for _elder, status in results} == {200, 409}, results
    assert all((status == 200) == (elder == winner) for elder, status in results), results


def test_quick_first_messages_of_a_new_conversation_are_all_taken(api_hub: ApiHub) -> None:
    """The phone line may post twice before the first reply (speech, then a key)."""
    token = api_hub.token("phone")

    async def burst() -> list[int]:
        async with httpx.AsyncClient(timeout=60, headers={"Authorization": f"Bearer {token}"}) as client:
            responses = await asyncio.gather(*(client.post(f"{api_hub.url}/api/messages", json={
                "conversation": "burst", "text": f"hello {i}", "language": "en"}) for i in range(5)))
            return [r.status_code for r in responses]

    assert asyncio.run(burst()) == [200] * 5
    assert conversations(api_hub, "burst") == [("phone", None)]
    with api_hub.sessions() as session:
        texts = session.scalars(select(Message.text).join(Conversation).where(
            Conversation.external_id == "burst", Message.sender == "user")).all()
    assert sorted(texts) == [f"hello {i}" for i in range(5)]


def test_channel_tokens_are_made_on_first_run_or_set_by_the_operator(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, secrets={"channel_phone": "the-operator's-phone-token"})
    tokens = ChannelTokens.load(settings)
    made = tmp_path / "secrets" / "channel_terminal"
    assert made.stat().st_mode & 0o777 == 0o600 and len(made.read_text()) >= 40
    assert not (tmp_path / "secrets" / "channel_phone").exists()
    assert tokens.channel_of(f"Bearer {made.read_text()}") == "terminal"
    assert tokens.channel_of(f"bearer  {made.read_text()} ") == "terminal"
    assert tokens.channel_of("Bearer the-operator's-phone-token") == "phone"
    assert ChannelTokens.load(settings).channel_of(f"Bearer {made.read_text()}") == "terminal", "made once, kept"
    for header in (None, "", "Bearer", "Bearer ", made.read_text(), f"Token {made.read_text()}",
                   "Bearer the-operator's-phone-token2", "Bearer telegram"):
        assert tokens.channel_of(header) is None, header
    assert "telegram" not in API_CHANNELS


def test_late_replies_are_fetched_once_by_their_own_channel_only(api_hub: ApiHub) -> None:
    """The answer that follows "one moment" waits in the outbox until the channel polls for it."""
    assert post(api_hub, {"conversation": "late-1", "text": "hello", "language": "en"},
                api_hub.token("terminal")).status_code == 200
    with db.transaction(api_hub.sessions) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.channel == "terminal",
                                                                 Conversation.external_id == "late-1"))
        outbox.enqueue(session, "terminal", "late-1", {"text": "the late answer"}, dedupe_key="late-1:answer",
                       conversation_id=conversation.id)

    def fetch(token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        return httpx.get(f"{api_hub.url}/api/conversations/late-1/pending", headers=headers, timeout=30)

    assert_refused(fetch(None), 401, "unauthenticated")
    assert fetch(api_hub.token("phone")).json()["replies"] == [], "another channel's conversation of that name"
    assert [r["text"] for r in fetch(api_hub.token("terminal")).json()["replies"]] == ["the late answer"]
    assert fetch(api_hub.token("terminal")).json()["replies"] == [], "handed out once"
