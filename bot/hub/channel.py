"""What a channel that receives replies through the outbox must provide."""

from __future__ import annotations

from typing import Any, Protocol


class RetryLater(Exception):
    """The channel asks to be tried again after ``seconds`` (rate limited)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class Undeliverable(Exception):
    """The message can never be delivered (the user blocked the bot, the chat is gone)."""


class Deliverer(Protocol):
    """Sends one queued message. Raise :class:`RetryLater` or :class:`Undeliverable` when the
    channel says so; any other exception is a temporary failure retried with back-off."""

    channel: str

    async def deliver(self, address: str, body: dict[str, Any]) -> None: ...
