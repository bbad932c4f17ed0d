"""Sends outbox messages through the Bot API, mapping its errors onto the outbox's."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.channels.telegram.keyboards import inline_keyboard
from bot.hub.channel import RetryLater, Undeliverable


class TelegramDeliverer:
    channel = "telegram"

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, address: str, body: dict[str, Any]) -> None:
        try:
            await self.bot.send_message(chat_id=int(address), text=body.get("text") or "…",
                                        reply_markup=inline_keyboard(body.get("buttons") or []))
        except RetryAfter as error:
            retry = error.retry_after
            raise RetryLater(retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)) from error
        except Forbidden as error:  # the user blocked the bot
            raise Undeliverable(str(error)) from error
        except BadRequest as error:
            if "chat not found" in str(error).lower():
                raise Undeliverable(str(error)) from error
            raise
