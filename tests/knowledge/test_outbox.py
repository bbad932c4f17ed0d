import datetime as dt

from sqlalchemy.orm import Session

from knowledge import outbox
from knowledge.models import OutboxMessage, utcnow
from tests.conftest import NOW

LEASE = dt.timedelta(seconds=60)


def _body(text: str) -> dict[str, object]:
    return {"text": text, "buttons": []}


def test_enqueue_is_idempotent_by_key(maple: Session) -> None:
    first = outbox.enqueue(maple, "telegram", "1", _body("a"), dedupe_key="reply:1:0")
    assert first is not None
    assert outbox.enqueue(maple, "telegram", "1", _body("a"), dedupe_key="reply:1:0") is None
    assert outbox.waiting(maple, ["telegram"]) == 1


def test_one_address_is_served_in_order_and_claimed_once(maple: Session) -> None:
    a1 = outbox.enqueue(maple, "telegram", "1", _body("a1"))
    outbox.enqueue(maple, "telegram", "1", _body("a2"))
    b1 = outbox.enqueue(maple, "telegram", "2", _body("b1"))
    maple.flush()
    later = utcnow() + dt.timedelta(seconds=5)
    claimed = outbox.claim_due(maple, ["telegram"], LEASE, now=later)
    assert [r.id for r in claimed] == [a1.id, b1.id], "the second message to 1 waits for the first"
    assert outbox.claim_due(maple, ["telegram"], LEASE, now=later) == [], "claimed rows are not handed out twice"
    outbox.mark_failed(maple, a1.id, "NetworkError", later + dt.timedelta(seconds=30))
    outbox.mark_sent(maple, b1.id)
    assert outbox.claim_due(maple, ["telegram"], LEASE, now=later + dt.timedelta(seconds=1)) == [], \
        "a1 is not due yet and a2 must not overtake it"
    again = outbox.claim_due(maple, ["telegram"], LEASE, now=later + dt.timedelta(seconds=31))
    assert [r.id for r in again] == [a1.id] and again[0].attempts == 2


def test_a_lost_lease_makes_the_message_due_again_and_dead_ones_stop_blocking(maple: Session) -> None:
    row = outbox.enqueue(maple, "telegram", "3", _body("x"))
    nxt = outbox.enqueue(maple, "telegram", "3", _body("y"))
    maple.flush()
    start = utcnow() + dt.timedelta(seconds=5)
    assert [r.id for r in outbox.claim_due(maple, ["telegram"], LEASE, now=start)] == [row.id]
    assert [r.id for r in outbox.claim_due(maple, ["telegram"], LEASE, now=start + LEASE * 2)] == [row.id]
    outbox.mark_failed(maple, row.id, "Forbidden", None)
    maple.expire_all()
    assert maple.get(OutboxMessage, row.id).status == outbox.DEAD
    assert [r.id for r in outbox.claim_due(maple, ["telegram"], LEASE, now=start + LEASE * 3)] == [nxt.id]
    assert start > NOW
