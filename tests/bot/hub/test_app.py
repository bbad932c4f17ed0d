"""The hub process as deployed: the ASGI app on uvicorn, Telegram in webhook mode posting to the
hub's own route, and the channel-neutral message API."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from bot.hub.app import create_app
from careline.stack import Stack, free_port
from tests.bot.conftest import hub_settings
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.dialogue


@pytest.fixture
def webhook_hub(servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = hub_settings(servers, tmp_path, telegram_token=telegram_api.token,
                            telegram_base_url=telegram_api.base_url, telegram_base_file_url=telegram_api.base_file_url,
                            telegram_mode="webhook", telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
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


def test_telegram_in_webhook_mode_posts_to_the_hub(webhook_hub: str, telegram_api: TelegramAPI) -> None:
    user = telegram_api.user(random.randint(10**8, 10**9), "Ann", "en")
    telegram_api.send_command(user, "/start")
    [welcome] = telegram_api.wait_for(user.id, 1, 30)
    assert "link code" in welcome.text
    assert all(a.secret_token == "s3cret-token" for a in telegram_api.webhook_attempts)
    forged = httpx.post(f"{webhook_hub}/telegram/webhook", json={"update_id": 1}, timeout=10,
                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert forged.status_code == 403


def test_the_message_api_answers_a_channel_that_speaks_at_once(webhook_hub: str) -> None:
    reply = httpx.post(f"{webhook_hub}/api/messages", timeout=60, json={
        "channel": "phone", "conversation": f"call-{random.randint(1, 10**9)}", "text": "hello", "language": "en"})
    assert reply.status_code == 200 and reply.json()["replies"][0]["text"]
    bad = httpx.post(f"{webhook_hub}/api/messages", timeout=60, json={"channel": "", "conversation": "x"})
    assert bad.status_code == 422
    assert httpx.get(f"{webhook_hub}/healthz", timeout=10).json() == {"status": "ok"}
