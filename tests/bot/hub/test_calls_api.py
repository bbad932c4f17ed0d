"""``POST /api/calls``, ``POST /api/calls/{id}/end`` and ``GET /api/conversations/{id}/state``: the
phone line's doors (real hub over HTTP, the fixture district on SQLite and PostgreSQL, no engine
needed)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from careline.secrets import LINK_CODES, secret
from knowledge import db
from knowledge.handoffs import ABANDONED, TAKEN, WAITING, Urgency, open_handoff, queue
from knowledge.links import code_hash
from knowledge.models import Consultant, Conversation, Handoff, LinkCode, Message, PhoneCall
from tests.bot.hub.conftest import ApiHub

ENDED = {"reason": "caller", "outcome": "handoff", "turns": 3}


def _post(hub: ApiHub, channel: str, body: object) -> httpx.Response:
    return httpx.post(f"{hub.url}/api/calls", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {hub.token(channel)}"})


def _end(hub: ApiHub, conversation: str, body: object = ENDED, channel: str = "phone") -> httpx.Response:
    return httpx.post(f"{hub.url}/api/calls/{conversation}/end", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {hub.token(channel)}"})


def _record(hub: ApiHub, conversation: str) -> PhoneCall | None:
    with hub.sessions() as session:
        return session.scalar(select(PhoneCall).join(Conversation, Conversation.id == PhoneCall.conversation_id)
                              .where(Conversation.external_id == conversation))


def _waiting_call(hub: ApiHub, name: str, urgency: Urgency) -> int:
    """A call that started and whose caller waits for a consultant; the hand-off's id."""
    assert _post(hub, "phone", {"conversation": name, "caller": ""}).status_code == 200
    with db.transaction(hub.sessions) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        reason = "emergency" if urgency == Urgency.EMERGENCY else "requested"
        return open_handoff(session, conversation, urgency, reason, "zh", "").id


def _handoff(hub: ApiHub, handoff_id: int) -> Handoff:
    with hub.sessions() as session:
        return session.get(Handoff, handoff_id)


def _transcript(hub: ApiHub, name: str) -> list[tuple[str, str]]:
    with hub.sessions() as session:
        return [(m.sender, m.kind) for m in session.scalars(
            select(Message).join(Conversation, Conversation.id == Message.conversation_id)
            .where(Conversation.external_id == name).order_by(Message.id))]


def _state(hub: ApiHub, conversation: str, channel: str = "phone") -> httpx.Response:
    return httpx.get(f"{hub.url}/api/conversations/{conversation}/state", timeout=10,
                     headers={"Authorization": f"Bearer {hub.token(channel)}"})


def test_a_call_from_an_elders_number_in_another_shape_is_bound_to_the_elder(api_hub: ApiHub) -> None:
    answer = _post(api_hub, "phone", {"conversation": "call-a", "caller": "+86 138-0000-1111"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"conversation": "call-a", "language": "zh", "known": True}
    wang = api_hub.elder("wang")
    with api_hub.sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == "call-a"))
        assert (conversation.channel, conversation.elder_id) == ("phone", wang)


def test_an_unknown_or_withheld_number_gets_the_default_language_and_no_elder(api_hub: ApiHub) -> None:
    for name, caller in (("call-b", "+1 555 0100"), ("call-c", ""), ("call-d", "not a number")):
        answer = _post(api_hub, "phone", {"conversation": name, "caller": caller})
        assert answer.status_code == 200 and answer.json()["known"] is False, answer.text
    with api_hub.sessions() as session:
        assert session.scalar(select(Conversation.elder_id).where(Conversation.external_id == "call-b")) is None


def test_a_calls_record_keeps_the_callers_number_to_call_back_in_one_shape(api_hub: ApiHub) -> None:
    for name, caller in (("call-n1", "138-0000-1111"), ("call-n2", "+1 (415) 555-0134"), ("call-n3", ""),
                         ("call-n4", "anonymous")):
        assert _post(api_hub, "phone", {"conversation": name, "caller": caller}).status_code == 200
    assert [_record(api_hub, name).caller for name in ("call-n1", "call-n2", "call-n3", "call-n4")] == [
        "+8613800001111", "+14155550134", None, None]


def test_only_the_phone_line_may_start_calls_and_bad_bodies_are_refused(api_hub: ApiHub) -> None:
    assert _post(api_hub, "terminal", {"conversation": "call-e", "caller": "13800001111"}).status_code == 403
    assert httpx.post(f"{api_hub.url}/api/calls", json={"conversation": "x"}, timeout=10).status_code == 401
    assert _post(api_hub, "phone", {"conversation": "", "caller": "1"}).status_code == 422
    assert _post(api_hub, "phone", {"conversation": "x", "caller": "1", "elder_id": 1}).status_code == 422


