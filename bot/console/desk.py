"""The console's working pages: the queue (``GET /console/``) and a conversation's screen
(``GET /console/conversations/{id}``), their live fragments (what the page's own script fetches
when a live event says something changed), and the forms that act on a conversation through
the conversation service (:mod:`bot.console.service`). An action that works answers with a
redirect back (303); one the service refuses shows the conversation again with the refusal in
the consultant's language and the refusal's status. Another district's conversation answers
exactly like a missing one (404)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from bot.console import pages, views
from bot.console.labels import label
from bot.console.quick import QuickActions
from bot.console.security import (
    Actor,
    console_auth,
    current_consultant,
    db_sessions,
    guard_unsafe_methods,
    language,
    require_csrf,
)
from bot.console.service import ConsoleService, Refused
from careline.catalogue import N_, say
from knowledge.db import reading
from knowledge.handoffs import OUTCOMES, TAKEN, WAITING, Urgency
from knowledge.models import District

router = APIRouter(prefix="/console", dependencies=[Depends(guard_unsafe_methods)])

INT32 = 2**31 - 1


def _service(request: Request) -> ConsoleService:
    return request.app.state.runtime.console


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= INT32 else None


def waited(since: dt.datetime, now: dt.datetime, lang: str) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return say("console.waiting_minutes", lang, minutes=minutes)
    return say("console.waiting_hours", lang, hours=minutes // 60, minutes=minutes % 60)


def _district_names(request: Request, keys: set[str], lang: str) -> dict[str, str]:
    """What the districts are called in ``lang`` (their key when they have no name in it)."""
    if not keys:
        return {}
    with db_sessions(request)() as session:
        return {row.key: row.name.get(lang) or row.key
                for row in session.scalars(select(District).where(District.key.in_(keys)))}


def _row(row: views.QueueRow, now: dt.datetime, lang: str) -> dict[str, Any]:
    return {"id": row.conversation_id, "emergency": row.urgency >= Urgency.EMERGENCY,
            "channel": label("channel", row.channel, lang),
            "language": label("language", row.language, lang),
            "reason": label("reason", row.reason, lang), "summary": " ".join(row.summary.split()),
            "waiting": waited(row.waiting_since, now, lang),
            "elder": row.elder_name or say("console.unknown_elder", lang),
            "district": row.district_name.get(lang) or row.district_key or "", "holder": row.consultant_name,
            "hung_up": row.hung_up_at is not None}


async def _queues(request: Request, actor: Actor, lang: str) -> dict[str, Any]:
    rows = await _service(request).queue(actor, (WAITING, TAKEN))
    now = console_auth(request).now()
    return {"waiting": [_row(r, now, lang) for r in rows if r.status == WAITING],
            "taken": [_row(r, now, lang) for r in rows if r.status == TAKEN]}


@router.get("/")
async def queue_page(request: Request, actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    lang = language(request)

    def names() -> str:
        if actor.district_ids is None:
            return ""
        with db_sessions(request)() as session:
            rows = session.scalars(select(District).where(District.id.in_(actor.district_ids)).order_by(District.key))
            return ("、" if lang == "zh" else ", ").join(row.name.get(lang) or row.key for row in rows)

    return pages.render(request, "queue.html", actor=actor, districts=await asyncio.to_thread(names),
                        **await _queues(request, actor, lang))


@router.get("/queue")
async def queue_fragment(request: Request, actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    return pages.render(request, "queue_rows.html", actor=actor, **await _queues(request, actor, language(request)))


async def _screen(request: Request, conversation_id: int | None, actor: Actor, status: int = 200,
                  message: str | None = None, reply: str = "") -> Response:
    lang = language(request)
    service = _service(request)
    try:
        if conversation_id is None:
            raise Refused("not_found", 404)
        view = await service.conversation(conversation_id, actor, lang)
    except Refused as refused:
        if refused.status != 404:
            raise
        return pages.render(request, "not_found.html", 404, actor=actor)

    def others() -> list[tuple[int, str]]:
        with db_sessions(request)() as session:
            return [c for c in views.colleagues(session, conversation_id) if c[0] != actor.consultant_id]

    keys = {view.district_key} if view.district_key else set()
    district = (await asyncio.to_thread(_district_names, request, keys, lang)).get(view.district_key or "", "")
    canned = await QuickActions(service).canned(view.conversation_id, actor)
    return pages.render(request, "conversation.html", status, actor=actor, view=view, message=message,
                        colleagues=await asyncio.to_thread(others), outcomes=OUTCOMES, district=district,
                        canned=canned, reply=reply, **_live(view, actor, lang))


def _live(view: views.ConversationView, actor: Actor, lang: str) -> dict[str, Any]:
    handoff = view.handoff
    if handoff is not None and handoff.status == TAKEN:
        status = say("console.status_yours", lang) if handoff.consultant_id == actor.consultant_id else \
            say("console.status_taken_by", lang, name=handoff.consultant_name or "")
    elif handoff is not None:
        status = say("console.status_waiting", lang)
    else:
        status = say(N_("console.status_resolved") if view.status == "resolved" else N_("console.status_bot"), lang)
    return {"status_line": status, "lines": view.transcript}


@router.get("/conversations/{conversation_id}")
async def conversation_page(request: Request, conversation_id: str,
                            actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    number = _id(conversation_id)
    chosen = request.query_params.get("reply")
    if chosen and number is not None:  # a canned reply put in the reply box (what the page's script does)
        try:
            reply_id = _id(chosen)
            if reply_id is None:
                raise Refused("reply_not_found", 404)
            text = await QuickActions(_service(request)).canned_text(number, actor, reply_id)
        except Refused as refused:
            if refused.code == "not_found":
                return pages.render(request, "not_found.html", 404, actor=actor)
            return await _screen(request, number, actor, refused.status, refused.say(language(request)))
        return await _screen(request, number, actor, reply=text)
    return await _screen(request, number, actor)


@router.get("/conversations/{conversation_id}/live")
async def conversation_fragment(request: Request, conversation_id: str,
                                actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    """The status line and the transcript, read without the bot's slots and without an audit
    record of its own (opening the screen was audited)."""
    lang = language(request)
    number = _id(conversation_id)

    def read() -> views.ConversationView | None:
        with reading(db_sessions(request)) as session:
            exists, district_id = views.district_of(session, number) if number else (False, None)
            if not exists or not actor.may_act_in(district_id):
                return None
            return views.conversation(session, number, lang, with_profile=False)

    view = await asyncio.to_thread(read)
    if view is None:
        return pages.render(request, "not_found.html", 404, actor=actor)
    return pages.render(request, "conversation_live.html", actor=actor, view=view, **_live(view, actor, lang))


async def _act(request: Request, raw_id: str, actor: Actor,
               action: Callable[[ConsoleService, int, dict[str, str]], Awaitable[Any]],
               keep_reply: bool = False) -> Response:
    """Do ``action``; when it is refused, the screen again with why (and, ``keep_reply``, the
    reply the consultant typed still in its box)."""
    conversation_id = _id(raw_id)
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        if conversation_id is None:
            raise Refused("not_found", 404)
        await action(_service(request), conversation_id, fields)
    except Refused as refused:
        return await _screen(request, conversation_id, actor, refused.status, refused.say(language(request)),
                             reply=fields.get("text", "") if keep_reply else "")
    return RedirectResponse(f"/console/conversations/{conversation_id}", status_code=303)


@router.post("/conversations/{conversation_id}/claim")
async def claim(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: s.claim(c, actor))


@router.post("/conversations/{conversation_id}/say")
async def reply(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: s.say(c, actor, f.get("text", "")),
                      keep_reply=True)


@router.post("/conversations/{conversation_id}/note")
async def note(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: s.note(c, actor, f.get("text", "")))


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: s.hand_back(c, actor))


@router.post("/conversations/{conversation_id}/resolve")
async def resolve(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: s.resolve(c, actor, f.get("outcome", "")))


async def _transfer(service: ConsoleService, conversation_id: int, fields: dict[str, str], actor: Actor) -> None:
    target = _id(fields.get("to", ""))
    if target is None:
        raise Refused("unknown_consultant", 422)
    await service.transfer(conversation_id, actor, target)


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor, lambda s, c, f: _transfer(s, c, f, actor))
