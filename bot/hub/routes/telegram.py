"""``POST /telegram/webhook``: only in webhook mode, behind the secret Telegram was given."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request

from bot.hub.api_message import load_json
from bot.hub.http_errors import ApiError
from bot.hub.runtime import HubRuntime
from careline.settings import Settings


def router(settings: Settings) -> APIRouter:
    routes = APIRouter()
    expected = settings.telegram_webhook_secret.encode()

    @routes.post("/telegram/webhook")
    async def telegram_webhook(request: Request) -> dict[str, bool]:
        """An update from Telegram, which sends the secret it was given with the webhook; with
        no secret configured nothing is accepted."""
        given = request.headers.get("x-telegram-bot-api-secret-token", "").encode("utf-8", "surrogateescape")
        if not expected or not hmac.compare_digest(given, expected):
            raise ApiError(403, "forbidden")
        runtime: HubRuntime = request.app.state.runtime
        if runtime.telegram is None:
            raise ApiError(404, "not_found")
        update = load_json(await request.body())
        if not isinstance(update, dict):
            raise ApiError(422, "invalid_body", fields="(body)")
        if not await runtime.telegram.process(update):
            raise ApiError(503, "not_stored")  # not stored: Telegram delivers it again
        return {"ok": True}

    return routes
