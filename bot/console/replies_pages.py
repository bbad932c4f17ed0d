"""Keeping the canned replies (:mod:`knowledge.canned`): list, add, edit and delete, a consultant
for the districts they serve, an administrator for every district. Every change is a POST with
the CSRF token and is audited; another district's reply answers like a missing one (404)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from bot.console import pages
from bot.console.desk import _id
from bot.console.labels import label
from bot.console.security import (
    Actor,
    current_consultant,
    db_sessions,
    guard_unsafe_methods,
    language,
    require_csrf,
)
from bot.console.service import REFUSALS
from careline.catalogue import say
from knowledge import canned
from knowledge.canned import CannedRefused, Draft
from knowledge.db import transaction
from knowledge.models import CannedReply, District

router = APIRouter(prefix="/console/replies", dependencies=[Depends(guard_unsafe_methods)])


@dataclass(frozen=True)
class Row:
    reply_id: int
    district: str
    language: str
    title: str
    text: str
    origin: str


def _districts(request: Request, actor: Actor, lang: str) -> list[tuple[int, str]]:
    with db_sessions(request)() as session:
        query = select(District).order_by(District.key)
        if actor.district_ids is not None:
            query = query.where(District.id.in_(actor.district_ids))
        return [(d.id, d.name.get(lang) or d.key) for d in session.scalars(query)]


def _rows(request: Request, actor: Actor, lang: str) -> list[Row]:
    with db_sessions(request)() as session:
        names = {d.id: d.name.get(lang) or d.key for d in session.scalars(select(District))}
        return [Row(r.id, names.get(r.district_id, ""), label("language", r.language, lang), r.title, r.text,
                    label("origin", r.origin, lang)) for r in canned.listed(session, actor)]


async def _list(request: Request, actor: Actor, status: int = 200, message: str | None = None,
                draft: dict[str, Any] | None = None) -> Response:
    lang = language(request)
    rows = await asyncio.to_thread(_rows, request, actor, lang)
    districts = await asyncio.to_thread(_districts, request, actor, lang)
    return pages.render(request, "replies.html", status, actor=actor, rows=rows, districts=districts,
                        message=message, draft=draft or {})


@router.get("")
async def replies_page(request: Request, actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    return await _list(request, actor)


async def _draft(request: Request) -> tuple[Draft, dict[str, Any]]:
    form = await request.form()
    field = {name: value if isinstance(value := form.get(name), str) else "" for name in
             ("district", "language", "title", "text")}
    return Draft(_id(field["district"]), field["language"], field["title"], field["text"]), field


def _refusal(refused: CannedRefused, lang: str) -> str:
    return say(REFUSALS[refused.code], lang, **refused.values)


@router.post("")
async def add_reply(request: Request, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    draft, field = await _draft(request)

    def add() -> None:
        with transaction(db_sessions(request)) as session:
            canned.add(session, actor, draft)

    try:
        await asyncio.to_thread(add)
    except CannedRefused as refused:
        return await _list(request, actor, refused.status, _refusal(refused, language(request)), field)
    return RedirectResponse("/console/replies", status_code=303)


def _one(request: Request, actor: Actor, reply_id: int | None) -> CannedReply:
    with db_sessions(request)() as session:
        if reply_id is None:
            raise CannedRefused("reply_not_found", 404)
        reply = canned.one(session, actor, reply_id)
        session.expunge(reply)
        return reply


async def _edit_page(request: Request, actor: Actor, reply_id: int | None, status: int = 200,
                     message: str | None = None, field: dict[str, Any] | None = None) -> Response:
    lang = language(request)
    try:
        reply = await asyncio.to_thread(_one, request, actor, reply_id)
    except CannedRefused as refused:
        return await _list(request, actor, refused.status, _refusal(refused, lang))
    draft = field or {"district": str(reply.district_id), "language": reply.language, "title": reply.title,
                      "text": reply.text}
    districts = await asyncio.to_thread(_districts, request, actor, lang)
    return pages.render(request, "reply_edit.html", status, actor=actor, reply=reply, draft=draft,
                        districts=districts, message=message)


@router.get("/{reply_id}")
async def edit_page(request: Request, reply_id: str, actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    return await _edit_page(request, actor, _id(reply_id))


@router.post("/{reply_id}")
async def edit_reply(request: Request, reply_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    number = _id(reply_id)
    draft, field = await _draft(request)

    def edit() -> None:
        with transaction(db_sessions(request)) as session:
            if number is None:
                raise CannedRefused("reply_not_found", 404)
            canned.edit(session, actor, number, draft)

    try:
        await asyncio.to_thread(edit)
    except CannedRefused as refused:
        if refused.status == 404:
            return await _list(request, actor, 404, _refusal(refused, language(request)))
        return await _edit_page(request, actor, number, refused.status, _refusal(refused, language(request)), field)
    return RedirectResponse("/console/replies", status_code=303)


@router.post("/{reply_id}/delete")
async def delete_reply(request: Request, reply_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    number = _id(reply_id)

    def delete() -> None:
        with transaction(db_sessions(request)) as session:
            if number is None:
                raise CannedRefused("reply_not_found", 404)
            canned.delete(session, actor, number)

    try:
        await asyncio.to_thread(delete)
    except CannedRefused as refused:
        return await _list(request, actor, refused.status, _refusal(refused, language(request)))
    return RedirectResponse("/console/replies", status_code=303)
