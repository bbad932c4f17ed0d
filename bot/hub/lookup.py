"""Small reads every part of the hub needs: a conversation's district and delivery address."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import ChannelAccount, Conversation, District, Elder, Message


def district_of(session: Session, conversation: Conversation, key: str | None) -> District | None:
    """The elder's district, else the one the channel named, else the conversation's, else the first."""
    if conversation.elder_id is not None:
        elder = session.get(Elder, conversation.elder_id)
        if elder is not None:
            return session.get(District, elder.district_id)
    if key:
        found = session.scalar(select(District).where(District.key == key))
        if found is not None:
            return found
    if conversation.district_id is not None:
        return session.get(District, conversation.district_id)
    return session.scalars(select(District).order_by(District.key)).first()


def address_of(session: Session, conversation: Conversation) -> str | None:
    """Where a pushing channel delivers: the account's chat, else the conversation's own id."""
    if conversation.account_id is not None:
        account = session.get(ChannelAccount, conversation.account_id)
        if account is not None:
            return account.address
    return conversation.external_id


def last_bot_message(session: Session, conversation_id: int) -> int:
    return session.scalar(select(Message.id).where(Message.conversation_id == conversation_id,
                                                   Message.sender == "bot").order_by(Message.id.desc()).limit(1)) or 0


def open_urgency(session: Session, conversation_id: int) -> int | None:
    """The urgency of the conversation's open hand-off (waiting for a consultant or taken), if any."""
    from knowledge.models import Handoff

    return session.scalar(select(Handoff.urgency).where(Handoff.conversation_id == conversation_id,
                                                        Handoff.status.in_(("waiting", "taken"))).limit(1))
