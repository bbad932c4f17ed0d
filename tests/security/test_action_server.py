"""The action server runs actions for Rasa only: a call without the shared secret is refused
and books nothing (a real ``python -m careline.action_server`` over a real database)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from careline import clock
from careline.paths import PROJECT_ROOT
from careline.stack import free_port, wait_http
from knowledge import db
from knowledge.bundle import import_path
from knowledge.models import Activity, ActivitySession, Booking, District
from tests.conftest import MAPLE

TOKEN = "the-action-server-secret-of-this-test"


@dataclass
class ActionServer:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ActionServer]:
    tmp = tmp_path_factory.mktemp("action-server")
    database_url = f"sqlite:///{tmp / 'careline.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), MAPLE, clock.local_today()).ok  # sessions in the weeks ahead
    engine.dispose()
    port = free_port()
    env = {**os.environ, "CARELINE_DATABASE_URL": database_url, "CARELINE_VAR_DIR": str(tmp),
           "CARELINE_SECRET_ACTION_SERVER": TOKEN, "PYTHONUNBUFFERED": "1"}
    log = tmp / "actions.log"
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "careline.action_server", "--actions", "actions",
                                    "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=PROJECT_ROOT)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", process, 90, log)
        yield ActionServer(f"http://127.0.0.1:{port}", database_url)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _bookings(server: ActionServer) -> int:
    engine = db.make_engine(server.database_url)
    try:
        with db.session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Booking)) or 0
    finally:
        engine.dispose()


def _a_session_days_ahead(server: ActionServer) -> int:
    """An open activity session of the fixture district at least two days from now."""
    engine = db.make_engine(server.database_url)
    try:
        with db.session_factory(engine)() as session:
            found = session.scalar(
                select(ActivitySession.id).join(Activity).join(District)
                .where(District.key == "maple-town", ActivitySession.active.is_(True),
                       ActivitySession.starts_at > clock.local_now() + dt.timedelta(days=2),
                       ActivitySession.booked < ActivitySession.capacity)
                .order_by(ActivitySession.starts_at))
    finally:
        engine.dispose()
    assert found is not None
    return found


def _yes_to_a_booking(session_id: int, sender: str) -> dict[str, Any]:
    """What Rasa sends when Wang says yes to a read-back activity booking."""
    slots = {"elder_key": "wang", "district_key": "maple-town", "language": "en",
             "pending": {"kind": "activity", "session_id": session_id}}
    return {"next_action": "action_affirm", "sender_id": sender, "version": "3.6.21", "domain": {},
            "tracker": {"sender_id": sender, "slots": slots, "events": [], "paused": False,
                        "latest_message": {"text": "yes", "intent": {"name": "affirm"}, "entities": []},
                        "latest_action_name": "action_listen", "active_loop": {}, "followup_action": None}}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}],
                         ids=["no token", "wrong token", "no bearer scheme"])
def test_a_yes_without_the_secret_is_refused_and_books_nothing(action_server: ActionServer,
                                                               headers: dict[str, str]) -> None:
    before = _bookings(action_server)
    call = _yes_to_a_booking(_a_session_days_ahead(action_server), "intruder")
    response = httpx.post(f"{action_server.url}/webhook", json=call, headers=headers, timeout=30)
    assert response.status_code == 401
    assert "events" not in response.text
    assert _bookings(action_server) == before


def test_the_token_as_query_parameter_is_refused(action_server: ActionServer) -> None:
    call = _yes_to_a_booking(_a_session_days_ahead(action_server), "intruder")
    response = httpx.post(f"{action_server.url}/webhook", params={"token": TOKEN}, json=call, timeout=30)
    assert response.status_code == 401


def test_the_same_yes_from_rasa_books(action_server: ActionServer) -> None:
    """The refused call above is one that books: with the secret, it does."""
    before = _bookings(action_server)
    call = _yes_to_a_booking(_a_session_days_ahead(action_server), "rasa")
    response = httpx.post(f"{action_server.url}/webhook", json=call,
                          headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 200, response.text
    assert _bookings(action_server) == before + 1


def test_the_action_list_needs_the_secret_and_health_does_not(action_server: ActionServer) -> None:
    assert httpx.get(f"{action_server.url}/actions", timeout=10).status_code == 401
    listed = httpx.get(f"{action_server.url}/actions", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert listed.status_code == 200 and {"name": "action_affirm"} in listed.json()
    assert httpx.get(f"{action_server.url}/health", timeout=10).json() == {"status": "ok"}


def test_it_listens_on_the_loopback_interface_by_default(action_server: ActionServer) -> None:
    """No ``--host`` given: CARELINE_ACTION_SERVER_HOST's default, 127.0.0.1 (rasa-sdk's is 0.0.0.0)."""
    port = int(action_server.url.rsplit(":", 1)[1])
    listening = Path("/proc/net/tcp").read_text().splitlines()[1:]
    local = {line.split()[1] for line in listening if line.split()[3] == "0A"}  # state LISTEN
    assert f"0100007F:{port:04X}" in local
    assert f"00000000:{port:04X}" not in local
