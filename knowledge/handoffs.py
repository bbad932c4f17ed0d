"""Conversations handed to a person: who owns a conversation, and the consultants' queue."""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Conversation, Handoff, utcnow


class Urgency(IntEnum):
    ROUTINE = 1
    MISUNDERSTOOD = 2
    REQUESTED = 3
    EMERGENCY = 9


HUB_SENDER_PREFIX = "conv-"

#: a hand-off's life: waiting in the queue, taken by a consultant, then handed back to the bot or resolved;
#: or abandoned: the caller hung up while it waited (only the waiting queue shows waiting ones);
#: or transferred: the hotline put the caller through to the consultants' own phone while it waited
WAITING, TAKEN, HANDED_BACK, RESOLVED = "waiting", "taken", "handed_back", "resolved"
ABANDONED, TRANSFERRED = "abandoned", "transferred"
#: how a consultant closes a conversation (``Handoff.outcome``); the console shows them in both languages
OUTCOMES = ("answered", "booked", "referred", "emergency_handled", "no_reply", "other")


def hub_sender(conversation_id: int) -> str:
    """The sender id the hub gives the dialogue engine: the conversation, with no personal data."""
    return f"{HUB_SENDER_PREFIX}{conversation_id}"


def conversation_for(session: Session, channel: str, external_id: str, language: str,
                     elder_id: int | None = None) -> Conversation:
    """The conversation of a channel's sender, created on first use. A hub sender id
    (``conv-<id>``) names the hub's own conversation row."""
    conversation = None
    if external_id.startswith(HUB_SENDER_PREFIX) and external_id[len(HUB_SENDER_PREFIX):].isdigit():
        conversation = session.get(Conversation, int(external_id[len(HUB_SENDER_PREFIX):]))
    if conversation is None:
        conversation = session.scalar(select(Conversation).where(
            Conversation.channel == channel, Conversation.external_id == external_id))
    if conversation is None:
        conversation = Conversation(channel=channel, external_id=external_id, language=language,
                                    elder_id=elder_id, status="pending", priority=0)
        session.add(conversation)
        session.flush()
    elif elder_id is not None and conversation.elder_id is None:
        conversation.elder_id = elder_id
    return conversation


def open_handoff(session: Session, conversation: Conversation, urgency: Urgency, reason: str,
                 language: str, summary: str) -> Handoff:
    """Put a conversation in the consultants' queue; an open handoff is raised, not duplicated."""
    waiting = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id,
                                                   Handoff.status.in_(("waiting", "taken"))))
    conversation.status = "open"
    conversation.priority = max(conversation.priority, int(urgency))
    conversation.updated_at = utcnow()
    if waiting is not None:
        if urgency > waiting.urgency:
            waiting.urgency, waiting.reason = int(urgency), reason
        waiting.summary = summary[:500]
        return waiting
    handoff = Handoff(conversation_id=conversation.id, urgency=int(urgency), reason=reason,
                      language=language, summary=summary[:500], status="waiting")
    session.add(handoff)
    session.flush()
    return handoff


def queue(session: Session) -> list[Handoff]:
    """Waiting handoffs, most urgent first, then oldest first."""
    return list(session.scalars(select(Handoff).where(Handoff.status == "waiting")
                                .order_by(Handoff.urgency.desc(), Handoff.created_at, Handoff.id)))


def call_transferred(session: Session, conversation: Conversation) -> Handoff | None:
    """A phone call was put through to the consultants' own phone: a hand-off still waiting
    leaves the queue (a person has the caller now) and the conversation is closed; one a
    consultant had taken stays theirs. Returns the hand-off that was open, if any."""
    handoff = _open_handoff_locked(session, conversation)
    if handoff is not None and handoff.status == WAITING:
        now = utcnow()
        handoff.status, handoff.closed_at = TRANSFERRED, now
        conversation.status, conversation.assignee_id, conversation.priority = "resolved", None, 0
        conversation.updated_at = now
    return handoff


def _open_handoff_locked(session: Session, conversation: Conversation) -> Handoff | None:
    # locked: a consultant claiming it this instant either took it first or finds nothing to claim
    return session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id,
                                                Handoff.status.in_((WAITING, TAKEN)))
                          .order_by(Handoff.id.desc()).limit(1)
                          .with_for_update().execution_options(populate_existing=True))


def caller_hung_up(session: Session, conversation: Conversation) -> Handoff | None:
    """A phone call's caller hung up: a hand-off still waiting for a consultant is abandoned (it
    leaves the queue and the conversation is closed), except an emergency's, which stays in the
    queue marked to be called back; one a consultant has taken stays theirs, marked. Returns the
    hand-off that was open, if any."""
    handoff = _open_handoff_locked(session, conversation)
    if handoff is None:
        return None
    now = utcnow()
    if handoff.status == WAITING and handoff.urgency < Urgency.EMERGENCY:
        handoff.status, handoff.closed_at = ABANDONED, now
        conversation.status, conversation.assignee_id, conversation.priority = "resolved", None, 0
        conversation.updated_at = now
    elif handoff.caller_hung_up_at is None:
        handoff.caller_hung_up_at = now
    return handoff
