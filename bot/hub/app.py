"""The hub process: one ASGI app (FastAPI on uvicorn) that owns the outbox dispatcher, the
family alerts, the retry of messages that reached no engine, and the Telegram channel. The
consultants' console will be served by the same app.

FastAPI was chosen for typed request bodies (pydantic, which the settings already use) and its
lifespan hooks that run the background loops next to the HTTP routes in one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from fastapi import FastAPI, Request
from sqlalchemy.orm import Session, sessionmaker

from bot.console import install as install_console
from bot.hub import alerts, http_errors
from bot.hub.api_message import load_json, parse_message, request_schema
from bot.hub.auth import ChannelTokens
from bot.hub.binding import Refused, check_and_bind
from bot.hub.body_limit import BodyLimit
from bot.hub.bot_client import RasaClient
from bot.hub.channel import Deliverer
from bot.hub.dispatcher import Dispatcher
from bot.hub.http_errors import ApiError, error_response
from bot.hub.hub import Hub
from bot.hub.messages import Inbound
from bot.hub.ratelimit import RateLimiter
from careline.secrets import RASA_API, secret
from careline.settings import Settings
from knowledge import db

log = structlog.get_logger("careline.hub")


@dataclass
class HubRuntime:
    """Everything the hub process runs, started and stopped together."""

    settings: Settings
    sessions: sessionmaker[Session]
    hub: Hub
    dispatcher: Dispatcher
    bot: RasaClient
    telegram: Any = None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    def build(cls, settings: Settings, deliverers: list[Deliverer] | None = None,
              transcribe: Callable[[bytes, str], Any] | None = None) -> HubRuntime:
        sessions = db.session_factory(db.make_engine(settings.resolved_database_url))
        bot = RasaClient(settings.resolved_rasa_url, timeout=settings.hub_bot_timeout,
                         token=secret(RASA_API, settings))
        deliverers = list(deliverers or [])
        dispatcher = Dispatcher(sessions, deliverers, max_backoff=settings.outbox_max_backoff,
                                give_up_after=settings.outbox_give_up_after)
        push = {d.channel for d in deliverers} | ({"telegram"} if settings.telegram_token else set())
        limiter = RateLimiter(settings.hub_rate_limit, settings.hub_rate_storage)
        hub = Hub(sessions, bot, push_channels=push, limiter=limiter,
                  retry_window=settings.hub_retry_window, default_language=settings.language,
                  on_queued=dispatcher.poke, lock_storage=settings.hub_lock_storage)
        telegram = None
        if settings.telegram_token:
            from bot.channels.telegram import TelegramGateway
            from bot.channels.telegram.gateway import link_settings

            transcribe = transcribe or _voice_notes()

            telegram = TelegramGateway(hub, sessions, settings.telegram_token, base_url=settings.telegram_base_url,
                                       base_file_url=settings.telegram_base_file_url,
                                       default_language=settings.language, transcribe=transcribe,
                                       **link_settings(settings),
                                       voice_workers=settings.telegram_voice_workers,
                                       voice_queue=settings.telegram_voice_queue,
                                       poll_lease=settings.telegram_poll_lease)
            dispatcher.deliverers[telegram.deliverer.channel] = telegram.deliverer
        return cls(settings, sessions, hub, dispatcher, bot, telegram)

    async def start(self) -> None:
        if self.telegram is not None:
            await self.telegram.start(self.settings.telegram_mode, self.settings.telegram_webhook_url,
                                      self.settings.telegram_webhook_secret)
        self.tasks = [asyncio.create_task(self.dispatcher.run(), name="outbox"),
                      asyncio.create_task(self._every(1.0, self._alerts), name="alerts"),
                      asyncio.create_task(self._every(2.0, self.hub.retry_waiting), name="retry"),
                      asyncio.create_task(self._every(600.0, self._reminders), name="reminders")]
        log.info("hub.started", telegram=self.telegram is not None)
        if self.telegram is not None:
            from voice.stt.registry import choose

            for language in ("zh", "en"):
                choice = choose(self.settings, language)
                log.info("hub.voice_notes", language=language, engine=choice.engine, model=choice.model,
                         reason=choice.reason)

    async def _alerts(self) -> None:
        if await asyncio.to_thread(alerts.fan_out, self.sessions):
            self.dispatcher.poke()

    async def _reminders(self) -> None:
        await asyncio.to_thread(alerts.schedule_reminders, self.sessions, self.settings.reminder_hour)

    @staticmethod
    async def _every(seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
        while True:
            try:
                await job()
            except Exception:  # a failed round must not end the loop
                log.exception("hub.job_failed", job=getattr(job, "__name__", "job"))
            await asyncio.sleep(seconds)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.telegram is not None:
            await self.telegram.stop()
        await self.bot.aclose()


def _voice_notes() -> Callable[[bytes, str], str]:
    """Voice notes are transcribed by the hotline's recogniser, loaded on the first note (it is
    large, and most family members type), on the gateway's own bounded worker threads."""

    def transcribe(data: bytes, language: str) -> str:
        from voice.stt.files import transcribe_voice_note

        return transcribe_voice_note(data, language)

    return transcribe


