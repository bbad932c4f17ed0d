"""``careline hub``, ``careline chat``, ``careline link-code`` and ``careline unlink``: the conversation
hub's commands."""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
from typing import Annotated

import httpx
import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from careline.settings import Settings
from careline.texts import say

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
        typer.echo(say("elder_unknown", language, elder_key=key), err=True)
        raise typer.Exit(1)
    return int(row[0]), str(row[1])


def hub_command(lang: LangOption = None) -> None:
    """运行会话中心（Telegram、电话和控制台都经过它）。Run the conversation hub that every channel
    goes through."""
    import uvicorn

    from bot.hub.app import create_app
    from careline.cli import _setup

    settings, language = _setup(lang)
    typer.echo(say("hub_listening", language, host=settings.hub_host, port=settings.hub_port))
    uvicorn.run(create_app(settings), host=settings.hub_host, port=settings.hub_port, log_level="warning")


def chat_command(
    message: Annotated[str | None, typer.Option("--message", "-m", help="只发这一句，打印回复后退出 / "
                                                "Send this one message, print the replies, exit.")] = None,
    elder: ElderOption = None,
    district: DistrictOption = None,
    conversation: Annotated[str | None, typer.Option("--conversation", help="会话名 / Conversation name.")] = None,
    lang: LangOption = None,
) -> None:
    """在终端里和助手对话（与 Telegram 同一个会话中心）。Talk to the assistant in the terminal,
    through the same hub as Telegram."""
    from careline.cli import _setup

    settings, language = _setup(lang)
    try:
        httpx.get(f"{settings.resolved_rasa_url.split(',')[0]}/status", timeout=3)
    except httpx.HTTPError:
        typer.echo(say("chat_no_engine", language, url=settings.resolved_rasa_url), err=True)
        raise typer.Exit(3) from None
    elder_id, district_key = _find_elder(settings, language, elder, district) if elder else (None, district)
    name = conversation or f"{getpass.getuser()}:{elder or '-'}:{dt.date.today().isoformat()}"
    asyncio.run(_chat(settings, language, name, elder_id, district_key, message))


async def _chat(settings: Settings, language: str, conversation: str, elder_id: int | None,
                district_key: str | None, message: str | None) -> None:
    from bot.hub.bot_client import RasaClient
    from bot.hub.hub import Hub
    from bot.hub.messages import Button, Inbound, Kind
    from knowledge import db

    sessions = db.session_factory(db.make_engine(settings.resolved_database_url))
    bot = RasaClient(settings.resolved_rasa_url, timeout=settings.hub_bot_timeout)
    hub = Hub(sessions, bot, default_language=language, retry_window=settings.hub_retry_window)
    offered: list[Button] = []

    async def send(text: str) -> None:
        nonlocal offered
        kind, payload = Kind.TEXT, None
        if text.strip().isdigit() and 0 < int(text) <= len(offered):
            chosen = offered[int(text) - 1]
            kind, payload, text = Kind.CHOICE, chosen.payload, chosen.title
        replies = await hub.handle(Inbound(channel="cli", conversation=conversation, address=conversation, text=text,
                                           kind=kind, payload=payload, language=language, elder_id=elder_id,
                                           district_key=district_key))
        offered = []
        for reply in replies:
            typer.echo(reply.text)
            for button in reply.buttons:
                offered.append(button)
                typer.echo(f"  [{len(offered)}] {button.title}")

    try:
        if message is not None:
            await send(message)
            return
        typer.echo(say("chat_intro", language))
        while True:
            try:
                line = await asyncio.to_thread(input, "> ")
            except EOFError:
                break
            if line.strip() in ("/quit", "/exit"):
                break
            await send(line)
    finally:
        await bot.aclose()


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
    typer.echo(say("link_code", language, elder=name, code=code, hours=hours))


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
        typer.echo(say("unlink_both", language), err=True)
        raise typer.Exit(2)
    elder_id, _district = _find_elder(settings, language, elder, district)
    factory = db.session_factory(db.make_engine(settings.resolved_database_url))
    with db.transaction(factory) as session:
        name = session.get(Elder, elder_id).name
        if not account and not all_accounts:
            _list_links(session, elder_id, name, language)
            return
        removed = _unlink(session, elder_id, account)
    typer.echo(say("unlink_done" if removed else "unlink_none", language, n=removed, elder=name))
    if not removed:
        raise typer.Exit(1)


def _list_links(session: Session, elder_id: int, name: str, language: str) -> None:
    from knowledge import links
    from knowledge.models import AccountElder

    accounts = links.accounts_of(session, elder_id)
    if not accounts:
        typer.echo(say("unlink_nobody", language, elder=name))
        return
    typer.echo(say("unlink_list", language, elder=name))
    for linked in accounts:
        since = session.scalar(select(AccountElder.created_at).where(AccountElder.account_id == linked.id,
                                                                     AccountElder.elder_id == elder_id))
        typer.echo(say("unlink_line", language, account=f"{linked.channel}:{linked.external_id}",
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
