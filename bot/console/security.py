"""Who is using the console: the session cookie, the CSRF tokens, and the FastAPI dependencies
every console route uses.

- ``current_consultant`` gives the signed-in :class:`Actor`, or answers 401 (a page that leads
  to the sign-in form for a browser, the hub's JSON error for a program).
- ``require_csrf`` refuses (403) a request that does not carry the session's CSRF token, in the
  form field ``csrf_token`` or the header ``X-CSRF-Token``. The console router applies it to every
  POST, PUT, PATCH and DELETE, except the sign-in form, which carries a token of its own: an
  HMAC of a random value in a cookie set with the form (signed double submit), so another site
  cannot sign a browser in to an account of its choosing.

Cookies are HttpOnly, SameSite=Strict, ``Path=/console``, and Secure when the request came over
https (``console_secure_cookies``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session, sessionmaker

from careline.secrets import CONSOLE_LOGIN, secret
from careline.settings import Settings
from knowledge import accounts, console_sessions
from knowledge.actors import Actor
from knowledge.db import reading, transaction
from knowledge.models import ConsoleSession, Consultant, utcnow

SESSION_COOKIE = "careline_console"
LOGIN_COOKIE = "careline_console_login"
LANGUAGE_COOKIE = "careline_console_lang"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SignInRequired(Exception):
    """No live session: answered with 401."""


class CsrfRefused(Exception):
    """A state-changing request without its CSRF token: answered with 403."""


@dataclass
class ConsoleAuth:
    """The console's settings and keys, kept on ``app.state.console``. ``now`` (naive UTC) is
    replaceable so that tests can move the clock."""

    settings: Settings
    now: Any = field(default=utcnow)

    @cached_property
    def hasher(self) -> accounts.PasswordHasher:
        return accounts.password_hasher(self.settings.console_password_time_cost,
                                        self.settings.console_password_memory_kib)

    @cached_property
    def dummy_hash(self) -> str:
        """Verified in place of a missing account's hash, with today's parameters, so that an
        unknown username costs the same time as a known one."""
        return self.hasher.hash(secrets.token_urlsafe(16))

    @cached_property
    def login_key(self) -> bytes:
        return secret(CONSOLE_LOGIN, self.settings).encode()

    @property
    def policy(self) -> accounts.LoginPolicy:
        return accounts.LoginPolicy(self.settings.console_max_failed_logins,
                                    dt.timedelta(seconds=self.settings.console_lockout_seconds))

    @property
    def limits(self) -> console_sessions.SessionLimits:
        return console_sessions.SessionLimits(dt.timedelta(seconds=self.settings.console_session_idle_seconds),
                                              dt.timedelta(seconds=self.settings.console_session_max_seconds))

    def login_token(self, nonce: str) -> str:
        return hmac.new(self.login_key, nonce.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def login_token_matches(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token or len(nonce) > 128:
            return False
        return hmac.compare_digest(self.login_token(nonce).encode(), token.encode("utf-8", "surrogateescape"))


def console_auth(request: Request) -> ConsoleAuth:
    return request.app.state.console


def db_sessions(request: Request) -> sessionmaker[Session]:
    return request.app.state.runtime.sessions


def secure_cookies(request: Request) -> bool:
    mode = console_auth(request).settings.console_secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None = None) -> None:
    response.set_cookie(name, value, max_age=max_age, path=COOKIE_PATH, httponly=True, samesite="strict",
                        secure=secure_cookies(request))


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="strict", secure=secure_cookies(request))


def language(request: Request) -> str:
    """``?lang=`` when given, else the remembered choice, else the system's language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in ("zh", "en") else console_auth(request).settings.language


def _actor_of(row: ConsoleSession, consultant: Consultant) -> Actor:
    return Actor(consultant.id, accounts.district_ids(consultant), username=consultant.username,
                 name=consultant.name, is_admin=consultant.is_admin, csrf_token=row.csrf_token)


def _actor(sessions: sessionmaker[Session], token: str, auth: ConsoleAuth) -> Actor | None:
    """Read only, unless the session is to be marked as used or removed."""
    with reading(sessions) as session:
        seen = console_sessions.find(session, token, auth.limits, auth.now())
        if seen is None:
            return None
        if seen.fresh and seen.consultant is not None:
            return _actor_of(seen.row, seen.consultant)
    with transaction(sessions) as session:
        found = console_sessions.resume(session, token, auth.limits, auth.now())
        return _actor_of(*found) if found is not None else None


async def optional_consultant(request: Request) -> Actor | None:
    """The signed-in consultant, or None; looked up once per request."""
    if "console_actor" not in request.scope.setdefault("state", {}):
        token = request.cookies.get(SESSION_COOKIE)
        actor = None
        if token:
            def lookup() -> Actor | None:
                return _actor(db_sessions(request), token, console_auth(request))

            actor = await asyncio.to_thread(lookup)
        request.state.console_actor = actor
    return request.state.console_actor


async def current_consultant(request: Request) -> Actor:
    """FastAPI dependency: the signed-in consultant, else 401."""
    actor = await optional_consultant(request)
    if actor is None:
        raise SignInRequired
    return actor


async def submitted_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip() in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def require_csrf(request: Request) -> Actor:
    """FastAPI dependency for a state-changing console route: the signed-in consultant (else
    401) whose request carries the session's CSRF token (else 403)."""
    actor = await current_consultant(request)
    given = await submitted_csrf(request)
    if not given or not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), actor.csrf_token.encode()):
        raise CsrfRefused
    return actor


async def guard_unsafe_methods(request: Request) -> None:
    """Router-wide: every state-changing request but the sign-in form needs the CSRF token."""
    if request.method in UNSAFE_METHODS and request.url.path != f"{COOKIE_PATH}/login":
        await require_csrf(request)
