"""Every door of the hub refuses a caller without credentials, except the health check.

The routes are read from the app itself (mounted apps included), built as deployed with Telegram
in webhook mode, so a route added later is checked without anyone listing it here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.routing import BaseRoute, Host, Mount, Route, WebSocketRoute

from bot.hub.app import create_app
from careline.secrets import secret
from tests.bot.conftest import telegram_api  # noqa: F401  (fixture)
from tests.bot.hub.conftest import api_settings
from tests.standins.telegram_api import TelegramAPI

PUBLIC = {("GET", "/healthz"), ("HEAD", "/healthz")}
REFUSED = {401, 403, 404, 405}
#: a well-formed body for every method that takes one, so a route is refused for who calls it,
#: not for what it was sent
MESSAGE = {"channel": "terminal", "conversation": "routes", "text": "hello", "language": "en"}
UPDATE = {"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 4242, "type": "private"},
                                      "from": {"id": 4242, "is_bot": False, "first_name": "M"}, "text": "/start"}}


@dataclass(frozen=True)
class Door:
    method: str
    path: str


def doors(routes: list[BaseRoute], prefix: str = "") -> Iterator[Door]:
    """Every (method, path) the routes serve; path parameters get a placeholder value."""
    for route in routes:
        if isinstance(route, Route):
            path = prefix + route.path_format.replace("{", "").replace("}", "")
            for method in sorted(route.methods or {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}):
                yield Door(method, path)
        elif isinstance(route, Mount | Host):
            inner = getattr(route, "routes", None) or []
            base = prefix + (route.path if isinstance(route, Mount) else "")
            if inner:
                yield from doors(list(inner), base)
            else:
                for method in ("GET", "POST"):
                    yield Door(method, f"{base}/anything")
        elif isinstance(getattr(route, "original_router", None), APIRouter):
            # FastAPI (0.16x) keeps an included router as one entry: its routes are served under its prefix
            yield from doors(list(route.original_router.routes), prefix + route.include_context.prefix)
        elif isinstance(route, WebSocketRoute):
            pytest.fail(f"websocket route {route.path}: add an unauthenticated websocket check to this test")
        else:
            pytest.fail(f"a route of a kind this test does not know: {route!r}; teach the test to call it")


@pytest.fixture
def deployed(maple_committing: Engine, tmp_path: Path,
             telegram_api: TelegramAPI) -> Iterator[tuple[FastAPI, TestClient]]:  # noqa: F811
    settings = api_settings(maple_committing, tmp_path, telegram_api, telegram_mode="webhook",
                            telegram_webhook_url="http://127.0.0.1:9/telegram/webhook",
                            telegram_webhook_secret="route-test-secret")
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.settings = settings  # type: ignore[attr-defined]
        yield app, client


def _call(client: TestClient, door: Door, headers: dict[str, str]) -> httpx.Response:
    body = UPDATE if door.path.startswith("/telegram") else MESSAGE
    content = json.dumps(body) if door.method in ("POST", "PUT", "PATCH", "DELETE") else None
    return client.request(door.method, door.path, content=content,
                          headers={"Content-Type": "application/json", **headers})


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_route_refuses_an_unauthenticated_request(deployed: tuple[FastAPI, TestClient]) -> None:
    app, client = deployed
    found = list(doors(app.routes))
    paths = {d.path for d in found}
    assert {"/healthz", "/api/messages", "/telegram/webhook"} <= paths, paths
    wrong = {"Authorization": "Bearer not-a-token", "X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
    for door in found:
        if (door.method, door.path) in PUBLIC:
            assert _call(client, door, {}).status_code == 200
            continue
        for headers in ({}, wrong):
            response = _call(client, door, headers)
            assert response.status_code in REFUSED, (door, headers, response.status_code, response.text[:300])
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_doors_open_with_the_right_credentials(deployed: tuple[FastAPI, TestClient]) -> None:
    """The refusals above are for the caller, not a route that refuses everyone."""
    _app, client = deployed
    settings = client.settings  # type: ignore[attr-defined]
    token = secret("channel_terminal", settings)
    message = _call(client, Door("POST", "/api/messages"), {"Authorization": f"Bearer {token}"})
    assert message.status_code == 200, message.text
    update = _call(client, Door("POST", "/telegram/webhook"), {"X-Telegram-Bot-Api-Secret-Token": "route-test-secret"})
    assert update.status_code == 200, update.text


def test_api_docs_are_off_unless_a_setting_turns_them_on(tmp_path: Path) -> None:
    from careline.settings import Settings

    base = {"database_url": f"sqlite:///{tmp_path}/none.db", "var_dir": tmp_path}
    closed = TestClient(create_app(Settings(**base)))
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert closed.get(path).status_code == 404, path
    opened = TestClient(create_app(Settings(**base, hub_api_docs=True)))
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert opened.get(path).status_code == 200, path
    document = opened.get("/openapi.json").json()
    body = document["paths"]["/api/messages"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "#/$defs/" not in json.dumps(document) and "choice" in body["properties"]["kind"]["enum"]
    assert set(body["required"]) == {"conversation"}


def test_telegram_has_no_door_in_polling_mode(tmp_path: Path) -> None:
    from careline.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/none.db", var_dir=tmp_path,
                              telegram_token="123:abc", telegram_mode="polling"))
    assert "/telegram/webhook" not in {d.path for d in doors(app.routes)}
    assert TestClient(app).post("/telegram/webhook", json=UPDATE).status_code == 404


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_webhook_refuses_bad_bodies_in_both_languages(deployed: tuple[FastAPI, TestClient]) -> None:
    _app, client = deployed
    limit = client.settings.hub_max_body_bytes  # type: ignore[attr-defined]
    secret_header = {"X-Telegram-Bot-Api-Secret-Token": "route-test-secret"}
    for content, status, code in ((b'{"update_id": ', 400, "invalid_json"), (b"[1, 2]", 422, "invalid_body"),
                                  (b'{"update_id": 1, "x": "' + b"y" * limit + b'"}', 413, "too_large")):
        response = client.post("/telegram/webhook", content=content, headers=secret_header)
        assert response.status_code == status and response.json()["error"] == code, response.text
        assert response.json()["message"]["zh"] and response.json()["message"]["en"]
