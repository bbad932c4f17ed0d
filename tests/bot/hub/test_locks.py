"""Conversation locks in a shared Redis: one database's conversation waits for its own holder only."""

from __future__ import annotations

import asyncio
import time
import uuid

from bot.hub.locks import conversation_locks

REDIS = "redis://127.0.0.1:6379/0"


def _database(name: str) -> str:
    return f"postgresql+psycopg://careline:secret@127.0.0.1:5432/{name}"


def test_the_same_conversation_id_of_two_databases_sharing_redis_is_two_locks() -> None:
    first_db, second_db = _database(f"a{uuid.uuid4().hex}"), _database(f"b{uuid.uuid4().hex}")

    async def scenario() -> tuple[bool, float, bool]:
        holder = conversation_locks(REDIS, first_db, wait=2.0)
        other = conversation_locks(REDIS, second_db, wait=2.0)
        same = conversation_locks(REDIS, first_db, wait=0.3)
        async with holder.hold(7) as held:
            started = time.monotonic()
            async with other.hold(7) as other_held:
                waited = time.monotonic() - started
            async with same.hold(7) as same_held:
                pass
        return held and other_held, waited, same_held

    both, waited, same_held = asyncio.run(scenario())
    assert both and waited < 0.25, "another database's conversation 7 is not held up"
    assert not same_held, "the same database's conversation 7 waits for its holder (and goes on without it)"


def test_the_password_is_not_part_of_the_name() -> None:
    with_password = conversation_locks(REDIS, "postgresql+psycopg://u:one@h/db")
    other_password = conversation_locks(REDIS, "postgresql+psycopg://u:two@h/db")
    assert with_password.prefix == other_password.prefix and "one" not in with_password.prefix
