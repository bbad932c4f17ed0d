"""The dashboard's figures: how many wait now and the longest wait; and for today (each
district's local day, :mod:`careline.clock`) the hand-offs handled, the median time from a
hand-off to the first consultant reply, the median satisfaction rating and the number of
ratings, overall, per district and per consultant, over the districts the actor may see.

"Handled" is a hand-off closed (resolved or handed back) today; a first reply and a rating
count on the day they were given. The figures are computed in Python from the rows of the last
few days: a district's day of hand-offs is small, and the medians need every value anyway."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from careline import clock
from careline.settings import get_settings
from knowledge.actors import Actor
from knowledge.handoffs import HANDED_BACK, RESOLVED, TAKEN, WAITING
from knowledge.models import Consultant, ConsultantDistrict, Conversation, District, Handoff, Message, Satisfaction

#: rows older than this are not read (the longest of days, across time zones, is well inside it)
LOOK_BACK = dt.timedelta(days=3)


@dataclass(frozen=True)
class Figures:
    waiting: int = 0
    longest_wait: dt.timedelta | None = None
    handled_today: int = 0
    median_first_reply: dt.timedelta | None = None
    median_rating: float | None = None
    ratings: int = 0


@dataclass(frozen=True)
class Row:
    key: str
    """A district's key, or a consultant's username."""
    name: str
    figures: Figures


@dataclass(frozen=True)
class Dashboard:
    overall: Figures
    districts: list[Row]
    consultants: list[Row]


@dataclass
class _Tally:
    waits: list[dt.timedelta] = field(default_factory=list)
    handled: int = 0
    first_replies: list[dt.timedelta] = field(default_factory=list)
    ratings: list[int] = field(default_factory=list)

    def figures(self, with_waiting: bool = True) -> Figures:
        return Figures(len(self.waits) if with_waiting else 0,
                       max(self.waits) if with_waiting and self.waits else None, self.handled,
                       _median_time(self.first_replies), statistics.median(self.ratings) if self.ratings else None,
                       len(self.ratings))


def dashboard(session: Session, actor: Actor, lang: str, now: dt.datetime,
              today: Callable[[str], dt.date] | None = None) -> Dashboard:
    """``now``: naive UTC, for the waits; ``today``: a district's local date by its time zone
    (by default the day ``now`` falls on there)."""
    day_of = today or (lambda zone: clock.from_utc(now, zone).date())
    districts = _districts(session, actor)
    zones = {d.id: d.timezone for d in districts}
    days: dict[str, dt.date] = {}

    def is_today(at: dt.datetime | None, district_id: int | None) -> bool:
        """Whether ``at`` falls on today in the district's zone (no district: the configured one)."""
        if at is None:
            return False
        zone = zones.get(district_id) or get_settings().timezone
        if zone not in days:
            days[zone] = day_of(zone)
        return clock.from_utc(at, zone).date() == days[zone]

    overall, by_district, by_consultant = _Tally(), defaultdict(_Tally), defaultdict(_Tally)

    def tallies(district_id: int | None, consultant_id: int | None) -> Iterable[_Tally]:
        yield overall
        if district_id is not None:
            yield by_district[district_id]
        if consultant_id is not None:
            yield by_consultant[consultant_id]

    since = now - LOOK_BACK
    handoffs = session.execute(_visible(
        select(Handoff, Conversation.district_id).join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(or_(Handoff.status.in_((WAITING, TAKEN)), Handoff.closed_at >= since, Handoff.created_at >= since)),
        actor)).all()
    for handoff, district_id in handoffs:
        if handoff.status == WAITING:
            for tally in tallies(district_id, None):
                tally.waits.append(max(dt.timedelta(), now - handoff.created_at))
        if handoff.status in (RESOLVED, HANDED_BACK) and is_today(handoff.closed_at, district_id):
            for tally in tallies(district_id, handoff.consultant_id):
                tally.handled += 1
    for handoff, district_id, at, consultant_id in _first_replies(session, [h for h, _ in handoffs]):
        if is_today(at, district_id):
            for tally in tallies(district_id, consultant_id):
                tally.first_replies.append(at - handoff.created_at)
    rated = session.execute(_visible(
        select(Satisfaction.rating, Satisfaction.answered_at, Conversation.district_id, Satisfaction.consultant_id)
        .join(Conversation, Conversation.id == Satisfaction.conversation_id)
        .where(Satisfaction.rating.is_not(None), Satisfaction.answered_at >= since), actor)).all()
    for rating, answered_at, district_id, consultant_id in rated:
        if is_today(answered_at, district_id):
            for tally in tallies(district_id, consultant_id):
                tally.ratings.append(rating)

    district_rows = [Row(d.key, d.name.get(lang) or d.key, by_district[d.id].figures()) for d in districts]
    consultant_rows = [Row(c.username, c.name, by_consultant[c.id].figures(with_waiting=False))
                       for c in _consultants(session, actor, set(by_consultant))]
    return Dashboard(overall.figures(), district_rows, consultant_rows)


def _visible(query, actor: Actor):  # type: ignore[no-untyped-def]
    if actor.district_ids is not None:
        query = query.where(Conversation.district_id.in_(actor.district_ids))
    return query


def _districts(session: Session, actor: Actor) -> list[District]:
    query = select(District).order_by(District.key)
    if actor.district_ids is not None:
        query = query.where(District.id.in_(actor.district_ids))
    return list(session.scalars(query))


def _consultants(session: Session, actor: Actor, active: set[int]) -> list[Consultant]:
    """The consultants of the actor's districts (an administrator: all), and any other who
    worked on their conversations, by name."""
    query = select(Consultant)
    if actor.district_ids is not None:
        extra = select(ConsultantDistrict.consultant_id).where(ConsultantDistrict.district_id.in_(actor.district_ids))
        query = query.where(or_(Consultant.district_id.in_(actor.district_ids), Consultant.id.in_(extra),
                                Consultant.id.in_(active)))
    rows = [c for c in session.scalars(query) if not c.disabled or c.id in active]
    return sorted(rows, key=lambda c: (c.name, c.id))


def _first_replies(session: Session, handoffs: list[Handoff]
                   ) -> Iterable[tuple[Handoff, int | None, dt.datetime, int | None]]:
    """Each hand-off's first consultant reply while it was open: (hand-off, district, when, who)."""
    by_conversation: dict[int, list[Handoff]] = defaultdict(list)
    for handoff in handoffs:
        by_conversation[handoff.conversation_id].append(handoff)
    if not by_conversation:
        return
    districts = dict(session.execute(select(Conversation.id, Conversation.district_id)
                                     .where(Conversation.id.in_(by_conversation))).all())
    replies = session.execute(select(Message.conversation_id, Message.created_at, Message.meta)
                              .where(Message.conversation_id.in_(by_conversation), Message.sender == "consultant")
                              .order_by(Message.id)).all()
    said: dict[int, list[tuple[dt.datetime, int | None]]] = defaultdict(list)
    for conversation_id, at, meta in replies:
        said[conversation_id].append((at, (meta or {}).get("consultant_id")))
    for conversation_id, opened in by_conversation.items():
        for handoff in opened:
            first = next(((at, who) for at, who in said[conversation_id]
                          if at >= handoff.created_at and (handoff.closed_at is None or at <= handoff.closed_at)),
                         None)
            if first is not None:
                yield handoff, districts.get(conversation_id), first[0], first[1]


def _median_time(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    return dt.timedelta(seconds=statistics.median(v.total_seconds() for v in values))
