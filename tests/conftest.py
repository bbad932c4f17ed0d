"""Shared fixtures: every database test runs on SQLite and on the PostgreSQL of the machine."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from careline import catalogue, clock
from careline.engine import ENGINE_VENV, model_path
from careline.paths import SAMPLE_BUNDLES
from careline.stack import Stack
from knowledge import db
from knowledge.bundle import import_path

catalogue.strict = True  # an unknown text key or a missing placeholder fails the test that says it

FIXTURES = Path(__file__).parent / "fixtures"
MAPLE = FIXTURES / "bundles" / "maple-town"
# A district the dialogue model never saw, for finding names (tests/dialogue/test_names.py).
YULIN = FIXTURES / "bundles" / "yulin-subdistrict"
PG_ADMIN_URL = os.environ.get("CARELINE_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# A fixed "today" keeps the generated sessions and ages of the fixture bundle stable.
TODAY = dt.date(2026, 11, 23)  # a Monday
NOW = dt.datetime(2026, 11, 23, 8, 0)

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


class Databases:
    """Creates throw-away databases for one test run and drops them at the end."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.pg_names: list[str] = []
        self._admin: Engine | None = None

    def new_url(self, backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{self.tmp / f'{uuid.uuid4().hex[:12]}.db'}"
        if self._admin is None:
            self._admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"careline_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.pg_names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as connection:
            for name in self.pg_names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def empty_engine(databases: Databases, backend: str) -> Iterator[Engine]:
    """A new, migrated, empty database of each backend."""
    engine = db.make_engine(databases.new_url(backend))
    db.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def maple_engine(request: pytest.FixtureRequest, databases: Databases) -> Iterator[Engine]:
    """One database per backend with the fixture district imported, shared by read-only tests
    and by tests that roll back (``maple`` fixture)."""
    engine = db.make_engine(databases.new_url(request.param))
    db.upgrade(engine)
    result = import_path(db.session_factory(engine), MAPLE, TODAY)
    assert result.ok, [p.say("en") for p in result.problems]
    yield engine
    engine.dispose()


@pytest.fixture
def maple(maple_engine: Engine) -> Iterator[Session]:
    """A session on the fixture district whose changes are rolled back after the test."""
    connection = maple_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield session
    session.close()
    outer.rollback()
    connection.close()


@pytest.fixture
def maple_committing(databases: Databases, backend: str) -> Iterator[Engine]:
    """A private copy of the fixture district for tests whose transactions really commit."""
    engine = db.make_engine(databases.new_url(backend))
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), MAPLE, TODAY).ok
    yield engine
    engine.dispose()


def dialogue_clock_start() -> dt.datetime:
    """Where the servers' clock starts: ``CARELINE_TEST_CLOCK_START`` (a local wall time, to replay
    a day), else 10:00 today in the districts' time zone, far from midnight, so a date a test
    works out and the date the assistant reads back are the same day."""
    configured = os.environ.get("CARELINE_TEST_CLOCK_START")
    if configured:
        return dt.datetime.fromisoformat(configured)
    return dt.datetime.combine(clock.local_today(), dt.time(10, 0))


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (ENGINE_VENV / "bin" / "rasa").exists() or not model_path().exists():
        pytest.fail(f"the engine venv and a trained model are needed: run `make model` ({model_path()})")
    tmp = tmp_path_factory.mktemp("dialogue")
    database_url = f"sqlite:///{tmp / 'careline.db'}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    start = dialogue_clock_start()
    for bundle in (SAMPLE_BUNDLES, MAPLE, YULIN):
        result = import_path(db.session_factory(engine), bundle, start.date())
        assert result.ok, [p.say("en") for p in result.problems]
    engine.dispose()
    stack = Stack(tmp, database_url, clock_start=start).start()
    yield stack
    stack.stop()


def _starts_engines(item: pytest.Item) -> bool:
    return "servers" in getattr(item, "fixturenames", ()) or any(
        item.get_closest_marker(name) for name in ("dialogue", "browser"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Files marked ``long`` run first, then files that start the dialogue engine or a browser.
    ``make test`` hands whole files to two workers in this order (pytest-xdist, ``--dist loadfile
    --no-loadscope-reorder``), so no worker is left with a long file at the end."""
    def file_of(item: pytest.Item) -> str:
        return item.nodeid.split("::")[0]

    long = {file_of(item) for item in items if item.get_closest_marker("long")}
    heavy = {file_of(item) for item in items if _starts_engines(item)}
    items.sort(key=lambda item: (file_of(item) not in long, file_of(item) not in heavy))
