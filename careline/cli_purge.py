"""``careline purge``: conversations older than the retention period are deleted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from careline.catalogue import N_, say
from careline.logging import get_logger
from careline.settings import Settings
from knowledge import db
from knowledge.retention import (
    PurgeReport,
    cutoff_for,
    purge_audit_log,
    purge_service_database,
    purge_tracker_store,
    tracker_engine_url,
)
from voice.hotline.recording import purge_recordings

#: what a purge deletes or blanks, as the report names it
PURGED = {
    "messages": N_("cli.purge.messages"),
    "handoffs": N_("cli.purge.handoffs"),
    "handoff_summaries": N_("cli.purge.handoff_summaries"),
    "elder_events": N_("cli.purge.elder_events"),
    "outbox": N_("cli.purge.outbox"),
    "tracker_events": N_("cli.purge.tracker_events"),
    "audit_log": N_("cli.purge.audit_log"),
    "recordings": N_("cli.purge.recordings"),
}

log = get_logger("careline.purge")


def _tracker_exists(url: str) -> bool:
    """A SQLite tracker store that Rasa has not made yet is not made by a purge either."""
    parsed = make_url(url)
    return parsed.get_backend_name() != "sqlite" or bool(parsed.database and Path(parsed.database).exists())


def purge(settings: Settings, now: dt.datetime, dry_run: bool) -> PurgeReport:
    """Both stores, the service database first; ``now`` is injectable for tests."""
    report = PurgeReport(cutoff_for(now, settings.retention_days), dry_run)
    engine = db.make_engine(settings.resolved_database_url)
    try:
        purge_service_database(engine, report.cutoff, dry_run, report=report)
        purge_audit_log(engine, cutoff_for(now, settings.audit_retention_days), dry_run, report=report)
    finally:
        engine.dispose()
    report.deleted["recordings"] = purge_recordings(settings.recordings_dir,
                                                    cutoff_for(now, settings.voice_recordings_days), dry_run)
    url = settings.resolved_tracker_store_url
    if not _tracker_exists(url):
        report.tracker_found, report.deleted["tracker_events"] = False, 0
        return report
    tracker = create_engine(tracker_engine_url(url), hide_parameters=True)
    try:
        purge_tracker_store(tracker, report.cutoff, dry_run, report=report)
    finally:
        tracker.dispose()
    return report


def _print(report: PurgeReport, settings: Settings, language: str) -> None:
    if report.dry_run:
        typer.echo(say("cli.purge_dry_run", language))
    typer.echo(say("cli.purge_heading", language, days=settings.retention_days,
                   cutoff=report.cutoff.strftime("%Y-%m-%d %H:%M")))
    for what, n in report.deleted.items():
        said = say(PURGED[what], language, audit_days=settings.audit_retention_days,
                   recording_days=settings.voice_recordings_days)
        typer.echo(say("cli.purge_line_dry", language, what=said, n=n) if report.dry_run
                   else say("cli.purge_line", language, what=said, n=n))
    for what, n in report.blanked.items():
        said = say(PURGED[what], language)
        typer.echo(say("cli.purge_blanked_dry", language, what=said, n=n) if report.dry_run
                   else say("cli.purge_blanked", language, what=said, n=n))
    if not report.tracker_found:
        typer.echo(say("cli.purge_no_tracker", language,
                       url=make_url(settings.resolved_tracker_store_url).render_as_string(hide_password=True)))
    typer.echo(say("cli.purge_kept", language))


def purge_command(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只显示会删除什么，不删除 / Show what would be deleted; delete nothing.")] = False,
    lang: Annotated[str | None, typer.Option("--lang", metavar="zh|en", show_default=False,
                                             help="语言 zh 或 en / Language, zh or en.")] = None,
) -> None:
    """删除超过保留期（CARELINE_RETENTION_DAYS，默认 180 天）的对话记录；预约记录不删。Delete
    conversations older than the retention period (CARELINE_RETENTION_DAYS, default 180 days):
    hub messages, hand-off summaries, family alerts, sent outbox messages and the dialogue
    engine's tracker events; console audit entries older than CARELINE_AUDIT_RETENTION_DAYS
    (default 730); call recordings older than CARELINE_VOICE_RECORDINGS_DAYS (default 30). Bookings
    are never deleted."""
    from careline.cli import _engine, _setup

    settings, language = _setup(lang)
    engine = _engine(settings, language)
    up_to_date = db.is_up_to_date(engine)
    engine.dispose()
    if not up_to_date:
        typer.echo(say("cli.db_not_ready", language), err=True)
        raise typer.Exit(3)
    report = purge(settings, dt.datetime.now(dt.UTC), dry_run)
    _print(report, settings, language)
    log.info("purged", dry_run=dry_run, retention_days=settings.retention_days, **report.deleted, **report.blanked)


def register(app: typer.Typer) -> None:
    app.command("purge")(purge_command)
