"""Server-rendered console pages (Jinja2, autoescaped), with the headers every console page
carries: never cached, never framed, scripts and styles only inline with the page's nonce (our
own, never one from elsewhere), connections only to the hub itself (the live events)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from bot.console.labels import label
from bot.console.security import LANGUAGE_COOKIE, language, set_cookie
from careline import catalogue, clock
from knowledge.phones import display_phone

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)


@pass_context
def _text(context: Context, key: str, **values: Any) -> str:
    """``_('console.sign_in')`` in a template: the catalogue's text in the page's language."""
    return catalogue.say(key, context["lang"], **values)


@pass_context
def _label(context: Context, kind: str, value: str | None) -> str:
    return label(kind, value, context["lang"])


_environment.globals.update(_=_text, label=_label)
_environment.filters["phone"] = display_phone


def headers(nonce: str) -> dict[str, str]:
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                                   "img-src 'self'; connect-src 'self'; "
                                   "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def render(request: Request, template: str, status: int = 200, lang: str | None = None,
           **context: Any) -> HTMLResponse:
    lang = lang or language(request)
    nonce = secrets.token_urlsafe(16)

    body = _environment.get_template(template).render(
        lang=lang, nonce=nonce, path=request.url.path,
        languages={code: catalogue.say("language.own_name", code) for code in catalogue.LANGUAGES},
        local=clock.from_utc, **context)
    response = HTMLResponse(body, status_code=status, headers=headers(nonce))
    if request.query_params.get("lang") in catalogue.LANGUAGES or lang != language(request):
        set_cookie(request, response, LANGUAGE_COOKIE, lang, max_age=365 * 86400)
    return response
