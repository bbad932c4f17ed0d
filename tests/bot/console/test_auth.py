"""Signing in to the console, over HTTP, on both databases: sessions, lock-out, CSRF, cookies,
expiry, and the audit log."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import func, select

from bot.console.security import LOGIN_COOKIE, SESSION_COOKIE
from knowledge import accounts
from knowledge.db import transaction
from knowledge.models import ConsoleSession, Consultant
from tests.bot.console.conftest import PASSWORD, Console, form_token


def _signed_in(client: httpx.Client) -> bool:
    page = client.get("/console/", headers={"Accept": "text/html"})
    assert page.status_code in (200, 401), page.status_code
    return page.status_code == 200


def _live_sessions(console: Console) -> int:
    with console.sessions() as session:
        return session.scalar(select(func.count()).select_from(ConsoleSession))


def test_sign_in_shows_who_and_sign_out_ends_the_session(console: Console) -> None:
    with console.client() as client:
        response = console.login(client, "alice")
        assert response.status_code == 303 and response.headers["location"] == "/console/"
        page = client.get("/console/")
        assert page.status_code == 200
        assert "已登录：Alice Wong（alice）" in page.text and "枫林镇" in page.text, page.text
        english = client.get("/console/", params={"lang": "en"})
        assert "Signed in as Alice Wong (alice)" in english.text and "Sign out" in english.text
        token = form_token(page.text)
        out = client.post("/console/logout", data={"csrf_token": token})
        assert out.status_code == 303 and out.headers["location"] == "/console/login?out=1"
        assert not _signed_in(client)
        assert "You are signed out." in client.get(out.headers["location"]).text
    assert _live_sessions(console) == 0
    actions = [(e.action, e.detail) for e in console.audit()]
    assert actions == [("login", {}), ("logout", {})]


def test_an_administrator_sees_every_district(console: Console) -> None:
    with console.client() as client:
        assert console.login(client, "maple-chen").status_code == 303
        assert "管理员：可以看到所有区县。" in client.get("/console/").text


def test_a_wrong_password_is_refused(console: Console) -> None:
    with console.client() as client:
        response = console.login(client, "alice", "not the password at all")
        assert response.status_code == 401
        assert "用户名或密码不对" in response.text
        assert SESSION_COOKIE not in response.cookies and not _signed_in(client)
    entry = console.audit()[-1]
    assert (entry.action, entry.detail) == ("login_failed", {"reason": "wrong_password"})
    with console.sessions() as session:
        assert entry.consultant_id == session.scalar(select(Consultant.id).where(Consultant.username == "alice"))


def test_five_failures_lock_the_account_for_fifteen_minutes(console: Console) -> None:
    with console.client() as client:
        for _ in range(4):
            assert console.login(client, "alice", "wrong password!").status_code == 401
        fifth = console.login(client, "alice", "wrong password!")
        assert fifth.status_code == 429 and "已锁定 15 分钟" in fifth.text, fifth.text
        right_but_locked = console.login(client, "alice", PASSWORD)
        assert right_but_locked.status_code == 429 and not _signed_in(client)
        console.clock.advance(minutes=14, seconds=50)
        assert console.login(client, "alice", PASSWORD).status_code == 429
        console.clock.advance(seconds=11)
        assert console.login(client, "alice", PASSWORD).status_code == 303
        assert _signed_in(client)
    actions = [e.action for e in console.audit()]
    assert actions == ["login_failed"] * 5 + ["login_locked"] + ["login_failed"] * 2 + ["login"]
    assert [e.detail.get("reason") for e in console.audit()][6:8] == ["locked", "locked"]


def _normalised(response: httpx.Response, username: str) -> tuple[int, str]:
    text = re.sub(r'value="[0-9a-f]{64}"', 'value="TOKEN"', response.text)
    text = re.sub(r"nonce-[^']+'|nonce=\"[^\"]+\"", "NONCE", text)
    return response.status_code, text.replace(f'value="{username}"', 'value="NAME"')


def test_an_unknown_username_gets_the_same_answers_and_lock(console: Console) -> None:
    """Nobody learns from the answers whether an account exists: the same refusals, the same
    lock after five failures, the same page."""
    answers: dict[str, list[tuple[int, str]]] = {}
    for name in ("alice", "nobody-here"):
        with console.client() as client:
            answers[name] = [_normalised(console.login(client, name, "wrong password!"), name) for _ in range(6)]
    assert answers["alice"] == answers["nobody-here"]
    assert [status for status, _ in answers["alice"]] == [401] * 4 + [429] * 2
    unknown = [e for e in console.audit() if e.consultant_id is None]
    assert [e.action for e in unknown] == ["login_failed"] * 5 + ["login_locked", "login_failed"]
    assert unknown[0].detail == {"reason": "unknown_user"}


def test_sign_in_needs_the_forms_own_token(console: Console) -> None:
    """Login CSRF: another site cannot post the form (it has neither the cookie nor the token)."""
    with console.client() as client:
        bare = client.post("/console/login", data={"username": "alice", "password": PASSWORD})
        assert bare.status_code == 403 and "登录页面已经过期" in bare.text
        token = console.login_form(client)
        client.cookies.delete(LOGIN_COOKIE, path="/console")
        other = console.login_form(httpx.Client(base_url=console.url))  # a token bound to another cookie
        wrong = client.post("/console/login", data={"username": "alice", "password": PASSWORD, "csrf_token": other})
        assert wrong.status_code == 403
        console.login_form(client)  # a cookie again, but the token posted is not its own
        assert client.post("/console/login", data={"username": "alice", "password": PASSWORD,
                                                   "csrf_token": other}).status_code == 403
        assert token and not _signed_in(client)
    assert console.audit() == []


def test_logout_without_the_csrf_token_is_refused(console: Console) -> None:
    with console.client() as client:
        console.login(client, "alice")
        token = form_token(client.get("/console/").text)
        for data, headers in (({}, {}), ({"csrf_token": "forged"}, {}), ({}, {"X-CSRF-Token": "forged"})):
            refused = client.post("/console/logout", data=data, headers={"Accept": "text/html", **headers})
            assert refused.status_code == 403, refused.text
            assert "没有有效的安全令牌" in refused.text
            assert _signed_in(client)
        as_json = client.post("/console/logout", json={})
        assert as_json.status_code == 403 and as_json.json()["error"] == "console_csrf"
        assert set(as_json.json()["message"]) == {"zh", "en"}
        assert client.post("/console/logout", headers={"X-CSRF-Token": token}).status_code == 303
        assert not _signed_in(client)


def test_no_console_page_answers_without_a_session(console: Console) -> None:
    with console.client() as client:
        page = client.get("/console/", headers={"Accept": "text/html"})
        assert page.status_code == 401 and 'href="/console/login"' in page.text
        as_json = client.get("/console/")
        assert as_json.status_code == 401 and as_json.json()["error"] == "console_unauthenticated"
        client.cookies.set(SESSION_COOKIE, "made-up-session-id", path="/console")
        assert client.get("/console/").status_code == 401
        assert client.post("/console/logout", data={"csrf_token": "x"}).status_code == 401


def _set_cookie(response: httpx.Response, name: str) -> list[str]:
    headers = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(headers) == 1, response.headers.get_list("set-cookie")
    return [part.strip().lower() for part in headers[0].split(";")]


def test_cookies_are_httponly_samesite_strict_and_path_console(console: Console) -> None:
    with console.client() as client:
        form = client.get("/console/login")
        response = console.login(client, "alice")
    for flags in (_set_cookie(form, LOGIN_COOKIE), _set_cookie(response, SESSION_COOKIE)):
        assert {"httponly", "samesite=strict", "path=/console"} <= set(flags), flags
        assert "secure" not in flags  # plain http: a Secure cookie would never come back
    # behind a TLS proxy on this machine (uvicorn takes X-Forwarded-Proto from 127.0.0.1)
    https = {"X-Forwarded-Proto": "https"}
    with console.client(headers=https) as client:
        form = client.get("/console/login")
        token = form_token(form.text)
        client.cookies.set(LOGIN_COOKIE, form.cookies[LOGIN_COOKIE], path="/console")
        response = client.post("/console/login", data={"username": "alice", "password": PASSWORD,
                                                       "csrf_token": token})
    assert response.status_code == 303
    for flags in (_set_cookie(form, LOGIN_COOKIE), _set_cookie(response, SESSION_COOKIE)):
        assert {"secure", "httponly", "samesite=strict", "path=/console"} <= set(flags), flags


def test_a_session_ends_after_inactivity_and_after_twelve_hours(console: Console) -> None:
    with console.client() as client:
        console.login(client, "alice")
        console.clock.advance(minutes=29)
        assert _signed_in(client)
        console.clock.advance(minutes=29)  # used a minute ago: still on
        assert _signed_in(client)
        console.clock.advance(minutes=30, seconds=1)
        assert not _signed_in(client)
    assert _live_sessions(console) == 0
    with console.client() as client:
        console.login(client, "alice")
        for _ in range(12 * 3 - 1):  # busy all day, every 20 minutes
            console.clock.advance(minutes=20)
            assert _signed_in(client)
        console.clock.advance(minutes=20, seconds=1)
        assert not _signed_in(client)


def test_a_session_used_again_within_a_minute_is_only_read(console: Console) -> None:
    """The live console asks for its fragments many times a minute: marking the session as used
    each time would make every one of those a write."""
    def last_seen() -> dt.datetime:
        with console.sessions() as session:
            return session.scalar(select(ConsoleSession.last_seen_at))

    with console.client() as client:
        console.login(client, "alice")
        signed_in_at = last_seen()
        console.clock.advance(seconds=50)
        assert client.get("/console/queue").status_code == 200
        assert last_seen() == signed_in_at
        console.clock.advance(seconds=11)
        assert client.get("/console/queue").status_code == 200
        assert last_seen() - signed_in_at >= dt.timedelta(seconds=61), "written again after a minute"
        console.clock.advance(minutes=30, seconds=1)
        assert not _signed_in(client)


def test_disabling_or_a_new_password_ends_the_sessions(console: Console) -> None:
    hasher = accounts.password_hasher(1, 1024)
    with console.client() as first, console.client() as second:
        console.login(first, "alice")
        console.login(second, "alice")
        with transaction(console.sessions) as session:
            accounts.set_password(session, hasher, "alice", "another long password")
        assert not _signed_in(first) and not _signed_in(second)
        assert console.login(first, "alice", "another long password").status_code == 303
        with transaction(console.sessions) as session:
            accounts.set_disabled(session, "alice", True)
        assert not _signed_in(first)
        assert console.login(first, "alice", "another long password").status_code == 401


def test_the_sign_in_page_is_bilingual_and_remembers_the_choice(console: Console) -> None:
    with console.client() as client:
        page = client.get("/console/login")
        assert 'lang="zh-CN"' in page.text and "咨询员登录" in page.text
        english = client.get("/console/login", params={"lang": "en"})
        assert 'lang="en"' in english.text and "Consultant sign-in" in english.text
        assert '<label for="username">Username</label>' in english.text
        assert '<label for="password">Password</label>' in english.text
        assert "Consultant sign-in" in client.get("/console/login").text  # remembered
        refused = console.login(client, "alice", "wrong password!")
        assert "The username or password is wrong." in refused.text
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_a_username_is_shown_as_text(console: Console) -> None:
    with console.client() as client:
        response = console.login(client, '<script>alert(1)</script>', "wrong password!")
    assert response.status_code == 401
    assert "<script>alert(1)" not in response.text and "&lt;script&gt;" in response.text


def test_cookies_are_secure_when_a_setting_says_the_hub_is_behind_tls(console: Console, maple_committing,
                                                                     tmp_path) -> None:
    from bot.hub.app import create_app
    from tests.bot.console.conftest import console_settings
    from tests.bot.hub.conftest import serve

    settings = console_settings(maple_committing, tmp_path / "tls", console_secure_cookies="always")
    with serve(create_app(settings)) as url, httpx.Client(base_url=url) as client:
        form = client.get("/console/login")
    assert "secure" in _set_cookie(form, LOGIN_COOKIE)


def test_failures_at_the_same_moment_are_all_counted(console: Console) -> None:
    """Eight wrong passwords at once (as from several hubs): five are counted, one lock."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_: int) -> int:
        with console.client() as client:
            return console.login(client, "alice", "wrong password!").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(attempt, range(8)))
    assert statuses == [401] * 4 + [429] * 4, statuses
    actions = [e.action for e in console.audit()]
    assert actions.count("login_locked") == 1 and actions.count("login_failed") == 8


def test_a_consultant_retired_by_their_bundle_is_signed_out(console: Console) -> None:
    with console.client() as client:
        console.login(client, "maple-chen")
        assert client.get("/console/login").headers.get("location") == "/console/"  # signed in already
        with transaction(console.sessions) as session:
            accounts.find(session, "maple-chen").active = False
        assert not _signed_in(client)
        assert console.login(client, "maple-chen").status_code == 401
