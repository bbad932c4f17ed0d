"""What a consultant does to a conversation, on SQLite and PostgreSQL: claim (raced by threads),
say, note, hand back, resolve, transfer; district scoping; an audit record for every action."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from sqlalchemy import event, select

from bot.console.service import Claimed, Refused, Taken
from bot.hub.messages import Inbound
from knowledge.actors import Actor
from knowledge.audit import records_of
from knowledge.handoffs import Urgency
from knowledge.models import Conversation, Handoff, Message, OutboxMessage
from tests.bot.console.conftest import Desk

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def refused(coroutine: Coroutine[Any, Any, Any]) -> Refused:
    with pytest.raises(Refused) as caught:
        run(coroutine)
    return caught.value


def actions(desk: Desk, conversation_id: int) -> list[tuple[int | None, str]]:
    with desk.sessions() as session:
        return [(r.consultant_id, r.action) for r in records_of(session, conversation_id)]


def test_consultants_racing_to_claim_one_wins_and_the_others_are_told_who(desk: Desk) -> None:
    names = ["王芳", "李强", "陈静", "赵磊", "周敏"]
    actors = [desk.consultant(name) for name in names]
    for _ in range(4):
        conversation_id, _ = desk.waiting()
        barrier = threading.Barrier(len(actors))
        results: dict[int, Claimed | Refused] = {}

        def press(actor: Actor, conversation_id: int = conversation_id, barrier: threading.Barrier = barrier,
                  results: dict[int, Claimed | Refused] = results) -> None:
            barrier.wait()
            try:
                results[actor.consultant_id] = run(desk.service.claim(conversation_id, actor))
            except Refused as refusal:
                results[actor.consultant_id] = refusal

        threads = [threading.Thread(target=press, args=(actor,)) for actor in actors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        winners = [c for c, r in results.items() if isinstance(r, Claimed)]
        assert len(results) == len(actors) and len(winners) == 1, results
        winner = winners[0]
        losers = [r for r in results.values() if not isinstance(r, Claimed)]
        assert all(isinstance(r, Taken) and r.consultant_id == winner for r in losers), losers
        winner_name = names[[a.consultant_id for a in actors].index(winner)]
        assert {r.say("zh") for r in losers} == {f"{winner_name}已经接手了这个对话。"}
        assert {r.say("en") for r in losers} == {f"{winner_name} has already taken this conversation."}
        with desk.sessions() as session:
            handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
            assert (handoff.status, handoff.consultant_id) == ("taken", winner)
            assert session.get(Conversation, conversation_id).assignee_id == winner
        assert actions(desk, conversation_id) == [(winner, "claim")]
        again = run(desk.service.claim(conversation_id, next(a for a in actors if a.consultant_id == winner)))
        assert again.already, "pressing claim twice is not an error"


def test_a_reply_reaches_a_same_breath_channel_once_and_a_note_never_does(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = desk.waiting(channel="cli")
    run(desk.service.claim(conversation_id, actor))
    said = run(desk.service.say(conversation_id, actor, "  您好，我是王芳，我来帮您。 "))
    noted = run(desk.service.note(conversation_id, actor, "老人听力不好，说慢一点"))
    assert [r.text for r in run(desk.hub.pending("cli", name))] == ["您好，我是王芳，我来帮您。"]
    assert run(desk.hub.pending("cli", name)) == [], "handed out once"
    with desk.sessions() as session:
        rows = {m.id: (m.sender, m.text) for m in session.scalars(select(Message).where(
            Message.conversation_id == conversation_id))}
        queued = session.scalars(select(OutboxMessage.body).where(OutboxMessage.conversation_id == conversation_id))
        assert rows[said] == ("consultant", "您好，我是王芳，我来帮您。") and rows[noted][0] == "note"
        assert [b["text"] for b in queued] == ["您好，我是王芳，我来帮您。"], "the note is not queued"
    assert actions(desk, conversation_id) == [(actor.consultant_id, a) for a in ("claim", "say", "note")]
    assert refused(desk.service.say(conversation_id, actor, "   ")).code == "empty_text"
    assert refused(desk.service.say(conversation_id, actor, "长" * 2001)).status == 422


def test_only_the_consultant_holding_a_conversation_speaks_hands_back_or_resolves(desk: Desk) -> None:
    holder, colleague = desk.consultant("王芳"), desk.consultant("李强")
    conversation_id, _ = desk.waiting()
    assert refused(desk.service.say(conversation_id, holder, "您好")).code == "not_yours", "claim first"
    run(desk.service.claim(conversation_id, holder))
    for attempt in (desk.service.say(conversation_id, colleague, "您好"),
                    desk.service.hand_back(conversation_id, colleague),
                    desk.service.resolve(conversation_id, colleague, "answered"),
                    desk.service.transfer(conversation_id, colleague, colleague.consultant_id)):
        refusal = refused(attempt)
        assert (refusal.code, refusal.status) == ("not_yours", 409)
    run(desk.service.note(conversation_id, colleague, "我认识这位老人"))  # a colleague may add a note
    assert actions(desk, conversation_id) == [(holder.consultant_id, "claim"), (colleague.consultant_id, "note")]


def test_another_districts_conversation_is_out_of_reach_but_an_administrator_reaches_it(desk: Desk) -> None:
    other = desk.other_district()
    outsider, admin = desk.consultant("外区", district_id=other), desk.consultant("管理员", is_admin=True)
    conversation_id, _ = desk.waiting()
    for attempt in (desk.service.claim(conversation_id, outsider), desk.service.note(conversation_id, outsider, "x"),
                    desk.service.say(conversation_id, outsider, "x")):
        refusal = refused(attempt)
        assert (refusal.code, refusal.status) == ("not_found", 404)
        assert "区县" in refusal.say("zh") and "district" in refusal.say("en")
    assert actions(desk, conversation_id) == []
    assert not run(desk.service.claim(conversation_id, admin)).already


def test_a_handed_back_conversation_goes_to_the_bot_and_the_person_is_told(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = desk.waiting(channel="cli", language="en")
    run(desk.service.claim(conversation_id, actor))
    run(desk.service.hand_back(conversation_id, actor))
    told = run(desk.hub.pending("cli", name))
    assert [r.text for r in told] == ["The member of staff has handed you back to me, the assistant. You can "
                                      "carry on; say \"talk to a person\" to reach staff again."]
    with desk.sessions() as session:
        conversation = session.get(Conversation, conversation_id)
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert (conversation.status, conversation.assignee_id, handoff.status) == ("pending", None, "handed_back")
        assert handoff.closed_at is not None
    replies = run(desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text="hello again",
                                          language="en")))
    assert [r.role for r in replies] == ["holding"], "the engine is asked (and is down here), not the consultants"
    assert actions(desk, conversation_id) == [(actor.consultant_id, "claim"), (actor.consultant_id, "hand_back")]
    assert refused(desk.service.say(conversation_id, actor, "还在吗")).code == "not_yours"


def test_a_resolved_conversation_that_hears_from_the_person_goes_to_the_bot(desk: Desk) -> None:
    actor = desk.consultant()
    conversation_id, name = desk.waiting(channel="cli")
    run(desk.service.claim(conversation_id, actor))
    refusal = refused(desk.service.resolve(conversation_id, actor, "whatever"))
    assert refusal.status == 422 and "answered" in refusal.say("en")
    run(desk.service.resolve(conversation_id, actor, "answered"))
    with desk.sessions() as session:
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert session.get(Conversation, conversation_id).status == "resolved"
        assert (handoff.status, handoff.outcome) == ("resolved", "answered")
    replies = run(desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text="你好")))
    assert [r.role for r in replies] == ["satisfaction", "holding"], [r.text for r in replies]
    with desk.sessions() as session:
        assert session.get(Conversation, conversation_id).status == "pending"
    assert actions(desk, conversation_id)[-1] == (actor.consultant_id, "resolve")


def test_a_conversation_is_transferred_within_its_district(desk: Desk) -> None:
    holder, colleague = desk.consultant("王芳"), desk.consultant("李强")
    outsider = desk.consultant("外区", district_id=desk.other_district())
    conversation_id, _ = desk.waiting()
    run(desk.service.claim(conversation_id, holder))
    assert refused(desk.service.transfer(conversation_id, holder, outsider.consultant_id)).code == "unknown_consultant"
    assert refused(desk.service.transfer(conversation_id, holder, 10**9)).code == "unknown_consultant"
    run(desk.service.transfer(conversation_id, holder, colleague.consultant_id))
    assert refused(desk.service.say(conversation_id, holder, "您好")).code == "not_yours"
    run(desk.service.say(conversation_id, colleague, "您好，我是李强"))
    with desk.sessions() as session:
        assert session.get(Conversation, conversation_id).assignee_id == colleague.consultant_id
        records = records_of(session, conversation_id)
        assert [(r.action, r.detail) for r in records][1] == ("transfer", {"to": colleague.consultant_id})


def test_the_queue_puts_emergencies_first_then_the_longest_waiting_of_the_actors_districts(desk: Desk) -> None:
    actor, outsider = desk.consultant(), desk.consultant("外区", district_id=desk.other_district())
    first, _ = desk.waiting(elder="li")
    urgent, _ = desk.waiting(urgency=Urgency.EMERGENCY, channel="telegram")
    second, _ = desk.waiting()
    taken, _ = desk.waiting()
    run(desk.service.claim(taken, actor))
    rows = run(desk.service.queue(actor))
    mine = [r.conversation_id for r in rows if r.conversation_id in (first, urgent, second, taken)]
    assert mine == [urgent, first, second], "emergency first, then oldest; a taken one is not waiting"
    row = next(r for r in rows if r.conversation_id == first)
    assert (row.channel, row.reason, row.district_key, row.elder_name is not None) == ("cli", "requested",
                                                                                      "maple-town", True)
    assert run(desk.service.queue(outsider)) == []
    held = run(desk.service.queue(actor, ("taken",)))
    assert [(r.conversation_id, r.consultant_id) for r in held] == [(taken, actor.consultant_id)]


def test_the_queue_is_read_in_one_query_however_long_it_is(desk: Desk) -> None:
    """The live console reads it again whenever it changes, for every consultant watching."""
    actor = desk.consultant("王芳")
    statements: list[str] = []
    engine = desk.sessions.kw["bind"]

    def count(*args: Any) -> None:
        statements.append(args[2])

    lengths, reads = [], []
    for more in (2, 10):
        for n in range(more):
            conversation_id, _ = desk.waiting(elder="li" if n % 2 else None)
            if n == 0:
                run(desk.service.claim(conversation_id, actor))
        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = run(desk.service.queue(actor, ("waiting", "taken")))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        lengths.append(len(rows))
        reads.append(sum(s.lstrip().upper().startswith("SELECT") for s in statements))
        statements.clear()
    assert (lengths, reads) == ([2, 12], [1, 1])
    row = next(r for r in rows if r.elder_name is not None and r.consultant_id is None)
    assert (row.district_key, row.district_name["en"], row.status) == ("maple-town", "Maple Town", "waiting")
    held = next(r for r in rows if r.consultant_id is not None)
    assert held.consultant_name == "王芳" and held.status == "taken"


def test_a_conversation_screen_has_the_transcript_the_profile_and_is_audited(desk: Desk) -> None:
    actor, outsider = desk.consultant(), desk.consultant("外区", district_id=desk.other_district())
    conversation_id, name = desk.waiting(elder="li", language="en")
    run(desk.service.claim(conversation_id, actor))
    run(desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text="<script>hi</script>",
                                language="en")))
    run(desk.service.say(conversation_id, actor, "Hello, I am here"))
    run(desk.service.note(conversation_id, actor, "call her daughter"))
    view = run(desk.service.conversation(conversation_id, actor, "en"))
    assert [(line.sender, line.text) for line in view.transcript if line.sender != "system"] == [
        ("user", "<script>hi</script>"), ("consultant", "Hello, I am here"), ("note", "call her daughter")]
    assert view.handoff is not None and view.handoff.consultant_id == actor.consultant_id
    assert view.profile is not None and view.profile.qualifies and view.profile.age is not None
    assert all(q.verdict in ("eligible", "not_eligible", "unknown") for q in view.profile.qualifies)
    assert view.slots == {}, "the engine is not running here: no slots, no error"
    assert refused(desk.service.conversation(conversation_id, outsider, "en")).code == "not_found"
    assert actions(desk, conversation_id)[-1] == (actor.consultant_id, "view")
