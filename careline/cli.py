"""The ``careline`` command: one way in for operators, administrators and ``make``."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from careline import clock
from careline.catalogue import N_, say
from careline.logging import configure_stdlib, get_logger
from careline.settings import Settings, get_settings
from knowledge import db, models

if TYPE_CHECKING:  # imported by the commands that read bundles: rule-engine builds its parser on import (0.3-0.6 s)
    from knowledge.bundle import ImportResult

#: what an import report counts, and its wording
CHANGES = {"created": N_("cli.created"), "updated": N_("cli.updated"), "retired": N_("cli.retired"),
           "deleted": N_("cli.deleted"), "unchanged": N_("cli.unchanged")}
KINDS = {
    "district": N_("cli.kind.district"),
    "places": N_("cli.kind.places"),
    "service_points": N_("cli.kind.service_points"),
    "policies": N_("cli.kind.policies"),
    "activities": N_("cli.kind.activities"),
    "activity_sessions": N_("cli.kind.activity_sessions"),
    "meal_services": N_("cli.kind.meal_services"),
    "home_services": N_("cli.kind.home_services"),
    "elders": N_("cli.kind.elders"),
    "family_members": N_("cli.kind.family_members"),
    "volunteers": N_("cli.kind.volunteers"),
    "consultants": N_("cli.kind.consultants"),
    "canned_replies": N_("cli.kind.canned_replies"),
}

app = typer.Typer(
    help="CareLine 养老服务咨询助手 — elderly-care service consultation assistant.\n\n"
         "每个命令都有 --help。Every command has --help.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="数据库结构 / Database schema.", no_args_is_help=True,
                     rich_markup_mode=None)
app.add_typer(db_app, name="db")

LangOption = Annotated[
    str | None,
    typer.Option("--lang", metavar="zh|en", show_default=False,
                 help="提示语言 zh 或 en（默认读设置）/ Language of messages, zh or en (default: from settings)."),
]
log = get_logger("careline.cli")


def _setup(lang: str | None) -> tuple[Settings, str]:
    try:
        settings = get_settings()
    except ValidationError as error:
        language = lang if lang in {"zh", "en"} else "zh"
        typer.echo(say("cli.settings_invalid", language), err=True)
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            typer.echo(f"  {where + ': ' if where else ''}{problem['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None
    configure_stdlib(settings)  # structlog and the libraries' stdlib loggers (uvicorn, httpx), masked
    language = lang or settings.language
    if language not in {"zh", "en"}:
        typer.echo("--lang: zh | en", err=True)
        raise typer.Exit(2)
    return settings, language


def _engine(settings: Settings, language: str) -> Engine:
    engine = db.make_engine(settings.resolved_database_url)
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        typer.echo(say("cli.db_unreachable", language, detail=str(error.orig).strip().splitlines()[0]), err=True)
        raise typer.Exit(3) from None
    return engine


def _today(settings: Settings) -> dt.date:
    return clock.local_today(settings.timezone)


@db_app.command("upgrade")
def db_upgrade(lang: LangOption = None) -> None:
    """把数据库升级到最新结构。Create or migrate the database to the newest schema."""
    settings, language = _setup(lang)
    engine = _engine(settings, language)
    db.upgrade(engine)
    typer.echo(say("cli.db_upgraded", language, revision=db.current_revision(engine)))


@db_app.command("current")
def db_current(lang: LangOption = None) -> None:
    """显示数据库结构版本。Show the schema revision of the database."""
    settings, language = _setup(lang)
    engine = _engine(settings, language)
    typer.echo(db.current_revision(engine) or "-")


OUTCOMES = ("created", "updated", "retired", "deleted", "unchanged")


def _print_result(result: ImportResult, language: str) -> None:
    if result.dry_run:
        typer.echo(say("cli.dry_run", language))
    for report in result.reports:
        new = say("cli.district_new", language) if report.created_district else ""
        typer.echo(say("cli.district_line", language, district=report.district, new=new))
        if not report.changed:
            typer.echo(say("cli.nothing_changed", language))
            continue
        for what, counter in report.changes.items():
            parts = [say(key, language, n=n) for outcome, key in CHANGES.items() if (n := counter.get(outcome))]
            name = say(KINDS[what], language) if what in KINDS else what
            typer.echo(say("cli.change_line", language, what=name, parts=", ".join(parts)))


@app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(
        metavar="PATH",
        help="区县数据包文件夹，或装着多个数据包的文件夹 / A bundle folder, or a folder of bundle folders.",
    )],
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只检查并显示会有什么变化，不写入 / Check and show what would change; write nothing.",
    )] = False,
    lang: LangOption = None,
) -> None:
    """导入区县数据包（先全部检查，全部无误才写入）。Import district bundles: everything is checked
    first and written in one go only if all of it is valid."""
    settings, language = _setup(lang)
    if not path.exists():
        typer.echo(say("cli.path_missing", language, path=path), err=True)
        raise typer.Exit(2)
    from knowledge.bundle import import_path
    from knowledge.bundle.load import load_bundles
    from knowledge.bundle.problems import summary

    _bundles, problems = load_bundles(path)
    if problems:  # never open the database for a bundle that is wrong
        for problem in problems:
            typer.echo(problem.say(language), err=True)
        typer.echo(summary(problems, language), err=True)
        raise typer.Exit(1)
    engine = _engine(settings, language)
    if not db.is_up_to_date(engine):
        typer.echo(say("cli.db_not_ready", language), err=True)
        raise typer.Exit(3)
    result = import_path(db.session_factory(engine), path, _today(settings),
                         settings.schedule_weeks_ahead, dry_run=dry_run)
    if not result.ok:
        for problem in result.problems:
            typer.echo(problem.say(language), err=True)
        typer.echo(summary(result.problems, language), err=True)
        raise typer.Exit(1)
    _print_result(result, language)
    if not dry_run:
        typer.echo(say("cli.import_ok", language))
        log.info("bundle_imported", districts=[r.district for r in result.reports])


@app.command("export")
def export_command(
    path: Annotated[Path, typer.Argument(
        metavar="PATH", help="导出到这个文件夹（每个区县一个子文件夹）/ Folder to write, one sub-folder per district.",
    )],
    district: Annotated[list[str] | None, typer.Option("--district", help="只导出这个区县（可重复）/ "
                                                                          "Only this district (repeatable).")] = None,
    lang: LangOption = None,
) -> None:
    """把数据库导出为区县数据包，可以原样再导入。Export the database as bundles that import back
    to the same state."""
    from knowledge.bundle import check_export, export_path

    settings, language = _setup(lang)
    engine = _engine(settings, language)
    if not db.is_up_to_date(engine):
        typer.echo(say("cli.db_not_ready", language), err=True)
        raise typer.Exit(3)
    counts = export_path(db.session_factory(engine), path, district or None)
    if not counts:
        typer.echo(say("cli.export_none", language), err=True)
        raise typer.Exit(1)
    typer.echo(say("cli.export_ok", language, n=len(counts), path=path))
    problems = check_export(path, list(counts))
    if problems:  # the export stands; what it holds from before a check is said, to fix before importing it
        typer.echo(say("cli.export_problems", language, n=len(problems)), err=True)
        for problem in problems:
            typer.echo(problem.say(language), err=True)


def prepare(settings: Settings, language: str) -> Engine:
    """Schema up to date, sample districts loaded into an empty database, schedules extended."""
    engine = _engine(settings, language)
    db.upgrade(engine)
    factory = db.session_factory(engine)
    with factory() as session:
        empty = session.scalar(select(func.count()).select_from(models.District)) == 0
    if empty:
        from knowledge.bundle import import_path

        result = import_path(factory, settings.sample_bundles, _today(settings), settings.schedule_weeks_ahead)
        if not result.ok:
            for problem in result.problems:
                typer.echo(problem.say(language), err=True)
            raise typer.Exit(1)
        typer.echo(say("cli.samples_loaded", language))
    else:
        from knowledge.schedule import extend_all

        with db.transaction(factory) as session:
            created = extend_all(session, _today(settings), settings.schedule_weeks_ahead)
        if created:
            typer.echo(say("cli.schedules_extended", language, n=created))
    return engine


@app.command("train")
def train_command(
    force: Annotated[bool, typer.Option(
        "--force", help="即使没有变化也重新训练 / Train even if nothing changed.")] = False,
    lang: LangOption = None,
) -> None:
    """训练对话模型（输入没变就跳过）。Train the dialogue model, unless a model for exactly these
    inputs already exists."""
    _settings, language = _setup(lang)
    from careline.engine import train_if_needed

    model, trained = train_if_needed(force)
    typer.echo(say(N_("cli.model_trained") if trained else N_("cli.model_current"), language, model=model.name))


@app.command("run")
def run_command(
    prepare_only: Annotated[bool, typer.Option("--prepare-only", help="只准备数据库，不启动服务 / "
                                                                      "Prepare the database, start nothing.")] = False,
    lang: LangOption = None,
) -> None:
    """启动整个系统（首次启动会载入示例区县）。Start the whole system; the first start loads the
    sample districts."""
    settings, language = _setup(lang)
    prepare(settings, language)
    if prepare_only:
        return
    from careline.engine import train_if_needed

    model, trained = train_if_needed()
    typer.echo(say(N_("cli.model_trained") if trained else N_("cli.model_current"), language, model=model.name))
    from careline.processes import run_processes

    raise typer.Exit(run_processes(settings, language))


from careline import cli_hub  # noqa: E402  (registers its commands on ``app``)

cli_hub.register(app)

from careline import cli_models  # noqa: E402, I001  (`careline models`)

cli_models.register(app)

from careline import cli_purge  # noqa: E402, I001  (`careline purge`)

cli_purge.register(app)

from careline import cli_consultants  # noqa: E402, I001  (`careline consultant`)

cli_consultants.register(app)


from careline import cli_hotline  # noqa: E402, I001  (`careline hotline`)

cli_hotline.register(app)


def main() -> None:
    """Entry point: an unexpected failure is said plainly in both languages, the details go to
    the log (personal data masked), and the exit code is non-zero."""
    try:
        app(prog_name="careline")
    except Exception as error:  # noqa: BLE001 - the last line of defence for an operator
        get_logger("careline.cli").error("unexpected_failure", error=type(error).__name__,
                                         exc_info=get_settings().log_level.upper() == "DEBUG")
        typer.echo(say("cli.unexpected", get_settings().language, error=type(error).__name__), err=True)
        sys.exit(4)


if __name__ == "__main__":
    main()