def create_app(settings: Settings, runtime: HubRuntime | None = None) -> FastAPI:
    """The hub's HTTP app. Its doors: ``/healthz`` (public), ``/api/messages`` (a channel token),
    ``/telegram/webhook`` (only in webhook mode; Telegram's secret header); ``/docs``, ``/redoc``
    and ``/openapi.json`` only when ``hub_api_docs`` is on."""
    tokens = ChannelTokens.load(settings)

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

    install_console(app, settings)

    @app.get("/healthz")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/messages", openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": request_schema()}}}})
    async def message(request: Request) -> dict[str, Any]:
        """One message from a channel that answers at once; the replies come back in the response."""
        channel = tokens.channel_of(request.headers.get("authorization"))
        if channel is None:
            raise ApiError(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})
        body = parse_message(await request.body())
        if body.channel is not None and body.channel != channel:
            raise ApiError(403, "channel_mismatch")
        runtime: HubRuntime = request.app.state.runtime
        try:
            await asyncio.to_thread(check_and_bind, runtime.sessions, channel, body.conversation,
                                    elder_id=body.elder_id, district_key=body.district_key,
                                    language=body.language or settings.language)
        except Refused as refused:
            raise ApiError(refused.status, refused.code) from None
        inbound = Inbound(channel=channel, conversation=body.conversation, address=body.conversation,
                          text=body.text, kind=body.kind, payload=body.payload, language=body.language,
                          elder_id=body.elder_id, district_key=body.district_key, confidence=body.confidence)
        replies = await runtime.hub.handle(inbound)
        return {"channel": channel, "conversation": body.conversation, "replies": [r.to_body() for r in replies]}

    @app.get("/api/conversations/{conversation}/pending")
    async def pending(conversation: str, request: Request) -> dict[str, Any]:
        """Replies that came after their exchange (the answer that follows "one moment"), for a
        channel that polls while the person waits; each is handed out once."""
        channel = tokens.channel_of(request.headers.get("authorization"))
        if channel is None:
            raise ApiError(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})
        if not 1 <= len(conversation) <= 128 or "\x00" in conversation:
            raise ApiError(422, "invalid_body", fields="conversation")
        replies = await request.app.state.runtime.hub.pending(channel, conversation)
        return {"channel": channel, "conversation": conversation, "replies": [r.to_body() for r in replies]}

    if settings.telegram_token and settings.telegram_mode == "webhook":
        expected = settings.telegram_webhook_secret.encode()

        @app.post("/telegram/webhook")
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
                raise ApiError(503, "not_stored")  # Telegram delivers it again
            return {"ok": True}

    return app
