"""The console's doors for signing in and out (the pages behind them: :mod:`bot.console.desk`).

``GET /console/login`` is public: the form, with its sign-in token. ``POST /console/login``
checks that token, then the password (``knowledge.accounts``: Argon2id, lock-out after repeated
failures, the same answer for unknown names), and starts a server-side session.
``POST /console/logout`` ends it (CSRF token required)."""

from __future__ import annotations

import asyncio
import math
import secrets
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from bot.console import dashboard, desk, pages, quick_pages, replies_pages, stream
from bot.console.security import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Actor,
    ConsoleAuth,
    CsrfRefused,
    SignInRequired,
    clear_cookie,
    console_auth,
    db_sessions,
    guard_unsafe_methods,
    language,
    optional_consultant,
    require_csrf,
    set_cookie,
)
from careline import catalogue
from careline.catalogue import say, say_both
from careline.settings import Settings
from knowledge import accounts, console_sessions
from knowledge.accounts import Outcome
from knowledge.audit import audit
from knowledge.db import transaction

log = structlog.get_logger("careline.console")

router = APIRouter(prefix="/console", dependencies=[Depends(guard_unsafe_methods)])


def _login_page(request: Request, status: int = 200, message: str | None = None, note: str | None = None,
                username: str = "", lang: str | None = None) -> Response:
    """The form, with a fresh sign-in token bound to a fresh random cookie."""
    auth = console_auth(request)
    nonce = secrets.token_urlsafe(32)
    response = pages.render(request, "login.html", status, lang, login_token=auth.login_token(nonce),
                            message=message, note=note, username=username)
    set_cookie(request, response, LOGIN_COOKIE, nonce, max_age=int(auth.settings.console_session_max_seconds))
    return response


@router.get("/login")
async def login_form(request: Request, actor: Annotated[Actor | None, Depends(optional_consultant)]) -> Response:
    if actor is not None:
        return RedirectResponse("/console/", status_code=303)
    note = say("console.signed_out", language(request)) if request.query_params.get("out") == "1" else None
    return _login_page(request, note=note)


@router.post("/login")
async def login(request: Request) -> Response:
    auth = console_auth(request)
    lang = language(request)
    form = await request.form()
    field = {name: value if isinstance(value := form.get(name), str) else "" for name in
             ("username", "password", "csrf_token", "lang")}
    if field["lang"] in catalogue.LANGUAGES:  # the answer is in the form's language
        lang = field["lang"]
    if not auth.login_token_matches(request.cookies.get(LOGIN_COOKIE), field["csrf_token"]):
        log.info("console.login_form_refused")
        return _login_page(request, 403, say("console.form_expired", lang), lang=lang)
    username = field["username"][:256]
    old_token = request.cookies.get(SESSION_COOKIE)

    def check() -> tuple[Outcome, str | None, str | None]:
        with transaction(db_sessions(request)) as session:
            now = auth.now()
            result = accounts.authenticate(session, auth.hasher, auth.dummy_hash, username, field["password"],
                                           auth.policy, now)
            if result.outcome is not Outcome.OK or result.consultant is None:
                return result.outcome, None, None
            console_sessions.end(session, old_token)  # never keep a session id from before sign-in
            started = console_sessions.start(session, result.consultant.id, auth.limits, now)
            return result.outcome, started.token, str(result.consultant.id)

    outcome, token, consultant_id = await asyncio.to_thread(check)
    log.info("console.login", outcome=outcome.value, consultant_id=consultant_id)
    if outcome is Outcome.OK and token is not None:
        response = RedirectResponse("/console/", status_code=303)
        set_cookie(request, response, SESSION_COOKIE, token, max_age=int(auth.settings.console_session_max_seconds))
        clear_cookie(request, response, LOGIN_COOKIE)
        return response
    if outcome is Outcome.LOCKED:
        minutes = math.ceil(auth.settings.console_lockout_seconds / 60)
        return _login_page(request, 429, say("console.locked", lang, minutes=minutes), username=username, lang=lang)
    return _login_page(request, 401, say("console.wrong", lang), username=username, lang=lang)


@router.post("/logout")
async def logout(request: Request, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    auth = console_auth(request)
    token = request.cookies.get(SESSION_COOKIE)

    def end() -> None:
        with transaction(db_sessions(request)) as session:
            console_sessions.end(session, token)
            audit(session, actor.consultant_id, "logout", at=auth.now())

    await asyncio.to_thread(end)
    log.info("console.logout", consultant_id=actor.consultant_id)
    response = RedirectResponse("/console/login?out=1", status_code=303)
    clear_cookie(request, response, SESSION_COOKIE)
    return response


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI, settings: Settings) -> None:
    """Serve the console from ``app`` (the hub): its routes, and its answers to a request
    without a session (401) or without its CSRF token (403)."""
    app.state.console = ConsoleAuth(settings)

    async def sign_in_required(request: Request, _error: Exception) -> Response:
        if _wants_html(request):
            response = pages.render(request, "sign_in_needed.html", 401)
        else:
            response = JSONResponse({"error": "console_unauthenticated",
                                     "message": say_both("console.api.unauthenticated")}, status_code=401)
        clear_cookie(request, response, SESSION_COOKIE)
        return response

    async def csrf_refused(request: Request, _error: Exception) -> Response:
        log.info("console.csrf_refused", path=request.url.path)
        if _wants_html(request):
            return pages.render(request, "refused.html", 403)
        return JSONResponse({"error": "console_csrf", "message": say_both("console.csrf_refused")}, status_code=403)

    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.include_router(router)
    app.include_router(desk.router)
    app.include_router(quick_pages.router)
    app.include_router(replies_pages.router)
    app.include_router(stream.router)
    app.include_router(dashboard.router)
