"""Conversations are kept for the retention period and no longer: ``careline purge``."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.engine import make_url

from careline.engine import ENGINE_VENV, engine_env, sql_tracker_store
from careline.paths import PROJECT_ROOT
from careline.settings import Settings
from knowledge import db
from knowledge.bundle import import_path
from knowledge.models import AuditEntry, Booking, Conversation, Elder, ElderEvent, Handoff, Message, OutboxMessage
from knowledge.retention import cutoff_for, purge_service_database, purge_tracker_store, tracker_engine_url
from tests.conftest import MAPLE, TODAY

NOW = dt.datetime(2026, 6, 1, 12, 0)  # the purge's "now": never the real date
OLD = NOW - dt.timedelta(days=200)
RECENT = NOW - dt.timedelta(days=10)
CUTOFF = cutoff_for(NOW, 180)

# Writes (or reads back) a conversation through Rasa's own SQLTrackerStore, in the engine's venv.
_RASA_STORE = """
import asyncio, json, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

mode, config, old, recent = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
config.pop("type")
store = SQLTrackerStore(Domain.empty(), **config)
if mode == "write":
    events = [UserUttered("我是王秀英，电话13800138000", timestamp=old), BotUttered("好的", timestamp=old + 1),
              UserUttered("明天的午饭", timestamp=recent), BotUttered("有两家", timestamp=recent + 1)]
    asyncio.run(store.save(DialogueStateTracker.from_events("conv-1", events)))
else:
    tracker = asyncio.run(store.retrieve("conv-1"))
    print(json.dumps([e.text for e in tracker.events if isinstance(e, (UserUttered, BotUttered))]))