def test_state_tells_the_owner_and_the_place_in_the_queue(api_hub: ApiHub) -> None:
    for name in ("call-f", "call-g"):
        assert _post(api_hub, "phone", {"conversation": name, "caller": ""}).status_code == 200
    assert _state(api_hub, "call-f").json() == {"conversation": "call-f", "status": "pending", "waiting": False,
                                                "position": None}
    with db.transaction(api_hub.sessions) as session:
        for name, urgency in (("call-f", Urgency.REQUESTED), ("call-g", Urgency.EMERGENCY)):
            conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
            open_handoff(session, conversation, urgency, "requested", "zh", "")
    assert _state(api_hub, "call-g").json()["position"] == 1, "an emergency goes first"
    state = _state(api_hub, "call-f").json()
    assert (state["status"], state["waiting"], state["position"]) == ("open", True, 2)
    assert _state(api_hub, "no-such-call").status_code == 404
    assert _state(api_hub, "call-f", channel="terminal").status_code == 404, "a channel sees only its own"


def test_the_end_of_a_call_is_recorded_once(api_hub: ApiHub) -> None:
    assert _post(api_hub, "phone", {"conversation": "call-h", "caller": "13800001111"}).status_code == 200
    started = _record(api_hub, "call-h")
    assert started is not None and started.started_at is not None and started.ended_at is None
    answer = _end(api_hub, "call-h")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"conversation": "call-h", "already_ended": False, "handoff": None}
    ended = _record(api_hub, "call-h")
    assert ended.ended_at >= ended.started_at == started.started_at
    assert (ended.end_reason, ended.outcome, ended.turns) == ("caller", "handoff", 3)
    again = _end(api_hub, "call-h", {"reason": "local", "outcome": "bot", "turns": 9})
    assert again.status_code == 200 and again.json()["already_ended"] is True, again.text
    record = _record(api_hub, "call-h")
    assert (record.ended_at, record.end_reason, record.outcome, record.turns) == \
        (ended.ended_at, "caller", "handoff", 3), "a second end changes nothing"
    assert _transcript(api_hub, "call-h") == [], "no hand-off was open: nothing for a consultant to read"


def test_only_the_phone_line_ends_calls_and_an_unknown_call_is_not_found(api_hub: ApiHub) -> None:
    assert _post(api_hub, "phone", {"conversation": "call-i", "caller": ""}).status_code == 200
    assert _end(api_hub, "call-i", channel="terminal").status_code == 403
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        assert httpx.post(f"{api_hub.url}/api/calls/call-i/end", json=ENDED, headers=headers,
                          timeout=10).status_code == 401
    assert _record(api_hub, "call-i").ended_at is None
    unknown = _end(api_hub, "no-such-call")
    assert unknown.status_code == 404 and unknown.json()["error"] == "call_unknown", unknown.text
    assert "POST /api/calls" in unknown.json()["message"]["en"]
    assert _end(api_hub, "call-i", {"reason": "bored", "outcome": "bot"}).status_code == 422
    assert _end(api_hub, "call-i", {"reason": "caller", "outcome": "bot", "turns": -1}).status_code == 422
    assert _record(api_hub, "call-i").ended_at is None


def test_a_caller_who_hangs_up_while_waiting_leaves_the_queue(api_hub: ApiHub) -> None:
    gone = _waiting_call(api_hub, "call-j", Urgency.REQUESTED)
    _waiting_call(api_hub, "call-k", Urgency.REQUESTED)
    assert _state(api_hub, "call-k").json()["position"] == 2
    answer = _end(api_hub, "call-j")
    assert answer.status_code == 200 and answer.json()["handoff"] == ABANDONED, answer.text
    handoff = _handoff(api_hub, gone)
    assert (handoff.status, handoff.caller_hung_up_at) == (ABANDONED, None) and handoff.closed_at is not None
    with api_hub.sessions() as session:
        assert gone not in [h.id for h in queue(session)]
        assert session.get(Conversation, handoff.conversation_id).status == "resolved"
    assert _state(api_hub, "call-j").json()["waiting"] is False
    assert _state(api_hub, "call-k").json()["position"] == 1, "the caller behind moves up"
    assert _end(api_hub, "call-j").json() == {"conversation": "call-j", "already_ended": True, "handoff": None}


def test_an_emergency_caller_who_hangs_up_stays_in_the_queue_to_be_called_back(api_hub: ApiHub) -> None:
    emergency = _waiting_call(api_hub, "call-l", Urgency.EMERGENCY)
    answer = _end(api_hub, "call-l", {"reason": "no_media", "outcome": "emergency", "turns": 1})
    assert answer.status_code == 200 and answer.json()["handoff"] == WAITING, answer.text
    handoff = _handoff(api_hub, emergency)
    assert handoff.status == WAITING and handoff.caller_hung_up_at is not None
    with api_hub.sessions() as session:
        assert [h.id for h in queue(session)] == [emergency]
    assert _transcript(api_hub, "call-l")[-1] == ("system", "call_ended")
    assert _record(api_hub, "call-l").end_reason == "no_media"


