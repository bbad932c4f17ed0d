"""A real Rasa server and a real action server on free local ports, over a database imported
from the sample bundles and from a district the model never saw in training (maple-town)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from careline.engine import ENGINE_VENV, model_path
from careline.paths import SAMPLE_BUNDLES
from careline.stack import Stack
from knowledge import db
from knowledge.bundle import import_path
from tests.conftest import MAPLE

Servers = Stack


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def tracker(servers: Stack, sender: str) -> dict[str, Any]:
    return httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", timeout=30).json()


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (ENGINE_VENV / "bin" / "rasa").exists() or not model_path().exists():
        pytest.fail(f"the engine venv and a trained model are needed: run `make model` ({model_path()})")
    tmp = tmp_path_factory.mktemp("dialogue")
    database_url = f"sqlite:///{tmp / 'careline.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    for bundle in (SAMPLE_BUNDLES, MAPLE):
        result = import_path(db.session_factory(engine), bundle, dt.date.today())
        assert result.ok, [p.say("en") for p in result.problems]
    engine.dispose()
    stack = Stack(tmp, database_url).start()
    yield stack
    stack.stop()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"
