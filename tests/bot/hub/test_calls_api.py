"""``POST /api/calls`` and ``GET /api/conversations/{id}/state``: the phone line's doors (real hub
over HTTP, the fixture district on SQLite and PostgreSQL, no engine needed)."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from knowledge import db
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Conversation
from tests.bot.hub.conftest import ApiHub


def _post(hub: ApiHub, channel: str, body: object) -> httpx.Response:
    return httpx.post(f"{hub.url}/api/calls", json=body, timeout=10,
                      headers={"Authorization": f"Bearer {hub.token(channel)}"})


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
