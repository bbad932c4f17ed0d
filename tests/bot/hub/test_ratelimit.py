"""Per-person limits, counted in memory for one hub or in the machine's Redis for several."""

from __future__ import annotations

import uuid

import pytest

from bot.hub.ratelimit import RateLimiter


@pytest.mark.parametrize("storage", ["memory://", "redis://127.0.0.1:6379"])
def test_a_person_is_limited_and_told_once(storage: str) -> None:
    limiter = RateLimiter("3 per 10 seconds", storage)
    person = f"telegram:{uuid.uuid4().hex}"
    assert [limiter.allow(person) for _ in range(5)] == [True, True, True, False, False]
    assert limiter.allow(f"telegram:{uuid.uuid4().hex}"), "someone else is not held back"
    assert [limiter.should_tell(person) for _ in range(3)] == [True, False, False]


def test_hubs_sharing_redis_share_the_count() -> None:
    first, second = (RateLimiter("4 per 10 seconds", "redis://127.0.0.1:6379") for _ in range(2))
    person = f"telegram:{uuid.uuid4().hex}"
    assert [first.allow(person), second.allow(person), first.allow(person), second.allow(person)] == [True] * 4
    assert not first.allow(person) and not second.allow(person)
