"""``careline hotline``: the voice hotline's own process (speech is CPU-bound)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from careline.catalogue import say

LangOption = Annotated[str | None, typer.Option("--lang", metavar="zh|en", show_default=False,
                                                help="语言 zh 或 en / Language, zh or en.")]


def hotline_command(lang: LangOption = None) -> None:
    """运行语音热线（SIP 接听电话）。Run the voice hotline: a SIP endpoint that answers calls."""
    from careline.cli import _setup
    from voice.telephony.endpoint import EndpointStartError
    from voice.telephony.lines import serve

    settings, language = _setup(lang)

    def ready() -> None:
        typer.echo(say("cli.hotline_listening", language, host=settings.sip_host, port=settings.sip_port))

    try:
        asyncio.run(serve(settings, ready=ready))
    except EndpointStartError as error:
        typer.echo(say("cli.hotline_port_busy", language, host=settings.sip_host, port=settings.sip_port,
                       detail=str(error)), err=True)
        raise typer.Exit(3) from None


def register(app: typer.Typer) -> None:
    app.command("hotline")(hotline_command)
