"""Stored channel updates and leases, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from knowledge import db, inbox, leases
from knowledge.models import ChannelUpdate

LEASE = dt.timedelta(seconds=60)
T0 = dt.datetime(2026, 11, 23, 8, 0)


def test_an_update_delivered_twice_is_stored_once_and_an_old_number_reused_is_new(empty_engine: Engine) -> None:
    sessions = db.session_factory(empty_engine)
    with db.transaction(sessions) as session:
        first = inbox.store(session, "telegram", [("1:10", {"n": 1}), ("1:11", {"n": 2})], LEASE, now=T0)
    with db.transaction(sessions) as session:
        again = inbox.store(session, "telegram", [("1:11", {"n": 2}), ("1:12", {"n": 3})], LEASE, now=T0)
    assert [r.external_id for r in first] == ["1:10", "1:11"] and [r.external_id for r in again] == ["1:12"]
    with db.transaction(sessions) as session:
        inbox.mark_done(session, first[0].id, now=T0)
    later = T0 + inbox.REDELIVERY_WINDOW + dt.timedelta(hours=1)
    with db.transaction(sessions) as session:
        reused = inbox.store(session, "telegram", [("1:10", {"n": 4}), ("1:11", {"n": 5})], LEASE, now=later)
    assert [(r.external_id, r.payload) for r in reused] == [("1:10", {"n": 4})], \
        "a handled update's number may come back days later; one never handled is still that update"
    assert reused[0].id != first[0].id
    with db.transaction(sessions) as session:
        inbox.mark_done(session, reused[0].id, now=later)
        assert inbox.forget(session, "telegram", now=later) == 0, "kept while Telegram may send it again"
        assert inbox.forget(session, "telegram", now=later + inbox.REDELIVERY_WINDOW * 2) == 1, \
            "what people wrote is not kept once handled; an update never handled is"


def test_a_failed_or_abandoned_update_is_claimed_again_once(empty_engine: Engine) -> None:
    sessions = db.session_factory(empty_engine)
    with db.transaction(sessions) as session:
        failed, abandoned, busy = inbox.store(session, "telegram", [("a", {}), ("b", {}), ("c", {})], LEASE, now=T0)
        inbox.mark_failed(session, failed.id, "OperationalError", T0 + dt.timedelta(seconds=5))
    with db.transaction(sessions) as session:
        assert inbox.claim_due(session, "telegram", LEASE, now=T0 + dt.timedelta(seconds=1)) == []
        due = inbox.claim_due(session, "telegram", LEASE, now=T0 + dt.timedelta(seconds=61), exclude=[busy.id])
        assert [r.external_id for r in due] == ["a", "b"] and [r.attempts for r in due] == [2, 2]
        assert inbox.claim_due(session, "telegram", LEASE, now=T0 + dt.timedelta(seconds=62),
                               exclude=[busy.id]) == [], "claimed once"
        inbox.mark_failed(session, abandoned.id, "gave up", None)
        inbox.release(session, [due[0].id, abandoned.id], now=T0 + dt.timedelta(seconds=63))
        assert [r.external_id for r in inbox.claim_due(session, "telegram", LEASE, now=T0 + dt.timedelta(seconds=63),
                                                       exclude=[busy.id])] == ["a"], \
            "a stopping hub's update is due at once, not when its lease ends; one given up stays given up"
    with sessions() as session:
        assert session.get(ChannelUpdate, abandoned.id).status == inbox.FAILED


def test_one_holder_of_a_lease_until_it_runs_out(empty_engine: Engine) -> None:
    sessions = db.session_factory(empty_engine)
    with db.transaction(sessions) as session:
        assert leases.hold(session, "telegram.polling", "hub-a", LEASE, now=T0)
        assert not leases.hold(session, "telegram.polling", "hub-b", LEASE, now=T0 + dt.timedelta(seconds=30))
        assert leases.hold(session, "telegram.polling", "hub-a", LEASE, now=T0 + dt.timedelta(seconds=50))
        assert not leases.hold(session, "telegram.polling", "hub-b", LEASE, now=T0 + dt.timedelta(seconds=100)), \
            "renewed at 50 s, so it holds until 110 s"
        assert leases.hold(session, "telegram.polling", "hub-b", LEASE, now=T0 + dt.timedelta(seconds=111)), \
            "hub-a died: hub-b takes over"
        assert not leases.hold(session, "telegram.polling", "hub-a", LEASE, now=T0 + dt.timedelta(seconds=112))
