"""``careline hub``, ``careline chat``, ``careline link-code`` and ``careline unlink``: the conversation
hub's commands."""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Annotated, Any

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from careline import clock
from careline.catalogue import N_, say
from careline.heap import settle
from careline.secrets import CHANNEL_TERMINAL, secret
from careline.settings import Settings

LangOption = Annotated[str | None, typer.Option("--lang", metavar="zh|en", show_default=False,
                                                help="语言 zh 或 en / Language, zh or en.")]
ElderOption = Annotated[str | None, typer.Option("--elder", metavar="KEY", help="替哪位老人（档案键）/ "
                                                 "Act for this elder (profile key).")]
DistrictOption = Annotated[str | None, typer.Option("--district", metavar="KEY", help="区县键 / District key.")]


def _find_elder(settings: Settings, language: str, key: str, district: str | None) -> tuple[int, str]:
    from knowledge import db
    from knowledge.models import District, Elder

    factory = db.session_factory(db.make_engine(settings.resolved_database_url))
    with factory() as session:
        query = select(Elder.id, District.key).join(District, District.id == Elder.district_id) \
            .where(Elder.key == key, Elder.active.is_(True))
        if district:
            query = query.where(District.key == district)
        row = session.execute(query.order_by(Elder.id)).first()
    if row is None:
        typer.echo(say("cli.elder_unknown", language, elder_key=key), err=True)
        raise typer.Exit(1)
    return int(row[0]), str(row[1])


def hub_command(lang: LangOption = None) -> None:
    """运行会话中心（Telegram、电话和控制台都经过它）。Run the conversation hub that every channel
    goes through."""
    import uvicorn

    from bot.hub.app import create_app
    from careline.cli import _setup

    settings, language = _setup(lang)
    typer.echo(say("cli.hub_listening", language, host=settings.hub_host, port=settings.hub_port))
    app = create_app(settings)
    settle()
    uvicorn.run(app, **server_options(settings))


def server_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn serves the hub. On shutdown, a request still running after the engine's own
    timeout (and a moment) is cancelled: the consoles' live streams (``/console/events``) would
    otherwise hold the hub up for minutes; a browser reconnects by itself."""
    return {"host": settings.hub_host, "port": settings.hub_port, "log_level": "warning",
            "timeout_graceful_shutdown": int(settings.hub_bot_timeout) + 5}


def chat_command(
    message: Annotated[str | None, typer.Option("--message", "-m", help="只发这一句，打印回复后退出 / "
                                                "Send this one message, print the replies, exit.")] = None,
    elder: ElderOption = None,
    district: DistrictOption = None,
    conversation: Annotated[str | None, typer.Option("--conversation", help="会话名 / Conversation name.")] = None,
    lang: LangOption = None,
) -> None:
    """在终端里和助手对话（经过正在运行的会话中心，与 Telegram 相同）。Talk to the assistant in the
    terminal, through the running hub, like every other channel."""
    from careline.cli import _setup

    settings, language = _setup(lang)
    url = hub_url(settings)
    try:
        httpx.get(f"{url}/healthz", timeout=3).raise_for_status()
    except httpx.HTTPError:
        typer.echo(say("cli.chat_no_hub", language, url=url), err=True)
        raise typer.Exit(3) from None
    elder_id, district_key = _find_elder(settings, language, elder, district) if elder else (None, district)
    name = conversation or f"{getpass.getuser()}:{elder or '-'}:{clock.local_today().isoformat()}"
    try:
        headers = {"Authorization": f"Bearer {secret(CHANNEL_TERMINAL, settings)}"}
    except OSError:  # the hub's data folder belongs to another user
        typer.echo(say("cli.chat_token", language, var_dir=settings.var_dir), err=True)
        raise typer.Exit(4) from None
    with httpx.Client(base_url=url, headers=headers, timeout=settings.hub_bot_timeout + 30) as client:
        _Chat(client, settings, language, name, elder_id, district_key).run(message)


def hub_url(settings: Settings) -> str:
    """Where this machine reaches the hub (a hub listening on every address is reached on loopback)."""
    host = "127.0.0.1" if settings.hub_host in ("", "0.0.0.0") else "[::1]" if settings.hub_host == "::" \
        else f"[{settings.hub_host}]" if ":" in settings.hub_host else settings.hub_host
    return f"http://{host}:{settings.hub_port}"


class _Chat:
    """One terminal conversation, posted to the hub's /api/messages as the ``terminal`` channel."""

    def __init__(self, client: httpx.Client, settings: Settings, language: str, conversation: str,
                 elder_id: int | None, district_key: str | None) -> None:
        self.client = client
        self.settings = settings
        self.language = language
        self.conversation = conversation
        self.elder_id = elder_id
        self.district_key = district_key
        self.offered: list[tuple[str, str]] = []

    def run(self, message: str | None) -> None:
        if message is not None:
            if not self.send(message):
                raise typer.Exit(4)
            return
        typer.echo(say("cli.chat_intro", self.language))
        while True:
            try:
                line = input("> ")
            except EOFError:
                break
            if line.strip() in ("/quit", "/exit"):
                break
            self.send(line)

    def send(self, text: str) -> bool:
        """Post one line; print the replies, or why the hub refused it."""
        body: dict[str, object] = {"conversation": self.conversation, "text": text, "language": self.language}
        if text.strip().isdigit() and 0 < int(text) <= len(self.offered):
            title, payload = self.offered[int(text) - 1]
            body.update(kind="choice", payload=payload, text=title)
        if self.elder_id is not None:
            body["elder_id"] = self.elder_id
        if self.district_key:
            body["district_key"] = self.district_key
        try:
            response = self.client.post("/api/messages", json=body)
        except httpx.HTTPError:
            typer.echo(say("cli.chat_no_hub", self.language, url=str(self.client.base_url).rstrip("/")), err=True)
            raise typer.Exit(3) from None
        if response.status_code != 200:
            self._refused(response)
            return False
        self.offered = []
        for reply in response.json().get("replies", []):
            typer.echo(reply.get("text", ""))
            for title, payload in reply.get("buttons") or []:
                self.offered.append((str(title), str(payload)))
                typer.echo(f"  [{len(self.offered)}] {title}")
        return True

    def _refused(self, response: httpx.Response) -> None:
        try:
            message = response.json()["message"][self.language]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {response.status_code}"
        typer.echo(say("cli.chat_refused", self.language, message=message), err=True)
        if response.status_code == 401:
            typer.echo(say("cli.chat_token", self.language, var_dir=self.settings.var_dir), err=True)
            raise typer.Exit(4)


