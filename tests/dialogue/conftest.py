"""Helpers for talking to the real servers (the ``servers`` fixture lives in tests/conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from careline.stack import Stack

Servers = Stack


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def tracker(servers: Stack, sender: str) -> dict[str, Any]:
    return httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", params=servers.api_params,
                     timeout=30).json()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


class Elders:
    """Fresh copies of the fixture's elders, one per test, so that no test sees another's
    bookings (the servers and their database are shared by the whole session)."""

    def __init__(self, servers: Stack) -> None:
        self.servers = servers

    def new(self, like: str) -> str:
        from sqlalchemy import inspect, select

        from knowledge import db
        from knowledge.models import Elder

        engine = db.make_engine(self.servers.database_url)
        try:
            with db.transaction(db.session_factory(engine)) as session:
                template = session.scalars(select(Elder).where(Elder.key == like).order_by(Elder.id)).first()
                assert template is not None, like
                columns = {c.key: getattr(template, c.key) for c in inspect(Elder).column_attrs
                           if c.key not in ("id", "key")}
                key = f"{like}-{uuid.uuid4().hex[:8]}"
                session.add(Elder(key=key, **columns))
        finally:
            engine.dispose()
        return key


@pytest.fixture
def elders(servers: Stack) -> Elders:
    return Elders(servers)
