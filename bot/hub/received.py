"""What the hub knows of a message once it is recorded, and what became of it at the engine
(``Message.bot_state``; the states are described in :mod:`bot.hub.hub`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.hub.messages import Reply

SENDING, WAITING, LATE = "sending", "waiting", "late"
ANSWERED, UNANSWERED, EXPIRED, HELD = "answered", "unanswered", "expired", "held"
FINAL = (ANSWERED, UNANSWERED, EXPIRED)


@dataclass
class Received:
    conversation_id: int
    message_id: int
    language: str
    to_bot: bool
    emergency: bool
    replies: list[Reply]
    metadata: dict[str, Any] = field(default_factory=dict)
    held: bool = False
    for_bot: str = ""
    handoff: bool = False
    """A hand-off was opened or raised by this message (the consultants' queue changed)."""
    district_id: int | None = None
    """The conversation's district (for the live events: who may see them)."""
