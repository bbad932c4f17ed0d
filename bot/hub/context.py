"""What the hub's parts share: the database, the engine, which channels push, the timings, and
where live events go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.hub.bot_client import RasaClient
from bot.hub.events_bus import EventBus
from bot.hub.locks import ConversationLocks


@dataclass
class HubContext:
    sessions: sessionmaker[Session]
    bot: RasaClient
    push_channels: set[str]
    default_language: str
    retry_window: dt.timedelta
    lease: dt.timedelta
    """How long a hub's claim on a message it is asking the engine about lasts, should it die."""
    locks: ConversationLocks
    on_queued: Callable[[], None]
    events: EventBus
