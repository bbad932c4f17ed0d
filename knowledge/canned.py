"""Canned replies: ready-made replies per district and language that consultants insert into a
conversation and may edit before sending.

Consultants write them in the console (``origin = console``) for the districts they serve, an
administrator for every district; a district bundle brings its own (``origin = bundle``, keyed),
and the next import of that bundle replaces exactly those (:func:`replace_imported`), never the
consultants' own. Each change is audited in the same transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.actors import Actor
from knowledge.audit import audit
from knowledge.models import CannedReply, District, utcnow

LANGUAGES = ("zh", "en")
MAX_TITLE = 128
MAX_TEXT = 2000
BUNDLE, CONSOLE = "bundle", "console"


class CannedRefused(Exception):
    """A change the rules do not allow; ``code`` names it, ``status`` is its HTTP status."""

    def __init__(self, code: str, status: int = 422, **values: object) -> None:
        super().__init__(code)
        self.code, self.status, self.values = code, status, values


@dataclass(frozen=True)
class Draft:
    """What a consultant typed for a reply."""

    district_id: int | None
    language: str
    title: str
    text: str


def _clean(draft: Draft, actor: Actor) -> Draft:
    title, text = " ".join((draft.title or "").split()), (draft.text or "").strip()
    if draft.district_id is None or not actor.may_act_in(draft.district_id):
        raise CannedRefused("reply_district_refused")
    if draft.language not in LANGUAGES:
        raise CannedRefused("reply_language_refused")
    if not title or not text or "\x00" in title + text:
        raise CannedRefused("reply_empty")
    if len(title) > MAX_TITLE or len(text) > MAX_TEXT:
        raise CannedRefused("reply_too_long", title=MAX_TITLE, text=MAX_TEXT)
    return Draft(draft.district_id, draft.language, title, text)


def listed(session: Session, actor: Actor) -> list[CannedReply]:
    """The replies of the actor's districts (an administrator's: all), by district, language, title."""
    query = select(CannedReply)
    if actor.district_ids is not None:
        query = query.where(CannedReply.district_id.in_(actor.district_ids))
    return list(session.scalars(query.order_by(CannedReply.district_id, CannedReply.language, CannedReply.title,
                                               CannedReply.id)))


def offered(session: Session, district_id: int | None, language: str) -> list[CannedReply]:
    """The replies a conversation of this district and language may use."""
    if district_id is None:
        return []
    return list(session.scalars(select(CannedReply).where(CannedReply.district_id == district_id,
                                                          CannedReply.language == language)
                                .order_by(CannedReply.title, CannedReply.id)))


def one(session: Session, actor: Actor, reply_id: int) -> CannedReply:
    """A reply the actor may see; another district's is as good as absent."""
    reply = session.get(CannedReply, reply_id)
    if reply is None or not actor.may_act_in(reply.district_id):
        raise CannedRefused("reply_not_found", 404)
    return reply


def add(session: Session, actor: Actor, draft: Draft) -> CannedReply:
    draft = _clean(draft, actor)
    if session.get(District, draft.district_id) is None:
        raise CannedRefused("reply_district_refused")
    reply = CannedReply(district_id=draft.district_id, language=draft.language, title=draft.title,
                        text=draft.text, origin=CONSOLE, created_by=actor.consultant_id,
                        updated_by=actor.consultant_id)
    session.add(reply)
    session.flush()
    audit(session, actor, "reply_add", detail={"reply": reply.id, "district": reply.district_id})
    return reply


def edit(session: Session, actor: Actor, reply_id: int, draft: Draft) -> CannedReply:
    """Change a reply; one imported from a bundle keeps its key, so the next import of the bundle
    puts the bundle's wording back."""
    reply = one(session, actor, reply_id)
    draft = _clean(draft, actor)
    if reply.origin == BUNDLE and (draft.district_id, draft.language) != (reply.district_id, reply.language):
        raise CannedRefused("reply_bundle_fixed")
    reply.district_id, reply.language, reply.title, reply.text = (draft.district_id, draft.language, draft.title,
                                                                   draft.text)
    reply.updated_by, reply.updated_at = actor.consultant_id, utcnow()
    session.flush()
    audit(session, actor, "reply_edit", detail={"reply": reply.id, "district": reply.district_id})
    return reply


def delete(session: Session, actor: Actor, reply_id: int) -> None:
    reply = one(session, actor, reply_id)
    audit(session, actor, "reply_delete", detail={"reply": reply.id, "district": reply.district_id})
    session.delete(reply)
    session.flush()


def replace_imported(session: Session, district_id: int,
                     wanted: dict[tuple[str, str], tuple[str, str]]) -> Counter[str]:
    """Make the district's bundle replies exactly ``wanted`` ((key, language) → (title, text)):
    new ones are added, changed ones updated, ones the bundle no longer has deleted; the
    consultants' own replies are left alone. Returns what changed, by outcome."""
    counts: Counter[str] = Counter()
    existing = {(r.key, r.language): r for r in session.scalars(
        select(CannedReply).where(CannedReply.district_id == district_id, CannedReply.origin == BUNDLE))}
    for (key, language), (title, text) in sorted(wanted.items()):
        row = existing.get((key, language))
        if row is None:
            session.add(CannedReply(district_id=district_id, key=key, language=language, title=title, text=text,
                                    origin=BUNDLE))
            counts["created"] += 1
        elif (row.title, row.text) != (title, text):
            row.title, row.text, row.updated_at, row.updated_by = title, text, utcnow(), None
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for found, row in existing.items():
        if found not in wanted:
            session.delete(row)
            counts["deleted"] += 1
    session.flush()
    return counts


def imported(session: Session, district_id: int) -> dict[str, dict[str, tuple[str, str]]]:
    """The district's bundle replies by key: language → (title, text), for the exporter."""
    out: dict[str, dict[str, tuple[str, str]]] = {}
    for row in session.scalars(select(CannedReply).where(CannedReply.district_id == district_id,
                                                         CannedReply.origin == BUNDLE).order_by(CannedReply.key)):
        out.setdefault(row.key or "", {})[row.language] = (row.title, row.text)
    return out
