"""A phone call's start and its conversation's state, for the hotline (``/api/calls``,
``/api/conversations/{id}/state``).

At the start of a call the hub, not the hotline, finds the elder from the caller's number
(:func:`knowledge.phones.elder_by_phone`): the hotline holds no personal data and never reads the
database; the hub binds the call's conversation to the elder (as :mod:`bot.hub.binding` does for
``elder_id``) and tells the hotline only the language to greet in and whether the caller is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.api_message import Clean, load_json
from bot.hub.binding import check_and_bind
from bot.hub.http_errors import ApiError, fields_of
from knowledge.handoffs import WAITING
from knowledge.models import Conversation, Handoff
from knowledge.phones import elder_by_phone


class CallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: Clean = Field(min_length=1, max_length=128)
    caller: Clean = Field(default="", max_length=64)
    """The caller's number as the network gave it (may be empty: withheld)."""

    @classmethod
    def parse(cls, raw: bytes) -> CallIn:
        try:
            return cls.model_validate(load_json(raw))
        except ValidationError as error:
            errors = error.errors(include_input=False, include_url=False)
            raise ApiError(422, "invalid_body", fields=fields_of(errors)) from None


@dataclass(frozen=True)
class CallStarted:
    language: str
    known: bool


def start_call(sessions: sessionmaker[Session], body: CallIn, region: str, default_language: str) -> CallStarted:
    """Make the call's conversation, bound to the elder whose number called (if exactly one)."""
    with sessions() as session:
        elder = elder_by_phone(session, body.caller, region) if body.caller else None
        elder_id, language = (elder.id, elder.language) if elder is not None else (None, default_language)
    language = language if language in ("zh", "en") else default_language
    check_and_bind(sessions, "phone", body.conversation, elder_id=elder_id, district_key=None, language=language)
    return CallStarted(language, elder_id is not None)


def conversation_state(sessions: sessionmaker[Session], channel: str, external_id: str) -> dict[str, Any] | None:
    """``status`` (pending, open, resolved), ``waiting`` (in the queue, no consultant yet) and
    ``position`` in the queue (1 = next; None when not waiting)."""
    with sessions() as session:
        conversation = session.scalar(select(Conversation).where(Conversation.channel == channel,
                                                                 Conversation.external_id == external_id))
        if conversation is None:
            return None
        mine = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation.id,
                                                    Handoff.status == WAITING).limit(1))
        position = None
        if mine is not None:
            ahead = session.scalar(select(func.count(Handoff.id)).where(
                Handoff.status == WAITING, Handoff.id != mine.id,
                (Handoff.urgency > mine.urgency)
                | ((Handoff.urgency == mine.urgency) & (Handoff.created_at < mine.created_at))))
            position = int(ahead or 0) + 1
        return {"status": conversation.status, "waiting": mine is not None, "position": position}
