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


class Refused(Undeliverable):
    """The channel refuses this message for good (too long, malformed), not the chat: the message
    is given up and reported, and the messages behind it go on."""


class Deliverer(Protocol):
    """Sends one queued message. Raise :class:`RetryLater`, :class:`Undeliverable` or
    :class:`Refused` when the channel says so; any other exception is a temporary failure retried
    with back-off.

    A deliverer may also offer ``parts(body) -> list[body]``: a message too long for the channel
    is sent as these parts, in order, and the outbox remembers how many went out, so a retry
    resumes at the first part not yet accepted."""

    channel: str

    async def deliver(self, address: str, body: dict[str, Any]) -> None: ...
