"""Which elder a conversation of an API channel acts for, checked before the hub takes the message.

A conversation is named by its channel and the channel's own id for it, so a token for one
channel can never reach another channel's conversation (a Telegram chat above all). Within its
channel, a caller that names an elder binds the conversation to that elder the first time, and
may never move it to another one: a conversation's transcript, pending booking and family alerts
belong to one elder. A conversation without an elder may be bound later (a caller who says who
they are mid-call). A conversation of a chat account (a linked family member) is never
reachable through the API. Binding is one conditional UPDATE (or an INSERT guarded by the
conversation's unique key), so two requests racing for one conversation cannot both win.

The conversation is made here, before the hub sees the message, so quick first messages of a
new conversation (a caller's speech, then a key) never race to create it in the hub.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import reading, transaction
from knowledge.models import Conversation, District, Elder


class Refused(Exception):
    """The request may not go on; ``code`` keys a message of :data:`bot.hub.http_errors.MESSAGES`."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


def check_and_bind(sessions: sessionmaker[Session], channel: str, external_id: str, *, elder_id: int | None,
                   district_key: str | None, language: str) -> None:
    """Refuse an unknown elder or district, or a conversation that is not the caller's to use;
    otherwise make the conversation if it is new and bind it to ``elder_id`` (when given). A
    conversation that is already as asked (the usual next message) is only read."""
    with reading(sessions) as session:
        if elder_id is not None and session.scalar(
                select(Elder.id).where(Elder.id == elder_id, Elder.active.is_(True))) is None:
            raise Refused(422, "elder_unknown")
        if district_key is not None and session.scalar(
                select(District.id).where(District.key == district_key)) is None:
            raise Refused(422, "district_unknown")
        found = session.execute(select(Conversation.account_id, Conversation.elder_id).where(
            Conversation.channel == channel, Conversation.external_id == external_id)).first()
    if found is not None and found.account_id is not None:
        raise Refused(409, "conversation_bound")
    if found is not None and (elder_id is None or found.elder_id == elder_id):
        return
    for _attempt in range(2):
        try:
            _bind(sessions, channel, external_id, elder_id, language)
            return
        except IntegrityError:  # another request made the conversation this instant: check it again
            continue
    raise Refused(409, "conversation_bound")


def _bind(sessions: sessionmaker[Session], channel: str, external_id: str, elder_id: int | None,
          language: str) -> None:
    with transaction(sessions) as session:
        found = session.execute(select(Conversation.id, Conversation.account_id).where(
            Conversation.channel == channel, Conversation.external_id == external_id)).first()
        if found is None:
            session.add(Conversation(channel=channel, external_id=external_id, elder_id=elder_id,
                                     language=language, channel_language=language, language_chosen=False,
                                     status="pending", priority=0))
            return
        if found.account_id is not None:
            raise Refused(409, "conversation_bound")
        if elder_id is None:
            return
        bound = session.execute(
            update(Conversation)
            .where(Conversation.id == found.id, Conversation.account_id.is_(None),
                   or_(Conversation.elder_id.is_(None), Conversation.elder_id == elder_id))
            .values(elder_id=elder_id).execution_options(synchronize_session=False))
        if bound.rowcount != 1:
            raise Refused(409, "conversation_bound")
