"""Everything the hub process runs, started and stopped together: the hub, the outbox
dispatcher, the family alerts, the retry of messages that reached no engine, the Telegram
channel, and the live events of the consultants' console."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from bot.console.service import ConsoleService
from bot.hub import alerts
from bot.hub.bot_client import RasaClient
from bot.hub.channel import Deliverer
from bot.hub.dispatcher import Dispatcher
from bot.hub.events_bus import EventBus, event_bus
from bot.hub.hub import Hub
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
    console: ConsoleService = field(init=False)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.console = ConsoleService(self.hub)

    @property
    def events(self) -> EventBus:
        """The live events of the console (the hub's bus)."""
        return self.hub.events

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
        events = event_bus(settings.hub_events_url)
        hub = Hub(sessions, bot, push_channels=push, limiter=limiter,
                  retry_window=settings.hub_retry_window, default_language=settings.language,
                  on_queued=dispatcher.poke, lock_storage=settings.hub_lock_storage, events=events)
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
        await self.events.aclose()
        await self.bot.aclose()


def _voice_notes() -> Callable[[bytes, str], str]:
    """Voice notes are transcribed by the hotline's recogniser, loaded on the first note (it is
    large, and most family members type), on the gateway's own bounded worker threads."""

    def transcribe(data: bytes, language: str) -> str:
        from voice.stt.files import transcribe_voice_note

        return transcribe_voice_note(data, language)

    return transcribe
