"""What every action needs: the database, the language, the district, the elder, the time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from rasa_sdk import Tracker
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from actions.when import When, parse_when_with
from careline import clock
from careline.settings import get_settings
from knowledge import db
from knowledge.models import District, Elder, Volunteer
from knowledge.naming import ALL_KINDS, NameMatch, district_named, find_named

RECENT_MESSAGES = 6


@lru_cache(maxsize=1)
def session_maker() -> sessionmaker[Session]:
    return db.session_factory(db.make_engine(get_settings().resolved_database_url))


def channel_switched_language(tracker: Tracker) -> str | None:
    """The language the channel switched to with this message (a family member chose another
    in Telegram's /language), or None. A language chosen in the conversation itself ("speak
    English") stays until the channel changes its own."""
    said = [e for e in tracker.events if e.get("event") == "user"]
    if len(said) < 2:
        return None
    now = (said[-1].get("metadata") or {}).get("language")
    before = (said[-2].get("metadata") or {}).get("language")
    return now if now in ("zh", "en") and before in ("zh", "en") and now != before else None


def language_of(tracker: Tracker) -> str:
    lang = channel_switched_language(tracker) or tracker.get_slot("language")
    return lang if lang in ("zh", "en") else get_settings().language


@dataclass
class Context:
    """One action's view of the world, inside one database transaction."""

    session: Session
    lang: str
    district: District | None
    elder: Elder | None
    now: dt.datetime
    tracker: Tracker
    # the district was worked out from the places the person named (not told by the channel)
    district_inferred: bool = False
    several_districts: bool = False
    # an earlier message answered now, once the district it needed is known
    replayed_text: str | None = None

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    def entity(self, name: str) -> str | None:
        value = next(self.tracker.get_latest_entity_values(name), None)
        return str(value) if value is not None else None

    @property
    def text(self) -> str:
        if self.replayed_text is not None:
            return self.replayed_text
        return (self.tracker.latest_message or {}).get("text") or ""

    @cached_property
    def when_said(self) -> When | None:
        """The day and time of day the latest message names (read once per action: the read-back
        checks ask several times, and each reading runs the date parsers).

        Mandarin: the whole message, whose time words jionlp finds reliably (the model's date
        entity may be 周四 of 下周四, or miss 12月17号). English: the day from the model's date
        words when it found some, since searching the whole of "my mum is 83, can someone come
        on Friday" finds the year 2083; the time of day from the whole message.
        """
        return parse_when_with(self.text, self.entity("date"), self.now)

    def named(self, kinds: tuple[str, ...] = ALL_KINDS, *hints: str, min_score: float | None = None,
              text: str | None = None) -> list[NameMatch]:
        """The things of ``kinds`` the latest message names (knowledge/naming.py), in this
        district; the model's entities of the names in ``hints`` are tried as well."""
        said = [str(v) for name in hints for v in self.tracker.get_latest_entity_values(name)]
        options = {} if min_score is None else {"min_score": min_score}
        return find_named(self.session, self.text if text is None else text,
                          self.district.id if self.district else None, kinds=kinds, hints=said, **options)

    def relation(self) -> str | None:
        """What the elder is to the person talking: said in this message, else remembered from
        the conversation (the ``relation`` slot), else None (actions/relations.py)."""
        from actions.relations import RELATIONS, relation_said

        said = relation_said(self.text)
        if said is not None:
            return said
        remembered = self.slot("relation")
        return remembered if remembered in RELATIONS else None

    def who(self) -> str:
        """How to refer to the person a booking or an answer is for: the elder by the relation the
        person said ("您母亲", "your mother"); on Telegram by what the family member is to the
        elder, else by name; on the console by name; otherwise "you"."""
        from actions.formatting import person_name
        from actions.relations import relation_of_link, who_by_relation
        from careline.catalogue import say

        gender = self.elder.gender if self.elder is not None else None
        by_relation = who_by_relation(self.relation(), gender, self.lang)
        if by_relation is not None:
            return by_relation
        if self.elder is None:
            return say("actions.who_you", self.lang)
        requester = self.slot("channel")
        if requester == "telegram":
            linked = who_by_relation(relation_of_link(self.linked_relationship(), gender), gender, self.lang)
            if linked is not None:
                return linked
        if requester in ("telegram", "console"):
            return person_name(self.elder.name, self.lang)
        return say("actions.who_you", self.lang)

    def who_elder(self) -> str:
        """The elder an answer is about: as :meth:`who` when the elder or the relation is known,
        else "this elder" (a family member asking about someone not registered)."""
        from careline.catalogue import say

        if self.elder is None and self.relation() is None:
            return say("actions.who_elder", self.lang)
        return self.who()

    def linked_relationship(self) -> str | None:
        """What the family member writing through the hub is to the elder, when the district's
        bundle lists them with this chat account (``daughter``, ``spouse`` …)."""
        from knowledge.handoffs import HUB_SENDER_PREFIX
        from knowledge.links import family_relationship
        from knowledge.models import Conversation

        sender = self.tracker.sender_id or ""
        number = sender[len(HUB_SENDER_PREFIX):] if sender.startswith(HUB_SENDER_PREFIX) else ""
        if self.elder is None or not number.isdigit():
            return None
        conversation = self.session.get(Conversation, int(number))
        return family_relationship(self.session, conversation.account_id, self.elder.id) if conversation else None

    def volunteer(self) -> Volunteer | None:
        key = self.slot("volunteer_key")
        if not key or self.district is None:
            return None
        return self.session.scalar(select(Volunteer).where(
            Volunteer.district_id == self.district.id, Volunteer.key == key, Volunteer.active.is_(True)))


def local_now(district: District | None) -> dt.datetime:
    return clock.local_now(district.timezone if district else None).replace(second=0, microsecond=0)


def recent_user_texts(tracker: Tracker, limit: int = RECENT_MESSAGES) -> list[str]:
    """What the person said lately in this session, newest first."""
    said: list[str] = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started" or len(said) >= limit:
            break
        if event.get("event") == "user" and event.get("text"):
            said.append(str(event["text"]))
    return said


def _district(session: Session, tracker: Tracker) -> tuple[District | None, bool, bool]:
    """The conversation's district, whether it was worked out from what the person said, and
    whether there are several to choose from.

    The channel's or elder's district first; with one district, that one; otherwise the district
    the places named in the last few messages belong to (knowledge.naming.district_named), or
    None: never the first one in the alphabet, which answered for a district the person may not
    live in.
    """
    key = tracker.get_slot("district_key")
    if key:
        found = session.scalar(select(District).where(District.key == key))
        if found is not None:
            return found, False, False
    districts = list(session.scalars(select(District).order_by(District.key)))
    if len(districts) <= 1:
        return (districts[0] if districts else None), False, False
    elder_key = tracker.get_slot("elder_key")
    if elder_key:
        owners = set(session.scalars(select(Elder.district_id).where(Elder.key == elder_key, Elder.active.is_(True))))
        if len(owners) == 1:
            owner = next(d for d in districts if d.id in owners)
            return owner, True, True
    named = district_named(session, recent_user_texts(tracker))
    return named, named is not None, True


@contextmanager
def open_context(tracker: Tracker) -> Iterator[Context]:
    with session_maker()() as session, session.begin():
        district, inferred, several = _district(session, tracker)
        elder = None
        elder_key = tracker.get_slot("elder_key")
        if elder_key and district is not None:
            elder = session.scalar(select(Elder).where(
                Elder.district_id == district.id, Elder.key == elder_key, Elder.active.is_(True)))
        yield Context(session, language_of(tracker), district, elder, local_now(district), tracker,
                      inferred, several)
