"""Sends outbox messages through the Bot API, mapping its errors onto the outbox's.

A text longer than Telegram takes (4,096 UTF-16 units) goes out in parts cut at sentence ends,
the buttons on the last part. Telegram refuses a message for good with a 400: a missing chat or a
blocked bot makes the chat unreachable, any other 400 (too long, a malformed keyboard) refuses
this one message, which is given up so the chat's later messages still go out."""

from __future__ import annotations

from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter

from bot.channels.telegram.keyboards import inline_keyboard
from bot.hub.channel import Refused, RetryLater, Undeliverable
from bot.hub.split import split_text

MAX_TEXT = 4096


def utf16_length(text: str) -> int:
    """Telegram measures texts in UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


class TelegramDeliverer:
    channel = "telegram"

    def __init__(self, bot: Bot, max_text: int = MAX_TEXT) -> None:
        self.bot = bot
        self.max_text = max_text

    def parts(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        texts = split_text(body.get("text") or "…", self.max_text, utf16_length)
        return [{**body, "text": text, "buttons": body.get("buttons") if last else []}
                for last, text in ((i == len(texts) - 1, t) for i, t in enumerate(texts))]

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
            raise Refused(str(error)) from error
