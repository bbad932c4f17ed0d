"""A phone call's start, its end and its conversation's state, for the hotline (``/api/calls``,
``/api/calls/{id}/end``, ``/api/conversations/{id}/state``).

At the start of a call the hub, not the hotline, finds the elder from the caller's number
(:func:`knowledge.phones.elder_by_phone`): the hotline holds no personal data and never reads the
database; the hub binds the call's conversation to the elder (as :mod:`bot.hub.binding` does for
``elder_id``) and tells the hotline only the language to greet in and whether the caller is known.

Each call has a record (:class:`~knowledge.models.PhoneCall`): started when the call starts (with
the caller's number, for a consultant to call back), ended when the hotline says it ended,
whatever the reason. A caller who is gone leaves the consultants'
queue (:func:`knowledge.handoffs.caller_hung_up`; an emergency stays, marked to be called back),
and a consultant's screen says the call ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.api_message import Clean, load_json
from bot.hub.binding import check_and_bind
from bot.hub.http_errors import ApiError, fields_of
from careline.catalogue import N_, say
from knowledge.db import transaction
from knowledge.handoffs import WAITING, call_transferred, caller_hung_up
from knowledge.links import PhoneCode, PhoneCodeResult, code_by_phone
from knowledge.models import Conversation, Elder, Handoff, Message, PhoneCall, utcnow
from knowledge.phones import elder_by_phone, normalise_phone

#: the transcript's line that says a call ended (the console says it in the consultant's language)
CALL_ENDED = N_("console.call_ended")
#: the transcript's line that the caller was put through to the consultants' own phone
CALL_TRANSFERRED = N_("console.call_transferred")
#: the transcript's line that the caller was given their family link code (never the code)
LINK_CODE_GIVEN = N_("console.link_code_given")


class _Body(BaseModel):
    """A JSON body of the call doors: unknown fields refused, any fault a clear 422."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def parse(cls, raw: bytes) -> Self:
        try:
            return cls.model_validate(load_json(raw))
        except ValidationError as error:
            errors = error.errors(include_input=False, include_url=False)
            raise ApiError(422, "invalid_body", fields=fields_of(errors)) from None


class CallIn(_Body):
    conversation: Clean = Field(min_length=1, max_length=128)
    caller: Clean = Field(default="", max_length=64)
    """The caller's number as the network gave it (may be empty: withheld)."""


class CallEndIn(_Body):
    reason: Literal["caller", "local", "no_media", "shutdown", "transfer"]
    """Why the call ended (:class:`voice.call.CallEvent`): the caller hung up, the hotline did,
    the line carried no audio, the hotline stopped, the call was transferred."""
    outcome: Clean = Field(min_length=1, max_length=24)
    """What came of the call, as the hotline saw it (``bot``, ``handoff``, ``emergency``, ...)."""
    turns: int = Field(default=0, ge=0, le=100_000)


@dataclass(frozen=True)
class CallEnded:
    conversation_id: int
    district_id: int | None
    already: bool
    """The end was recorded before (nothing changed this time)."""
    handoff: str | None
    """The status of the hand-off that was open when the call ended (``abandoned``, or still
    ``waiting`` or ``taken``, then marked), None when there was none."""
    message_id: int | None
    """The transcript's line that the call ended (written when a hand-off was open)."""


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
    _record_start(sessions, body.conversation, normalise_phone(body.caller, region) if body.caller else None)
    return CallStarted(language, elder_id is not None)


def _record_start(sessions: sessionmaker[Session], external_id: str, caller: str | None) -> None:
    try:
        with transaction(sessions) as session:
            conversation_id = session.scalar(select(Conversation.id).where(Conversation.channel == "phone",
                                                                           Conversation.external_id == external_id))
            if conversation_id is not None and session.scalar(
                    select(PhoneCall.id).where(PhoneCall.conversation_id == conversation_id)) is None:
                session.add(PhoneCall(conversation_id=conversation_id, caller=caller))
    except IntegrityError:  # the same call started twice at once: it has one record
        pass


def end_call(sessions: sessionmaker[Session], external_id: str, body: CallEndIn) -> CallEnded | None:
    """Record that the call ended (once: a second end changes nothing) and let the consultants
    know the caller is gone. None when there is no such call."""
    try:
        return _end(sessions, external_id, body)
    except IntegrityError:  # two ends at once of a call without a record: the other one made it
        return _end(sessions, external_id, body)


def _end(sessions: sessionmaker[Session], external_id: str, body: CallEndIn) -> CallEnded | None:
    with transaction(sessions) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.channel == "phone",
                                                                 Conversation.external_id == external_id))
        if conversation is None:
            return None
        record = session.scalar(select(PhoneCall).where(PhoneCall.conversation_id == conversation.id)
                                .with_for_update())
        if record is not None and record.ended_at is not None:
            return CallEnded(conversation.id, conversation.district_id, True, None, None)
        if record is None:  # a call the hub did not see start (a hub older than the record)
            record = PhoneCall(conversation_id=conversation.id, started_at=conversation.created_at)
            session.add(record)
        record.ended_at, record.end_reason = utcnow(), body.reason
        record.outcome, record.turns = body.outcome, body.turns
        transferred = body.reason == "transfer"
        handoff = (call_transferred if transferred else caller_hung_up)(session, conversation)
        message_id = None
        if handoff is not None:
            kind, text = ("call_transferred", CALL_TRANSFERRED) if transferred else ("call_ended", CALL_ENDED)
            line = Message(conversation_id=conversation.id, sender="system", kind=kind,
                           text=say(text, conversation.language), language=conversation.language,
                           meta={"reason": body.reason})
            session.add(line)
            session.flush()
            message_id = line.id
        return CallEnded(conversation.id, conversation.district_id, False,
                         handoff.status if handoff is not None else None, message_id)


class LinkCodeIn(_Body):
    birth_year: int = Field(ge=1000, le=9999)
    """The year of birth the caller keyed in."""


@dataclass(frozen=True)
class LinkCodeOut:
    result: PhoneCodeResult
    conversation_id: int
    district_id: int | None
    message_id: int | None


def link_code(sessions: sessionmaker[Session], external_id: str, body: LinkCodeIn, ttl: dt.timedelta,
              key: str) -> LinkCodeOut | None:
    """The link code of the elder a live call is bound to, once the caller's year of birth is
    theirs (:func:`knowledge.links.code_by_phone`); the transcript says a code was given, never
    which. None when there is no such live call, or it is bound to no elder."""
    with transaction(sessions) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.channel == "phone",
                                                                 Conversation.external_id == external_id))
        if conversation is None or conversation.elder_id is None:
            return None
        record = session.scalar(select(PhoneCall).where(PhoneCall.conversation_id == conversation.id))
        elder = session.get(Elder, conversation.elder_id)
        if record is None or record.ended_at is not None or elder is None:
            return None
        result = code_by_phone(session, elder, body.birth_year, ttl, key=key)
        message_id = None
        if result.outcome is PhoneCode.ISSUED:
            line = Message(conversation_id=conversation.id, sender="system", kind="link_code",
                           text=say(LINK_CODE_GIVEN, conversation.language), language=conversation.language)
            session.add(line)
            session.flush()
            message_id = line.id
        return LinkCodeOut(result, conversation.id, conversation.district_id, message_id)


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
