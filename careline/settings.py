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
    tracker_store_url: str = Field(
        default="", description="Where Rasa keeps conversations (slots survive a restart); empty means a "
        "SQLite file under var_dir. A postgresql:// URL for production.")
    lock_store_url: str = Field(default="", description="redis://host:port/db for Rasa's lock store when several "
                                "Rasa servers share conversations; empty means in memory.")
    hub_host: str = "127.0.0.1"
    hub_port: int = 5080
    rasa_url: str = Field(default="", description="The dialogue engine the hub talks to; empty means "
                          "http://127.0.0.1:<rasa_port>.")
    rasa_workers: int = Field(default=1, ge=1, le=16, description="Rasa servers to run (ports rasa_port, "
                              "rasa_port+1, …); the hub keeps each conversation on one of them.")
    hub_bot_timeout: float = Field(default=30.0, gt=0, description="Seconds the hub waits for the engine.")
    hub_rate_limit: str = Field(default="8 per 5 seconds; 40 per minute",
                                description="Messages one person may send (the 'limits' library's notation).")
    hub_rate_storage: str = Field(default="memory://", description="Where rate limits are counted: memory:// "
                                  "for one hub, redis://127.0.0.1:6379 when several hubs share the load.")
    hub_retry_window: float = Field(default=600.0, gt=0, description="Seconds a message that reached no engine "
                                    "is kept and retried before the person is asked to say it again.")
    outbox_max_backoff: float = Field(default=300.0, gt=0, description="Longest wait between delivery attempts.")
    outbox_give_up_after: float = Field(default=2 * 86400.0, gt=0, description="Seconds before an undeliverable "
                                        "message is given up.")
    link_code_hours: float = Field(default=24.0, gt=0, description="How long an elder's link code works.")
    reminder_hour: int = Field(default=18, ge=0, le=23, description="Local hour for the day-before reminders.")
    telegram_token: str = Field(default="", description="Bot token from @BotFather; empty turns Telegram off.")
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_base_url: str = Field(default="https://api.telegram.org/bot",
                                   description="Bot API address (a self-hosted Bot API server, or a test stand-in).")
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str = Field(default="", description="Public https URL Telegram posts updates to "
                                      "(webhook mode); it must route to the hub's /telegram/webhook.")
    telegram_webhook_secret: str = ""
    telegram_voice_workers: int = Field(default=1, ge=1, le=16, description="Voice notes transcribed at once, on "
                                        "their own threads (each recogniser uses stt_threads CPU threads).")
    telegram_voice_queue: int = Field(default=10, ge=0, le=1000, description="Voice notes that may wait for a "
                                      "worker; beyond that the sender is asked to send it again or type.")
    telegram_poll_lease: float = Field(default=60.0, ge=40.0, description="Seconds a hub's lease on polling "
                                       "Telegram lasts unless renewed; another hub takes over when it runs out.")
    secrets: dict[str, str] = Field(default_factory=dict, description="Secrets set by the operator, by name "
                                    "(CARELINE_SECRET_<NAME> also works); any not set is made on first run and "
                                    "kept under var_dir/secrets (careline/secrets.py).")

    @property
    def resolved_rasa_url(self) -> str:
        """Comma-separated when several Rasa servers run."""
        return self.rasa_url or ",".join(f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_workers))

    @property
    def resolved_tracker_store_url(self) -> str:
        return self.tracker_store_url or f"sqlite:///{(self.var_dir / 'tracker.db').resolve().as_posix()}"

    # --- speech (voice/) ---
    vosk_model_zh: Path | None = Field(default=None, description="Vosk model folder for Mandarin (e.g. "
                                       "vosk-model-small-cn-0.22); unset means the packaged offline default.")
    vosk_model_en: Path | None = Field(default=None, description="Vosk model folder for English (e.g. "
                                       "vosk-model-small-en-us-0.15); unset means the packaged offline default.")
    whisper_model_dir: Path | None = Field(default=None, description="A faster-whisper (CTranslate2) model folder; "
                                           "unset means the packaged Whisper base, assembled under var_dir.")
    stt_threads: int = Field(default=2, ge=1, le=64, description="CPU threads of one speech recogniser.")
    stt_max_segment_seconds: float = Field(default=30.0, gt=1, le=30,
                                           description="Longest audio a recogniser holds before it closes a segment.")
    voice_note_max_seconds: float = Field(default=300.0, gt=0, description="Longer voice notes are cut here.")
    vad_aggressiveness: int = Field(default=2, ge=0, le=3, description="webrtcvad mode, 3 filters most noise.")
    vad_silence_ms: int = Field(default=1200, ge=300, le=5000,
                                description="Silence that ends an elder's turn (slow speakers pause mid-sentence).")
    vad_min_speech_ms: int = Field(default=300, ge=30, description="Shorter sounds (coughs, clicks) are no turn.")
    voice_rate: float = Field(default=0.85, ge=0.5, le=1.5,
                              description="Speaking rate, 1.0 is the voice's normal; below 1 is slower and clearer.")
    tts_online: bool = Field(default=True, description="Speak with gTTS (Google's online voice) first; the offline "
                             "voice answers whenever gTTS fails or is slow.")
    tts_timeout: float = Field(default=3.0, gt=0, description="Seconds gTTS may take for one sentence before the "
                               "offline voice answers instead.")
    tts_retry_after: float = Field(default=60.0, ge=0, description="After a gTTS failure, seconds the offline voice "
                                   "is used directly before gTTS is tried again.")
    gtts_base_url: str = Field(default="https://translate.google.com",
                               description="Google Translate host gTTS talks to (tests point it at a stand-in).")
    tts_offline_en: Literal["piper", "espeak"] = "piper"
    tts_offline_zh: Literal["espeak"] = "espeak"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'careline.db').as_posix()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
