"""Receiving from Telegram without losing, doubling or blocking: updates are stored before they are
acknowledged and handled once, voice notes are transcribed on their own bounded worker after the
rate limit, and only one hub polls. The real python-telegram-bot against the Bot API stand-in, the
real hub, Rasa and action servers."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import select

from bot.hub.app import create_app
from careline.stack import Stack, free_port
from knowledge import db
from knowledge.models import ChannelAccount, Conversation, Message
from tests.bot.channels.test_telegram import link, new_user, said, wait_text
from tests.bot.conftest import RunningHub, database_locked, telegram_settings
from tests.standins.telegram_api import TelegramAPI, User

pytestmark = pytest.mark.dialogue

QUESTION = "what is the old age allowance"


def user_messages(servers: Stack, user: User) -> list[str]:
    """What the hub received from a Telegram user, in order (its transcript)."""
    with db.session_factory(db.make_engine(servers.database_url))() as session:
        return list(session.scalars(
            select(Message.text).join(Conversation, Conversation.id == Message.conversation_id)
            .join(ChannelAccount, ChannelAccount.id == Conversation.account_id)
            .where(ChannelAccount.external_id == str(user.id), Message.sender == "user").order_by(Message.id)))


def update_of(api: TelegramAPI, user: User, text: str) -> dict[str, Any]:
    """The update Telegram delivered for what the user said, as it went over the wire."""
    for call in api.attempts("getUpdates"):
        for update in (call.response or {}).get("result") or []:
            message = update.get("message") or {}
            if message.get("text") == text and message.get("chat", {}).get("id") == user.id:
                return update
    raise LookupError(text)


def test_an_update_delivered_twice_is_answered_once(hub: RunningHub, telegram_api: TelegramAPI,
                                                    servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "en")
    link(api, servers, user, "smith")
    api.send_text(user, QUESTION)
    wait_text(api, user, "allowance")
    before = len(api.sent(user.id))
    update = update_of(api, user, QUESTION)
    for _ in range(2):  # as after a crash before the offset was confirmed, or a webhook retried
        hub.call(hub.runtime.telegram.process(update))
    time.sleep(6)
    assert len(api.sent(user.id)) == before, [m.text for m in api.sent(user.id)[before:]]
    assert user_messages(servers, user) == [QUESTION]


@pytest.fixture
def telegram_api() -> Iterator[TelegramAPI]:
    """The stand-in, waiting for the webhook as long as Telegram does (longer than the database's
    busy timeout, so the hub's answer is what it hears)."""
    with TelegramAPI(webhook_timeout=30.0) as api:
        yield api


@pytest.fixture
def webhook_hub(servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = telegram_settings(servers, telegram_api, tmp_path, telegram_mode="webhook",
                                 telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                                 telegram_webhook_secret="s3cret-token")
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(30)


def test_a_webhook_update_the_database_could_not_store_is_refused_so_telegram_sends_it_again(
        webhook_hub: str, telegram_api: TelegramAPI, servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "en")
    link(api, servers, user, "smith")
    with database_locked(servers.database_url, 13):
        api.send_text(user, QUESTION)
        refused = api.wait_until(lambda: [a for a in api.webhook_attempts if not a.ok], 30,
                                 "the webhook refusing the update")[0]
    wait_text(api, user, "allowance", timeout=90)
    time.sleep(3)
    assert sum("allowance" in (m.text or "") for m in api.sent(user.id)) == 1
    assert user_messages(servers, user) == [QUESTION]
    assert refused.status == 503
    assert [a for a in api.webhook_attempts if a.update_id == refused.update_id][-1].ok, "taken when sent again"


class SlowTranscriber:
    """A stand-in recogniser that takes ``seconds`` per note on a thread, as the real one does, and
    counts how many run at once. A note's bytes are b"note:<what was said>"."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.running = self.most = self.done = 0
        self.heard: list[str] = []
        self._lock = threading.Lock()

    async def __call__(self, data: bytes, language: str) -> str:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.heard.append(data.decode())
        try:
            await asyncio.to_thread(time.sleep, self.seconds)
        finally:
            with self._lock:
                self.running -= 1
                self.done += 1
        return data.decode().removeprefix("note:")


def test_five_long_voice_notes_never_stall_the_other_chats(servers: Stack, telegram_api: TelegramAPI,
                                                           tmp_path: Path) -> None:
    api, slow = telegram_api, SlowTranscriber(6.0)
    hub = RunningHub(telegram_settings(servers, api, tmp_path, telegram_voice_workers=2), transcribe=slow)
    try:
        speakers = [new_user(api, "en", f"Speaker{n}") for n in range(5)]
        typist = new_user(api, "en", "Typist")
        for person in [*speakers, typist]:
            link(api, servers, person, "smith")
        for person in speakers:
            api.send_voice(person, f"note:{QUESTION}".encode(), duration=280)
        api.wait_until(lambda: slow.running, 20, "a note being transcribed")
        started = time.monotonic()
        api.send_text(typist, QUESTION)
        wait_text(api, typist, "allowance", timeout=30)
        assert slow.done < 5, "the typed question was answered while the notes were still being transcribed"
        assert time.monotonic() - started < 15
        for person in speakers:
            wait_text(api, person, "allowance", timeout=120)
        assert slow.most <= 2, f"{slow.most} notes were transcribed at once; the worker allows 2"
    finally:
        hub.stop()


def test_a_voice_note_over_the_rate_limit_is_not_transcribed(servers: Stack, telegram_api: TelegramAPI,
                                                             tmp_path: Path) -> None:
    api, slow = telegram_api, SlowTranscriber(0.1)
    hub = RunningHub(telegram_settings(servers, api, tmp_path, hub_rate_limit="3 per minute"), transcribe=slow)
    try:
        user = new_user(api, "en")
        link(api, servers, user, "smith")
        for n in range(3):
            api.send_text(user, f"hello {n}")
        api.send_voice(user, f"note:{QUESTION}".encode(), duration=30)
        wait_text(api, user, "a lot of messages")
        time.sleep(2)
        assert slow.heard == []
    finally:
        hub.stop()


def test_only_one_hub_polls_telegram_and_another_takes_over_when_it_stops(
        servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> None:
    api = telegram_api
    for n in range(2):
        (tmp_path / f"hub{n}").mkdir()
    hubs = [RunningHub(telegram_settings(servers, api, tmp_path / f"hub{n}")) for n in range(2)]
    try:
        time.sleep(4)
        user = new_user(api, "en")
        link(api, servers, user, "smith")
        api.send_text(user, QUESTION)
        wait_text(api, user, "allowance")
        assert not [c for c in api.attempts("getUpdates") if c.status == 409], "two hubs polled at once"
        assert [h.runtime.telegram.polling for h in hubs].count(True) == 1
        holder = next(h for h in hubs if h.runtime.telegram.polling)
        holder.stop()
        hubs.remove(holder)
        api.send_text(user, "/help")
        wait_text(api, user, "Commands:", timeout=30)
        assert hubs[0].runtime.telegram.polling
        assert not [c for c in api.attempts("getUpdates") if c.status == 409], "two hubs polled at once"
        assert said(api, user).count("Commands:") == 1
    finally:
        for running in hubs:
            running.stop()
