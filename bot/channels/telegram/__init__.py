"""The family members' Telegram channel."""

from bot.channels.telegram.gateway import TelegramGateway

__all__ = ["TelegramGateway"]
