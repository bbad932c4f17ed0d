"""What a consultant reads: the queue (most urgent first, then longest waiting) and one
conversation's screen (the transcript, the elder's profile with what they qualify for and why,
the bot's slots). Reads of one session each; access is checked by the caller's
:class:`~knowledge.actors.Actor`, and another district's conversation is as good as absent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, aliased

from careline import clock
from careline.settings import get_settings
from knowledge.actors import Actor
from knowledge.eligibility import check_all
from knowledge.facts import age_on
from knowledge.handoffs import TAKEN, WAITING
from knowledge.models import (
    Booking,
    Consultant,
    Conversation,
    District,
    Elder,
    ElderFamily,
    FamilyMember,
    Handoff,
    Message,
    PhoneCall,
)
from knowledge.phones import normalise_phone
from knowledge.wording import describe_booking


@dataclass(frozen=True)
class QueueRow:
    conversation_id: int
    handoff_id: int
    status: str
    urgency: int
    reason: str
    summary: str
    channel: str
    language: str
    waiting_since: dt.datetime
    district_key: str | None
    elder_id: int | None
    elder_name: str | None
    consultant_id: int | None
    consultant_name: str | None
    hung_up_at: dt.datetime | None
    """When the caller hung up while the hand-off stayed open (an emergency to call back)."""
    district_name: dict[str, str] = field(default_factory=dict)
    """What the district is called, by language."""


@dataclass(frozen=True)
class Line:
    message_id: int
    sender: str
    """``user`` (the person), ``bot``, ``system``, ``consultant`` or ``note`` (private)."""
    kind: str
    text: str
    at: dt.datetime
    consultant_id: int | None = None
    confidence: float | None = None
    """How sure the speech recogniser was, for a call's transcript."""


@dataclass(frozen=True)
class Qualification:
    policy_key: str
    title: dict[str, str]
    verdict: str
    reasons: list[str]


@dataclass(frozen=True)
class Profile:
    elder_id: int
    name: str
    age: int | None
    gender: str | None
    place: dict[str, str] | None
    care_level: int | None
    lives_alone: bool | None
    language: str
    bookings: list[str]
    family: list[tuple[str, str, bool]]
    """Name, relationship, primary contact."""
    qualifies: list[Qualification]
    phone: str | None = None
    """The registered number, E.164 (None when there is none, or it is no number)."""


@dataclass(frozen=True)
class CallBack:
    """A phone conversation's call: when it ended (None: still on the line), and the number to
    call back (E.164; the caller's, else the elder's registered one; None when neither is known)."""

    ended_at: dt.datetime | None
    number: str | None


@dataclass(frozen=True)
class ConversationView:
    conversation_id: int
    channel: str
    language: str
    status: str
    district_key: str | None
    handoff: QueueRow | None
    transcript: list[Line]
    profile: Profile | None
    slots: dict[str, Any] = field(default_factory=dict)
    call: CallBack | None = None


def queue(session: Session, actor: Actor, statuses: tuple[str, ...] = (WAITING,)) -> list[QueueRow]:
    """Hand-offs of the actor's districts in these statuses, emergency first, then longest waiting.
    One query however long the queue is, built once: the live console reads the queue again
    whenever it changes, for every consultant watching."""
    params: dict[str, Any] = {"statuses": list(statuses)}
    if actor.district_ids is not None:
        params["districts"] = sorted(actor.district_ids)
    rows = session.execute(_queue_query(actor.district_ids is not None), params).all()
    return [QueueRow(*row[:-1], district_name=dict(row[-1] or {})) for row in rows]


@cache
def _queue_query(of_districts: bool) -> Select[Any]:
    holder = aliased(Consultant)
    query = select(Conversation.id, Handoff.id, Handoff.status, Handoff.urgency, Handoff.reason, Handoff.summary,
                   Conversation.channel, Conversation.language, Handoff.created_at, District.key, Elder.id,
                   Elder.name, holder.id, holder.name, Handoff.caller_hung_up_at, District.name) \
        .join(Conversation, Conversation.id == Handoff.conversation_id) \
        .outerjoin(Elder, Elder.id == Conversation.elder_id) \
        .outerjoin(District, District.id == Conversation.district_id) \
        .outerjoin(holder, holder.id == Handoff.consultant_id) \
        .where(Handoff.status.in_(bindparam("statuses", expanding=True)))
    if of_districts:
        query = query.where(Conversation.district_id.in_(bindparam("districts", expanding=True)))
    return query.order_by(Handoff.urgency.desc(), Handoff.created_at, Handoff.id)


