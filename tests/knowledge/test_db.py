"""Sessions that only read (``knowledge.db.reading``), on both databases: on SQLite they take no
write lock, so readers do not wait for one another (every other session does, from its start)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select

from knowledge import db
from knowledge.models import District


def test_readers_do_not_wait_for_one_another(empty_engine: Engine) -> None:
    sessions = db.session_factory(empty_engine)
    took: list[float] = []

    def second_reader() -> None:
        started = time.monotonic()
        with db.reading(sessions) as session:
            session.scalar(select(func.count()).select_from(District))
        took.append(time.monotonic() - started)

    with db.reading(sessions) as first:
        assert first.scalar(select(func.count()).select_from(District)) == 0
        reader = threading.Thread(target=second_reader)
        reader.start()
        reader.join(30)
        assert took and took[0] < 2.0, took  # a second BEGIN IMMEDIATE would wait its whole busy timeout (10 s)


def test_a_reading_session_refuses_to_write(empty_engine: Engine) -> None:
    sessions = db.session_factory(empty_engine)
    with pytest.raises(RuntimeError), db.reading(sessions) as session:
        session.add(District(key="x", kind="urban", name={"en": "X"}, city={}, description={}, timezone="UTC",
                             emergency_number="120", emergency_advice={}, latitude=0.0, longitude=0.0,
                             bundle_version="test"))
        session.flush()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(District)) == 0
