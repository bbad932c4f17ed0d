"""Choices offered in a reply, as Telegram inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
PAYLOAD = "p:"  # callback data of a button that stands for something said to the bot
CHANNEL_OWN = "!"  # a payload with this mark is the channel's own callback data (elder:, lang:)


def callback_data(payload: str) -> str:
    return payload[len(CHANNEL_OWN):] if payload.startswith(CHANNEL_OWN) else PAYLOAD + payload


def inline_keyboard(buttons: Sequence[Sequence[str]], per_row: int = 3) -> InlineKeyboardMarkup | None:
    """[[title, payload], …] → a keyboard; payloads too long for Telegram are dropped."""
    usable = [InlineKeyboardButton(title, callback_data=callback_data(payload)) for title, payload in buttons
              if len(callback_data(payload).encode()) <= MAX_CALLBACK_BYTES]
    if not usable:
        return None
    if len(usable) > per_row and sum(len(b.text) for b in usable) > 24:
        per_row = 1
    return InlineKeyboardMarkup([usable[i:i + per_row] for i in range(0, len(usable), per_row)])
