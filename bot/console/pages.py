"""Server-rendered console pages (Jinja2, autoescaped), with the headers every console page
carries: never cached, never framed, scripts and styles only inline with the page's nonce (our
own, never one from elsewhere), connections only to the hub itself (the live events)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.console import texts
from bot.console.security import LANGUAGE_COOKIE, language, set_cookie
from careline import clock

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)


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

    def t(key: str, **values: Any) -> str:
        return texts.t(key, lang, **values)

    def label(prefix: str, value: str | None) -> str:
        return texts.label(prefix, value, lang)

    body = _environment.get_template(template).render(
        lang=lang, t=t, label=label, nonce=nonce, languages=texts.LANGUAGE_NAMES, path=request.url.path,
        local=clock.from_utc, **context)
    response = HTMLResponse(body, status_code=status, headers=headers(nonce))
    if request.query_params.get("lang") in texts.LANGUAGE_NAMES or lang != language(request):
        set_cookie(request, response, LANGUAGE_COOKIE, lang, max_age=365 * 86400)
    return response
