"""What the hub does about an emergency, whoever owns the conversation and whether or not the
engine answers: the safety reply, the consultants' queue, and the family's alert."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.hub.lookup import district_of
from bot.hub.messages import Reply
from bot.hub.received import Received
from careline.catalogue import say
from knowledge import events
from knowledge.db import reading, transaction
from knowledge.handoffs import Urgency, hub_sender, open_handoff
from knowledge.models import Conversation, District, Message


def emergency_reply(district: District | None, language: str) -> Reply:
    number = district.emergency_number if district else "120"
    advice = (district.emergency_advice or {}).get(language, "") if district else ""
    advice = f"{advice} " if advice and language == "en" else advice
    return Reply(say("hub.emergency_now", language, number=number, advice=advice), role="emergency")


def alert_family(session: Session, conversation: Conversation, text: str) -> None:
    """An event for the elder's linked family (fanned out by :mod:`bot.hub.alerts`)."""
    if conversation.elder_id is not None:
        events.record(session, conversation.elder_id, events.EMERGENCY, source=hub_sender(conversation.id),
                      channel=conversation.channel, data={"text": text[:200]})


def queue_emergency(session: Session, conversation: Conversation, message: Message,
                    district: District | None, language: str) -> Reply:
    """Put the conversation at the top of the consultants' queue; the safety reply to say."""
    open_handoff(session, conversation, Urgency.EMERGENCY, "emergency", language, message.text[:200])
    return emergency_reply(district, language)


def model_emergency(sessions: sessionmaker[Session], received: Received) -> None:
    """The engine's model saw an emergency the rules did not: family members hear of it too."""
    with transaction(sessions) as session:
        conversation = session.get(Conversation, received.conversation_id)
        alert_family(session, conversation, session.get(Message, received.message_id).text)


def emergency_without_bot(sessions: sessionmaker[Session], received: Received) -> Reply:
    """An emergency the engine could not be asked about: the hub queued it when it received it
    (:mod:`bot.hub.receiving`), and says what to do."""
    with reading(sessions) as session:
        conversation = session.get(Conversation, received.conversation_id)
        return emergency_reply(district_of(session, conversation, None), received.language)
