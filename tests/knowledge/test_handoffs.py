from sqlalchemy.orm import Session

from knowledge.handoffs import Urgency, conversation_for, open_handoff, queue


def test_queue_orders_by_urgency_then_age_and_raises_not_duplicates(maple: Session) -> None:
    calm = conversation_for(maple, "telegram", "family-1", "zh")
    lost = conversation_for(maple, "hotline", "caller-2", "en")
    danger = conversation_for(maple, "hotline", "caller-3", "zh")
    first = open_handoff(maple, calm, Urgency.REQUESTED, "requested", "zh", "想找人问问")
    open_handoff(maple, lost, Urgency.MISUNDERSTOOD, "misunderstood", "en", "blorp")
    sos = open_handoff(maple, danger, Urgency.EMERGENCY, "emergency", "zh", "摔倒了起不来")
    assert [h.id for h in queue(maple)][0] == sos.id
    assert [h.reason for h in queue(maple)] == ["emergency", "requested", "misunderstood"]
    raised = open_handoff(maple, calm, Urgency.EMERGENCY, "emergency", "zh", "救命")
    assert raised.id == first.id and raised.urgency == Urgency.EMERGENCY
    assert len(queue(maple)) == 3
    assert calm.status == "open" and calm.priority == Urgency.EMERGENCY


def test_conversation_is_reused_per_channel_and_sender(maple: Session) -> None:
    one = conversation_for(maple, "telegram", "42", "zh")
    assert conversation_for(maple, "telegram", "42", "en").id == one.id
    assert conversation_for(maple, "hotline", "42", "zh").id != one.id
