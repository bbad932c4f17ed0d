"""The one settings object, read from the environment (``CARELINE_*``) and ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from careline.paths import PROJECT_ROOT, SAMPLE_BUNDLES

Language = Literal["zh", "en"]

__all__ = ["PROJECT_ROOT", "SAMPLE_BUNDLES", "Language", "Settings", "get_settings"]


class Settings(BaseSettings):
    """Everything an operator can set. Defaults run on one machine with SQLite."""

    model_config = SettingsConfigDict(
        env_prefix="CARELINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    var_dir: Path = Field(default=Path("var"), description="Where local state lives.")
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under var_dir. "
        "postgresql+psycopg://user@host/db switches to PostgreSQL.",
    )
    language: Language = Field(default="zh", description="Default language of messages.")
    timezone: str = Field(default="Asia/Shanghai", description="Local time of the districts.")
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
    sample_bundles: Path = SAMPLE_BUNDLES
    schedule_weeks_ahead: int = Field(
        default=8, ge=1, le=52, description="How far ahead repeating activities get sessions."
    )
    action_server_port: int = 5055
    rasa_port: int = 5005
    bot_reply_timeout: float = Field(
        default=10.0, gt=0, description="Seconds before a 'one moment' reply when the bot is slow."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'careline.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
