"""How long conversations are kept: what ``careline purge`` deletes once it is older than the
retention period (``CARELINE_RETENTION_DAYS``).

Transcripts go: the hub's messages, the summaries of hand-offs (closed hand-offs are deleted,
open ones keep their place in the queue without the summary), the events family members were
told about (an emergency's event holds what was said), outbox messages once sent or given up,
and the events of Rasa's SQL tracker store. Bookings are records, not transcripts: they, and
their notes (written by staff, never from a conversation), are never touched.

Rows are deleted in batches, each in its own short transaction, so a purge never holds long
locks on a database the hub is writing to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import (
    Column,
    ColumnElement,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    delete,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import make_url

from knowledge.models import AuditEntry, ElderEvent, Handoff, Message, OutboxMessage
from knowledge.outbox import DEAD, SENT

OPEN_HANDOFF = ("waiting", "taken")
BATCH = 1000

# The two columns of Rasa's SQLTrackerStore table that a purge needs.
_tracker_events = Table("events", MetaData(), Column("id", Integer, primary_key=True), Column("timestamp", Float))


@dataclass
class PurgeReport:
    """Rows deleted (or, in a dry run, that would be), by what they are."""

    cutoff: dt.datetime
    dry_run: bool
    deleted: dict[str, int] = field(default_factory=dict)
    blanked: dict[str, int] = field(default_factory=dict)
    tracker_found: bool = True


def cutoff_for(now: dt.datetime, days: int) -> dt.datetime:
    """The oldest moment kept, as the naive UTC the databases store."""
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    return now - dt.timedelta(days=days)


def _delete_in_batches(engine: Engine, table: Table, where: ColumnElement[bool], dry_run: bool,
                       batch: int) -> int:
    if dry_run:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(table).where(where)) or 0
    total = 0
    while True:
        with engine.begin() as connection:
            ids = connection.scalars(select(table.c.id).where(where).order_by(table.c.id).limit(batch)).all()
            if ids:
                connection.execute(delete(table).where(table.c.id.in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total


def _blank_in_batches(engine: Engine, table: Table, column: str, where: ColumnElement[bool], dry_run: bool,
                      batch: int) -> int:
    where = where & (table.c[column] != "")
    if dry_run:
        return _delete_in_batches(engine, table, where, True, batch)
    total = 0
    while True:
        with engine.begin() as connection:
            ids = connection.scalars(select(table.c.id).where(where).order_by(table.c.id).limit(batch)).all()
            if ids:
                connection.execute(update(table).where(table.c.id.in_(ids)).values({column: ""}))
        total += len(ids)
        if len(ids) < batch:
            return total


def purge_service_database(engine: Engine, cutoff: dt.datetime, dry_run: bool = False, batch: int = BATCH,
                           report: PurgeReport | None = None) -> PurgeReport:
    report = report or PurgeReport(cutoff, dry_run)
    messages, handoffs = Message.__table__, Handoff.__table__
    events, outbox = ElderEvent.__table__, OutboxMessage.__table__
    steps: list[tuple[str, Callable[[], int]]] = [
        ("messages", lambda: _delete_in_batches(engine, messages, messages.c.created_at < cutoff, dry_run, batch)),
        ("handoffs", lambda: _delete_in_batches(
            engine, handoffs, (handoffs.c.created_at < cutoff) & handoffs.c.status.not_in(OPEN_HANDOFF),
            dry_run, batch)),
        ("elder_events", lambda: _delete_in_batches(engine, events, events.c.created_at < cutoff, dry_run, batch)),
        ("outbox", lambda: _delete_in_batches(
            engine, outbox, (outbox.c.created_at < cutoff) & outbox.c.status.in_((SENT, DEAD)), dry_run, batch)),
    ]
    for name, step in steps:
        report.deleted[name] = step()
    report.blanked["handoff_summaries"] = _blank_in_batches(
        engine, handoffs, "summary", (handoffs.c.created_at < cutoff) & handoffs.c.status.in_(OPEN_HANDOFF),
        dry_run, batch)
    return report


def purge_audit_log(engine: Engine, cutoff: dt.datetime, dry_run: bool = False, batch: int = BATCH,
                    report: PurgeReport | None = None) -> int:
    """Audit entries older than their own, longer retention period (``CARELINE_AUDIT_RETENTION_DAYS``):
    they name who read an elder's profile, which is itself personal data."""
    entries = AuditEntry.__table__
    deleted = _delete_in_batches(engine, entries, entries.c.at < cutoff, dry_run, batch)
    if report is not None:
        report.deleted["audit_log"] = deleted
    return deleted


def tracker_engine_url(url: str) -> str:
    """Rasa's tracker store URL as this venv can open it (psycopg 3, not Rasa's psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def purge_tracker_store(engine: Engine, cutoff: dt.datetime, dry_run: bool = False, batch: int = BATCH,
                        report: PurgeReport | None = None) -> PurgeReport:
    """Events of Rasa's SQLTrackerStore (table ``events``, ``timestamp`` in Unix seconds)."""
    report = report or PurgeReport(cutoff, dry_run)
    if not inspect(engine).has_table("events"):
        report.tracker_found = False
        report.deleted["tracker_events"] = 0
        return report
    seconds = cutoff.replace(tzinfo=dt.UTC).timestamp()
    report.deleted["tracker_events"] = _delete_in_batches(
        engine, _tracker_events, _tracker_events.c.timestamp < seconds, dry_run, batch)
    return report
