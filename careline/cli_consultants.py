"""``careline consultant``: console accounts (add, passwd, disable, enable, list).

A password is never an argument (it would sit in the shell history and in every process
listing): it is typed at the terminal, twice, or read as one line from standard input when that
is not a terminal (scripts, ``make``)."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from collections.abc import Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.orm import Session

from careline.catalogue import N_, say
from careline.logging import get_logger
from careline.settings import Settings
from knowledge import accounts, db
from knowledge.accounts import AccountError

log = get_logger("careline.consultants")
T = TypeVar("T")

#: the wording of each refusal of knowledge.accounts, by its code
REFUSALS = {
    "district_missing": N_("cli.district_missing"),
    "district_unknown": N_("cli.district_unknown"),
    "password_empty": N_("cli.password_empty"),
    "password_long": N_("cli.password_long"),
    "password_short": N_("cli.password_short"),
    "username_invalid": N_("cli.username_invalid"),
    "username_other_district": N_("cli.username_other_district"),
    "username_taken": N_("cli.username_taken"),
    "username_unknown": N_("cli.username_unknown"),
}

consultant_app = typer.Typer(help="控制台账号（咨询员）/ Console accounts of the consultants.",
                             no_args_is_help=True, rich_markup_mode=None)

LangOption = Annotated[str | None, typer.Option("--lang", metavar="zh|en", show_default=False,
                                                help="语言 zh 或 en / Language, zh or en.")]
Username = Annotated[str, typer.Argument(metavar="USERNAME", help="登录用户名 / The sign-in username.")]


def read_password(language: str) -> str:
    """From the terminal (hidden, asked twice) or one line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(say("cli.password_prompt", language))
        if first and getpass.getpass(say("cli.password_again", language)) != first:
            typer.echo(say("cli.password_mismatch", language), err=True)
            raise typer.Exit(1)
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _new_password(settings: Settings, language: str) -> str:
    password = read_password(language)
    try:
        accounts.check_new_password(password, settings.console_min_password_length)
    except AccountError as error:
        _refuse(error, language)
    return password


def _refuse(error: AccountError, language: str) -> None:
    typer.echo(say(REFUSALS.get(error.code, "cli.unexpected"), language, error=error.code, **error.params), err=True)
    raise typer.Exit(1)


def _in_database(settings: Settings, language: str, work: Callable[[Session], T]) -> T:
    from careline.cli import _engine

    engine = _engine(settings, language)
    try:
        if not db.is_up_to_date(engine):
            typer.echo(say("cli.db_not_ready", language), err=True)
            raise typer.Exit(3)
        with db.transaction(db.session_factory(engine)) as session:
            return work(session)
    except AccountError as error:
        _refuse(error, language)
        raise  # unreachable: _refuse exits
    finally:
        engine.dispose()


def _hasher(settings: Settings) -> accounts.PasswordHasher:
    return accounts.password_hasher(settings.console_password_time_cost, settings.console_password_memory_kib)


def add_command(
    username: Username,
    district: Annotated[list[str], typer.Option("--district", metavar="KEY", help="所属区县（可重复：第一个是本人"
                                                "的区县，其余是也负责的区县）/ The consultant's district (repeat for "
                                                "more: the first is their own, the others they also serve).")],
    admin: Annotated[bool, typer.Option("--admin", help="管理员：能看所有区县 / Administrator: sees every "
                                        "district.")] = False,
    name: Annotated[str | None, typer.Option("--name", help="显示的姓名（默认用用户名）/ Name shown in the "
                                             "console (default: the username).")] = None,
    lang: LangOption = None,
) -> None:
    """开通控制台账号；密码在终端输入或从标准输入读一行。Give a consultant a console account; the
    password is typed at the terminal or read as one line from standard input."""
    from careline.cli import _setup

    settings, language = _setup(lang)
    password = _new_password(settings, language)

    def work(session: Session) -> tuple[int, str]:
        consultant = accounts.add(session, _hasher(settings), username, password, district, is_admin=admin,
                                  name=name)
        return consultant.id, consultant.username

    consultant_id, username = _in_database(settings, language, work)
    log.info("consultant_added", consultant_id=consultant_id, admin=admin, districts=len(set(district)))
    typer.echo(say("cli.consultant_added", language, username=username, districts=", ".join(dict.fromkeys(district)),
                   admin=say("cli.consultant_admin", language) if admin else ""))


def passwd_command(username: Username, lang: LangOption = None) -> None:
    """更改密码（已登录的会话全部退出）。Change a consultant's password; every signed-in session
    of the account ends."""
    from careline.cli import _setup

    settings, language = _setup(lang)
    _in_database(settings, language, lambda s: accounts.need(s, username).id)  # before asking for a password
    password = _new_password(settings, language)
    consultant_id = _in_database(settings, language,
                                 lambda s: accounts.set_password(s, _hasher(settings), username, password).id)
    log.info("consultant_password_set", consultant_id=consultant_id)
    typer.echo(say("cli.consultant_passwd", language, username=accounts.normal_username(username)))


def _switch(username: str, lang: str | None, disabled: bool) -> None:
    from careline.cli import _setup

    settings, language = _setup(lang)
    consultant_id = _in_database(settings, language, lambda s: accounts.set_disabled(s, username, disabled).id)
    log.info("consultant_disabled" if disabled else "consultant_enabled", consultant_id=consultant_id)
    typer.echo(say(N_("cli.consultant_disabled") if disabled else N_("cli.consultant_enabled"), language,
                   username=accounts.normal_username(username)))


def disable_command(username: Username, lang: LangOption = None) -> None:
    """停用账号（立即退出所有会话）。Disable an account; its sessions end at once."""
    _switch(username, lang, True)


def enable_command(username: Username, lang: LangOption = None) -> None:
    """重新启用账号（也解除登录锁定）。Enable an account again; this also lifts a sign-in lock."""
    _switch(username, lang, False)


def list_command(lang: LangOption = None) -> None:
    """列出咨询员和他们的控制台状态。List the consultants and the state of their console access."""
    from careline.cli import _setup

    settings, language = _setup(lang)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = _in_database(settings, language, lambda s: accounts.listing(s, now))
    if not rows:
        typer.echo(say("cli.consultant_none", language))
        return
    typer.echo(say("cli.consultant_heading", language))
    for row in rows:
        typer.echo(say("cli.consultant_line", language, username=row.username, name=row.name,
                       districts=", ".join((row.district, *row.extra_districts)), state=_state(row, language)))


def _state(row: accounts.AccountRow, language: str) -> str:
    parts = []
    if not row.active:
        parts.append(say("cli.state_retired", language))
    if row.disabled:
        parts.append(say("cli.state_disabled", language))
    parts.append(say(N_("cli.state_ready") if row.has_password else N_("cli.state_no_password"), language))
    if row.is_admin:
        parts.append(say("cli.state_admin", language))
    if row.locked_until is not None:
        parts.append(say("cli.state_locked", language, until=f"{row.locked_until:%Y-%m-%d %H:%M}"))
    if row.origin == "cli":
        parts.append(say("cli.state_cli", language))
    return ", ".join(parts)


def register(app: typer.Typer) -> None:
    consultant_app.command("add")(add_command)
    consultant_app.command("passwd")(passwd_command)
    consultant_app.command("disable")(disable_command)
    consultant_app.command("enable")(enable_command)
    consultant_app.command("list")(list_command)
    app.add_typer(consultant_app, name="consultant")
