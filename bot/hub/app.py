"""The hub process: one ASGI app (FastAPI on uvicorn) that owns the outbox dispatcher, the
family alerts, the retry of messages that reached no engine, and the Telegram channel
(:class:`bot.hub.runtime.HubRuntime`). The consultants' console will be served by the same app,
as one more router.

FastAPI was chosen for typed request bodies (pydantic, which the settings already use) and its
lifespan hooks that run the background loops next to the HTTP routes in one event loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from bot.console import install as install_console
from bot.hub import http_errors
from bot.hub.auth import ChannelTokens
from bot.hub.body_limit import BodyLimit
from bot.hub.http_errors import error_response
from bot.hub.routes import channels, health, telegram
from bot.hub.runtime import HubRuntime
from careline.settings import Settings

__all__ = ["HubRuntime", "create_app"]


def create_app(settings: Settings, runtime: HubRuntime | None = None) -> FastAPI:
    """The hub's HTTP app. Its doors: ``/healthz`` (public), ``/api/messages`` (a channel token),
    ``/telegram/webhook`` (only in webhook mode; Telegram's secret header); ``/docs``, ``/redoc``
    and ``/openapi.json`` only when ``hub_api_docs`` is on."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = runtime or HubRuntime.build(settings)
        await app.state.runtime.start()
        try:
            yield
        finally:
            await app.state.runtime.stop()

    docs = settings.hub_api_docs
    app = FastAPI(title="CareLine hub", lifespan=lifespan, docs_url="/docs" if docs else None,
                  redoc_url="/redoc" if docs else None, openapi_url="/openapi.json" if docs else None)
    http_errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.hub_max_body_bytes,
                       too_large=lambda: error_response(413, "too_large", limit=settings.hub_max_body_bytes))
    app.include_router(health.router())
    app.include_router(channels.router(settings, ChannelTokens.load(settings)))
    if settings.telegram_token and settings.telegram_mode == "webhook":
        app.include_router(telegram.router(settings))
    install_console(app, settings)
    return app