def _row(session: Session, handoff: Handoff, conversation: Conversation) -> QueueRow:
    elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
    district = session.get(District, conversation.district_id) if conversation.district_id else None
    holder = session.get(Consultant, handoff.consultant_id) if handoff.consultant_id else None
    return QueueRow(conversation.id, handoff.id, handoff.status, handoff.urgency, handoff.reason, handoff.summary,
                    conversation.channel, conversation.language, handoff.created_at,
                    district.key if district else None, elder.id if elder else None, elder.name if elder else None,
                    holder.id if holder else None, holder.name if holder else None, handoff.caller_hung_up_at,
                    dict(district.name or {}) if district else {})


def conversation(session: Session, conversation_id: int, lang: str,
                 with_profile: bool = True) -> ConversationView | None:
    """One conversation's screen without the slots (the engine's, read by the caller), and
    without the elder's profile unless ``with_profile`` (the live transcript does not show it)."""
    found = session.get(Conversation, conversation_id)
    if found is None:
        return None
    handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id,
                                                   Handoff.status.in_((WAITING, TAKEN))).limit(1))
    district = session.get(District, found.district_id) if found.district_id else None
    lines = [Line(m.id, m.sender, m.kind, m.text, m.created_at, (m.meta or {}).get("consultant_id"),
                  (m.meta or {}).get("confidence"))
             for m in session.execute(select(Message.id, Message.sender, Message.kind, Message.text,
                                             Message.created_at, Message.meta)
                                      .where(Message.conversation_id == conversation_id).order_by(Message.id))]
    elder = session.get(Elder, found.elder_id) if found.elder_id and with_profile else None
    return ConversationView(found.id, found.channel, found.language, found.status, district.key if district else None,
                            _row(session, handoff, found) if handoff else None, lines,
                            profile(session, elder, lang) if elder else None,
                            call=call_back(session, found) if with_profile else None)


def call_back(session: Session, conversation: Conversation) -> CallBack | None:
    """How to reach the caller of a phone conversation again; None for other channels."""
    record = session.scalar(select(PhoneCall).where(PhoneCall.conversation_id == conversation.id))
    if record is None:
        return None
    number = record.caller
    if number is None and conversation.elder_id is not None:
        elder = session.get(Elder, conversation.elder_id)
        number = normalise_phone(elder.phone or "", get_settings().phone_region) if elder else None
    return CallBack(record.ended_at, number)


def profile(session: Session, elder: Elder, lang: str) -> Profile:
    today = clock.local_today(elder.district.timezone if elder.district else None)
    bookings = session.scalars(select(Booking).where(Booking.elder_id == elder.id,
                                                     Booking.status.in_(("active", "requested")))
                               .order_by(Booking.id))
    family = session.execute(select(FamilyMember.name, ElderFamily.relationship_, ElderFamily.primary_contact)
                             .join(ElderFamily, ElderFamily.family_member_id == FamilyMember.id)
                             .where(ElderFamily.elder_id == elder.id).order_by(FamilyMember.name)).all()
    return Profile(elder.id, elder.name, age_on(elder.birth_date, today) if elder.birth_date else None, elder.gender,
                   dict(elder.place.name) if elder.place else None, elder.care_level, elder.lives_alone,
                   elder.language, [describe_booking(b, lang, today) for b in bookings],
                   [(name, relation, bool(primary)) for name, relation, primary in family],
                   [Qualification(e.policy.key, dict(e.policy.title), str(e.verdict), e.reasons(lang))
                    for e in check_all(session, elder, today)],
                   normalise_phone(elder.phone or "", get_settings().phone_region))


def colleagues(session: Session, conversation_id: int) -> list[tuple[int, str]]:
    """Who a conversation may be transferred to: the consultants of its district (id, name)."""
    district_id = session.scalar(select(Conversation.district_id).where(Conversation.id == conversation_id))
    if district_id is None:
        return []
    return [(row.id, row.name) for row in session.scalars(
        select(Consultant).where(Consultant.district_id == district_id).order_by(Consultant.name, Consultant.id))]


def district_of(session: Session, conversation_id: int) -> tuple[bool, int | None]:
    """Whether the conversation exists, and its district."""
    row = session.execute(select(Conversation.id, Conversation.district_id)
                          .where(Conversation.id == conversation_id)).first()
    return (False, None) if row is None else (True, row.district_id)