def test_a_hand_off_a_consultant_took_stays_theirs_and_the_transcript_says_the_call_ended(api_hub: ApiHub) -> None:
    taken = _waiting_call(api_hub, "call-m", Urgency.REQUESTED)
    with db.transaction(api_hub.sessions) as session:
        consultant = session.scalars(select(Consultant.id).order_by(Consultant.id)).first()
        handoff = session.get(Handoff, taken)
        handoff.status, handoff.consultant_id = TAKEN, consultant
    answer = _end(api_hub, "call-m")
    assert answer.status_code == 200 and answer.json()["handoff"] == TAKEN, answer.text
    handoff = _handoff(api_hub, taken)
    assert (handoff.status, handoff.consultant_id) == (TAKEN, consultant) and handoff.closed_at is None
    assert handoff.caller_hung_up_at is not None
    assert _transcript(api_hub, "call-m") == [("system", "call_ended")]
    with api_hub.sessions() as session:
        assert session.get(Conversation, handoff.conversation_id).status == "open"


def _link_code(hub: ApiHub, conversation: str, body: object, channel: str = "phone") -> httpx.Response:
    return httpx.post(f"{hub.url}/api/calls/{conversation}/link-code", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {hub.token(channel)}"})


def test_the_family_link_code_is_given_only_for_the_elders_year_of_birth(api_hub: ApiHub) -> None:
    assert _post(api_hub, "phone", {"conversation": "call-l1", "caller": "13800001111"}).status_code == 200
    wrong = _link_code(api_hub, "call-l1", {"birth_year": 1941})
    assert wrong.status_code == 200 and wrong.json()["outcome"] == "wrong_year", wrong.text
    assert wrong.json()["tries_left"] == 2 and "code" not in wrong.json()
    right = _link_code(api_hub, "call-l1", {"birth_year": 1940}).json()
    assert right["outcome"] == "issued" and re.fullmatch(r"\d{6}", right["code"]) and right["hours"] == 24
    with api_hub.sessions() as session:
        stored = session.scalars(select(LinkCode).where(LinkCode.elder_id == api_hub.elder("wang"))).all()
        assert [c.code_hash for c in stored] == [code_hash(right["code"], secret(LINK_CODES, api_hub.settings))]
    assert ("system", "link_code") in _transcript(api_hub, "call-l1")
    with api_hub.sessions() as session:
        assert not any(right["code"] in (m.text or "") for m in session.scalars(select(Message))), \
            "the code is in the answer only, never in the transcript"


def test_three_wrong_years_in_a_day_leave_the_code_to_a_consultant(api_hub: ApiHub) -> None:
    assert _post(api_hub, "phone", {"conversation": "call-l2", "caller": "13800001111"}).status_code == 200
    outcomes = [_link_code(api_hub, "call-l2", {"birth_year": year}).json()["outcome"]
                for year in (1950, 1951, 1952, 1940)]
    assert outcomes == ["wrong_year", "wrong_year", "locked", "locked"]
    assert _post(api_hub, "phone", {"conversation": "call-l3", "caller": "+86 138 0000 1111"}).status_code == 200
    again = _link_code(api_hub, "call-l3", {"birth_year": 1940}).json()
    assert again["outcome"] == "locked", "a new call starts no new count"
    with api_hub.sessions() as session:
        assert session.scalars(select(LinkCode)).all() == []


def test_only_a_live_call_from_an_elders_phone_gets_a_code(api_hub: ApiHub) -> None:
    assert _post(api_hub, "phone", {"conversation": "call-l4", "caller": "+1 415 555 0134"}).status_code == 200
    assert _link_code(api_hub, "call-l4", {"birth_year": 1940}).status_code == 404
    assert _post(api_hub, "phone", {"conversation": "call-l5", "caller": "13800001111"}).status_code == 200
    assert _end(api_hub, "call-l5").status_code == 200
    assert _link_code(api_hub, "call-l5", {"birth_year": 1940}).status_code == 404, "the call is over"
    assert _post(api_hub, "phone", {"conversation": "call-l6", "caller": "13800001111"}).status_code == 200
    assert _link_code(api_hub, "call-l6", {"birth_year": 1940}, channel="terminal").status_code == 403
    assert httpx.post(f"{api_hub.url}/api/calls/call-l6/link-code", json={"birth_year": 1940},
                      timeout=10).status_code == 401
    for body in ({}, {"birth_year": "1940x"}, {"birth_year": 19}, {"birth_year": 1940, "code": "1"}):
        refused = _link_code(api_hub, "call-l6", body)
        assert refused.status_code == 422 and "Traceback" not in refused.text, body
    assert _link_code(api_hub, "nobody-called", {"birth_year": 1940}).status_code == 404
