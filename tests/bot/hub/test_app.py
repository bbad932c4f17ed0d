"""The hub process as deployed: the ASGI app on uvicorn, Telegram in webhook mode posting to the
hub's own route, and the channel-neutral message API."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.hub.app import create_app
from careline.secrets import secret
from careline.settings import Settings
from careline.stack import Stack, free_port
from tests.bot.conftest import hub_settings
from tests.bot.hub.conftest import serve
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.dialogue


@dataclass
class Deployed:
    url: str
    settings: Settings


@pytest.fixture
def webhook_hub(servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[Deployed]:
    port = free_port()
    settings = hub_settings(servers, tmp_path, telegram_token=telegram_api.token,
                            telegram_base_url=telegram_api.base_url, telegram_base_file_url=telegram_api.base_file_url,
                            telegram_mode="webhook", telegram_webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                            telegram_webhook_secret="s3cret-token")
    with serve(create_app(settings), port) as url:
        yield Deployed(url, settings)


def test_telegram_in_webhook_mode_posts_to_the_hub(webhook_hub: Deployed, telegram_api: TelegramAPI) -> None:
    user = telegram_api.user(random.randint(10**8, 10**9), "Ann", "en")
    telegram_api.send_command(user, "/start")
    [welcome] = telegram_api.wait_for(user.id, 1, 30)
    assert "link code" in welcome.text
    assert all(a.secret_token == "s3cret-token" for a in telegram_api.webhook_attempts)
    forged = httpx.post(f"{webhook_hub.url}/telegram/webhook", json={"update_id": 1}, timeout=10,
                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
    assert forged.status_code == 403


def test_the_message_api_answers_a_channel_that_speaks_at_once(webhook_hub: Deployed) -> None:
    token = secret("channel_phone", webhook_hub.settings)
    reply = httpx.post(f"{webhook_hub.url}/api/messages", timeout=60, headers={"Authorization": f"Bearer {token}"},
                       json={"conversation": f"call-{random.randint(1, 10**9)}", "text": "hello", "language": "en"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["channel"] == "phone" and reply.json()["replies"][0]["text"]
    assert reply.json()["replies"][0]["role"] == "answer", "the engine answered, not the holding reply"
    bad = httpx.post(f"{webhook_hub.url}/api/messages", timeout=60, headers={"Authorization": f"Bearer {token}"},
                     json={"channel": "", "conversation": "x"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_body"
    assert httpx.get(f"{webhook_hub.url}/healthz", timeout=10).json() == {"status": "ok"}