"""


def _rasa_store(mode: str, url: str) -> str:
    done = subprocess.run([str(ENGINE_VENV / "bin" / "python"), "-c", _RASA_STORE, mode,
                           json.dumps(sql_tracker_store(url)), str(OLD.replace(tzinfo=dt.UTC).timestamp()),
                           str(RECENT.replace(tzinfo=dt.UTC).timestamp())],
                          capture_output=True, text=True, env=engine_env(), cwd=PROJECT_ROOT, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _seed(engine: Engine) -> dict[str, int]:
    """Rows on both sides of the cutoff, with explicit timestamps."""
    factory = db.session_factory(engine)
    with db.transaction(factory) as session:
        elder = session.scalar(select(Elder).where(Elder.key == "wang"))
        conversation = Conversation(channel="telegram", external_id="42", language="zh", elder_id=elder.id,
                                    status="open", priority=0, created_at=OLD, updated_at=RECENT)
        session.add(conversation)
        session.flush()
        for when, text in ((OLD, "我是王秀英"), (OLD, "电话13800138000"), (OLD, "谢谢"), (RECENT, "明天"),
                           (RECENT, "好的")):
            session.add(Message(conversation_id=conversation.id, sender="user", text=text, created_at=when))
        for when, status in ((OLD, "closed"), (OLD, "waiting"), (RECENT, "closed")):
            session.add(Handoff(conversation_id=conversation.id, urgency=3, reason="requested", language="zh",
                                summary="王秀英说她摔倒了", status=status, created_at=when))
        for when in (OLD, OLD, RECENT):
            session.add(ElderEvent(elder_id=elder.id, kind="emergency", data={"text": "摔倒了"}, created_at=when))
        for when, status in ((OLD, "sent"), (OLD, "dead"), (OLD, "pending"), (RECENT, "sent")):
            session.add(OutboxMessage(channel="telegram", address="42", body={"text": "好的"}, status=status,
                                      created_at=when, next_attempt_at=when))
        booking = Booking(elder_id=elder.id, kind="volunteer_visit", status="requested", note="需要轮椅",
                          preferred_time=OLD + dt.timedelta(days=1), created_at=OLD)
        session.add(booking)
        session.flush()
        return {"booking": booking.id}


def _count(engine: Engine, model: type, *where) -> int:
    with db.session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def seeded(empty_engine: Engine) -> tuple[Engine, dict[str, int]]:
    assert import_path(db.session_factory(empty_engine), MAPLE, TODAY).ok
    return empty_engine, _seed(empty_engine)


def test_the_cutoff_is_the_retention_period_before_now() -> None:
    assert cutoff_for(NOW, 180) == dt.datetime(2025, 12, 3, 12, 0)
    assert cutoff_for(NOW.replace(tzinfo=dt.UTC), 180) == dt.datetime(2025, 12, 3, 12, 0)


def test_purge_deletes_old_transcripts_in_batches_and_keeps_bookings(seeded) -> None:
    engine, ids = seeded
    dry = purge_service_database(engine, CUTOFF, dry_run=True, batch=2)
    expected = {"messages": 3, "handoffs": 1, "elder_events": 2, "outbox": 2}
    assert dry.deleted == expected and dry.blanked == {"handoff_summaries": 1}
    assert _count(engine, Message) == 5 and _count(engine, OutboxMessage) == 4  # a dry run changes nothing

    done = purge_service_database(engine, CUTOFF, batch=2)
    assert done.deleted == expected and done.blanked == {"handoff_summaries": 1}
    assert _count(engine, Message, Message.created_at < CUTOFF) == 0
    assert _count(engine, Message) == 2
    with db.session_factory(engine)() as session:
        handoffs = {(h.created_at, h.status): h.summary for h in session.scalars(select(Handoff))}
        assert handoffs == {(OLD, "waiting"): "", (RECENT, "closed"): "王秀英说她摔倒了"}
        assert [e.created_at for e in session.scalars(select(ElderEvent))] == [RECENT]
        assert sorted((o.created_at, o.status) for o in session.scalars(select(OutboxMessage))) == [
            (OLD, "pending"), (RECENT, "sent")]
        booking = session.get(Booking, ids["booking"])
        assert booking is not None and booking.note == "需要轮椅"

    again = purge_service_database(engine, CUTOFF)
    assert sum(again.deleted.values()) == 0 and again.blanked == {"handoff_summaries": 0}


def test_purge_deletes_old_tracker_events_rasa_still_reads_the_rest(databases, backend: str) -> None:
    url = databases.new_url(backend)
    _rasa_store("write", url)
    engine = create_engine(tracker_engine_url(url))
    try:
        dry = purge_tracker_store(engine, CUTOFF, dry_run=True, batch=1)
        assert dry.deleted == {"tracker_events": 2}
        done = purge_tracker_store(engine, CUTOFF, batch=1)
        assert done.deleted == {"tracker_events": 2} and done.tracker_found
        assert purge_tracker_store(engine, CUTOFF).deleted == {"tracker_events": 0}
    finally:
        engine.dispose()
    assert json.loads(_rasa_store("read", url)) == ["明天的午饭", "有两家"]


def test_a_tracker_store_without_events_is_no_error(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        report = purge_tracker_store(engine, CUTOFF)
    finally:
        engine.dispose()
    assert not report.tracker_found and report.deleted == {"tracker_events": 0}


def test_tracker_urls_open_with_this_venvs_driver() -> None:
    assert make_url(tracker_engine_url("postgresql://rasa:pw@db:5432/tracker")).drivername == "postgresql+psycopg"
    assert tracker_engine_url("sqlite:////var/tracker.db") == "sqlite:////var/tracker.db"


def test_retention_days_default_and_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().retention_days == 180
    monkeypatch.setenv("CARELINE_RETENTION_DAYS", "30")
    assert Settings().retention_days == 30


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_purge_command_says_what_it_deleted(tmp_path: Path, lang: str) -> None:
    """The command on a real database, rows placed far on both sides of whatever today is."""
    database_url = f"sqlite:///{(tmp_path / 'careline.db').as_posix()}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), MAPLE, TODAY).ok
    real_now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with db.transaction(db.session_factory(engine)) as session:
        conversation = Conversation(channel="telegram", external_id="42", language="zh", status="pending", priority=0)
        session.add(conversation)
        session.flush()
        for when in (real_now - dt.timedelta(days=1000), real_now - dt.timedelta(days=1000), real_now):
            session.add(Message(conversation_id=conversation.id, sender="user", text="王秀英", created_at=when))
        # the audit log has its own, longer period (730 days): a year-old entry stays
        for days in (1000, 365, 0):
            session.add(AuditEntry(action="view", conversation_id=conversation.id,
                                   at=real_now - dt.timedelta(days=days)))
    # call recordings have theirs (30 days)
    old_recording, new_recording = (tmp_path / "var" / "recordings" / day / "call-x.wav" for day in ("old", "new"))
    for path, age_days in ((old_recording, 31), (new_recording, 29)):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"RIFF")
        when = time.time() - age_days * 86400
        os.utime(path, (when, when))
    env = {**os.environ, "CARELINE_DATABASE_URL": database_url, "CARELINE_VAR_DIR": str(tmp_path / "var")}
    run = [sys.executable, "-m", "careline", "purge", "--lang", lang]
    dry = subprocess.run([*run, "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert ("将删除 2 条" if lang == "zh" else "hub messages: 2 would be deleted") in dry.stdout
    assert _count(engine, Message) == 3
    done = subprocess.run(run, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert ("会话消息：删除 2 条" if lang == "zh" else "hub messages: 2 deleted") in done.stdout
    assert ("预约记录不删除" if lang == "zh" else "Bookings are records") in done.stdout
    assert ("还没有对话记录" if lang == "zh" else "holds no conversations yet") in done.stdout
    assert not (tmp_path / "var" / "tracker.db").exists()
    assert _count(engine, Message) == 1
    audit_line = ("控制台审计记录（保留 730 天）：删除 1 条" if lang == "zh"
                  else "console audit entries (kept 730 days): 1 deleted")
    assert audit_line in done.stdout
    assert _count(engine, AuditEntry) == 2
    assert ("通话录音（保留 30 天）：删除 1 条" if lang == "zh" else "call recordings (kept 30 days): 1 deleted") \
        in done.stdout
    assert not old_recording.parent.exists() and new_recording.exists()
    engine.dispose()