def link_code_command(
    elder: Annotated[str, typer.Argument(metavar="ELDER_KEY", help="老人档案键 / The elder's profile key.")],
    district: DistrictOption = None,
    lang: LangOption = None,
) -> None:
    """为老人生成一次性的家属绑定码。Make a one-time code a family member uses to link to an elder."""
    from careline.cli import _setup
    from careline.secrets import LINK_CODES, secret
    from knowledge import db, links
    from knowledge.models import Elder

    settings, language = _setup(lang)
    elder_id, _district = _find_elder(settings, language, elder, district)
    factory = db.session_factory(db.make_engine(settings.resolved_database_url))
    with db.transaction(factory) as session:
        code = links.issue_code(session, elder_id, dt.timedelta(hours=settings.link_code_hours),
                                key=secret(LINK_CODES, settings))
        name = session.get(Elder, elder_id).name
    hours = f"{settings.link_code_hours:g}"
    typer.echo(say("cli.link_code", language, elder=name, code=code, hours=hours))


def unlink_command(
    elder: Annotated[str, typer.Argument(metavar="ELDER_KEY", help="老人档案键 / The elder's profile key.")],
    account: Annotated[str | None, typer.Option("--account", metavar="CHANNEL:ID", help="解除这个家属账号（如 "
                                                "telegram:123456789；只写编号即 Telegram）/ Unlink this family "
                                                "account (e.g. telegram:123456789; a bare id means Telegram).")] = None,
    all_accounts: Annotated[bool, typer.Option("--all", help="解除所有家属账号 / "
                                               "Unlink every family account.")] = False,
    district: DistrictOption = None,
    lang: LangOption = None,
) -> None:
    """解除家属账号与老人的绑定（不带选项时列出绑定的账号）。Remove a family member's link to an elder;
    without an option, list the linked accounts."""
    from careline.cli import _setup
    from knowledge import db
    from knowledge.models import Elder

    settings, language = _setup(lang)
    if account and all_accounts:
        typer.echo(say("cli.unlink_both", language), err=True)
        raise typer.Exit(2)
    elder_id, _district = _find_elder(settings, language, elder, district)
    factory = db.session_factory(db.make_engine(settings.resolved_database_url))
    with db.transaction(factory) as session:
        name = session.get(Elder, elder_id).name
        if not account and not all_accounts:
            _list_links(session, elder_id, name, language)
            return
        removed = _unlink(session, elder_id, account)
    typer.echo(say(N_("cli.unlink_done") if removed else N_("cli.unlink_none"), language, n=removed, elder=name))
    if not removed:
        raise typer.Exit(1)


def _list_links(session: Session, elder_id: int, name: str, language: str) -> None:
    from knowledge import links
    from knowledge.models import AccountElder

    accounts = links.accounts_of(session, elder_id)
    if not accounts:
        typer.echo(say("cli.unlink_nobody", language, elder=name))
        return
    typer.echo(say("cli.unlink_list", language, elder=name))
    for linked in accounts:
        since = session.scalar(select(AccountElder.created_at).where(AccountElder.account_id == linked.id,
                                                                     AccountElder.elder_id == elder_id))
        typer.echo(say("cli.unlink_line", language, account=f"{linked.channel}:{linked.external_id}",
                       language=linked.language, since=f"{since:%Y-%m-%d}"))


def _unlink(session: Session, elder_id: int, account: str | None) -> int:
    """Unlink one account (``channel:id``, or a Telegram id) or, with None, every account."""
    from knowledge import links

    channel, _, external = (account or "").rpartition(":")
    removed = 0
    for linked in links.accounts_of(session, elder_id):
        if account is None or (linked.channel == (channel or "telegram") and linked.external_id == external):
            removed += links.unlink(session, linked, elder_id)
    return removed


def register(app: typer.Typer) -> None:
    app.command("hub")(hub_command)
    app.command("chat")(chat_command)
    app.command("link-code")(link_code_command)
    app.command("unlink")(unlink_command)
