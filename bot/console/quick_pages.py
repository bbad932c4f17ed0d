"""The pages of the quick actions on a conversation (:mod:`bot.console.quick`).

Choosing and reading back are GETs that change nothing; only the confirming POST (with the CSRF
token, like every console POST) books, cancels or sends. A confirmation the rules refuse shows
the conversation again with the refusal in plain words, as every console action does; another
district's conversation, elder, booking or policy answers like a missing one (404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.console import pages
from bot.console.desk import _act, _id, _screen, _service
from bot.console.labels import label
from bot.console.quick import QuickActions, refusal_text
from bot.console.security import Actor, current_consultant, guard_unsafe_methods, language, require_csrf
from bot.console.service import Refused

router = APIRouter(prefix="/console/conversations", dependencies=[Depends(guard_unsafe_methods)])


def _quick(request: Request) -> QuickActions:
    return QuickActions(_service(request))


async def _page(request: Request, raw_id: str, actor: Actor, template: str, read: Any) -> Response:
    """A quick action's page: ``read(quick, conversation_id, lang)`` gives its context; a refusal
    shows the conversation with it (a 404, the not-found page)."""
    conversation_id = _id(raw_id)
    lang = language(request)
    try:
        if conversation_id is None:
            raise Refused("not_found", 404)
        context = await read(_quick(request), conversation_id, lang)
    except Refused as refused:
        if refused.status == 404 and refused.code == "not_found":
            return pages.render(request, "not_found.html", 404, actor=actor)
        return await _screen(request, conversation_id, actor, refused.status, refused.say(lang))
    return pages.render(request, template, actor=actor, conversation_id=conversation_id, **context)


def _token(request: Request) -> str:
    """The choice a GET names: a token, or a home service and the time typed for it."""
    query = request.query_params
    if query.get("choice"):
        return query["choice"]
    if query.get("home_service") and query.get("at"):
        return f"home_service:{query['home_service']}:{query['at']}"
    return ""


@router.get("/{conversation_id}/book")
async def book_page(request: Request, conversation_id: str,
                    actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    token = _token(request)

    async def read(quick: QuickActions, number: int, lang: str) -> dict[str, Any]:
        if token:
            said = await quick.booking_read_back(number, actor, token, lang)
            problem = refusal_text(said.problem, said.for_whom, lang) if said.problem else None
            return {"read_back": said, "problem": problem}
        elder, options = await quick.booking_options(number, actor, lang)
        return {"elder": elder, "options": options}

    return await _page(request, conversation_id, actor, "book.html", read)


@router.post("/{conversation_id}/book")
async def book(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor,
                      lambda s, c, f: QuickActions(s).book(c, actor, f.get("choice", "")))


@router.get("/{conversation_id}/cancel")
async def cancel_page(request: Request, conversation_id: str,
                      actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    chosen = request.query_params.get("booking", "")

    async def read(quick: QuickActions, number: int, lang: str) -> dict[str, Any]:
        if chosen:
            booking_id = _known_id(chosen, "booking_not_found")
            said = await quick.cancel_read_back(number, actor, booking_id, lang)
            problem = refusal_text(said.problem, said.for_whom, lang) if said.problem else None
            return {"read_back": said, "problem": problem}
        elder, bookings = await quick.cancel_options(number, actor, lang)
        return {"elder": elder, "bookings": bookings}

    return await _page(request, conversation_id, actor, "cancel.html", read)


def _known_id(raw: str, refusal: str) -> int:
    """The id a form or link names; a malformed one is refused like an unknown one (404)."""
    number = _id(raw)
    if number is None:
        raise Refused(refusal, 404)
    return number


async def _cancel(quick: QuickActions, conversation_id: int, raw: str, actor: Actor) -> None:
    booking_id = _known_id(raw, "booking_not_found")
    await quick.cancel(conversation_id, actor, booking_id)


@router.post("/{conversation_id}/cancel")
async def cancel(request: Request, conversation_id: str, actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor,
                      lambda s, c, f: _cancel(QuickActions(s), c, f.get("booking", ""), actor))


@router.get("/{conversation_id}/policy")
async def policy_page(request: Request, conversation_id: str,
                      actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    chosen = request.query_params.get("policy", "")

    async def read(quick: QuickActions, number: int, lang: str) -> dict[str, Any]:
        choices = await quick.policies(number, actor, lang)
        preview = None
        if chosen:
            policy_id = _known_id(chosen, "policy_not_found")
            preview = await quick.policy_preview(number, actor, policy_id)
        return {"choices": choices, "preview": preview,
                "preview_language": label("language", preview.language, lang) if preview else ""}

    return await _page(request, conversation_id, actor, "policy.html", read)


async def _send_policy(quick: QuickActions, conversation_id: int, raw: str, actor: Actor) -> None:
    policy_id = _known_id(raw, "policy_not_found")
    await quick.send_policy(conversation_id, actor, policy_id)


@router.post("/{conversation_id}/policy")
async def send_policy(request: Request, conversation_id: str,
                      actor: Annotated[Actor, Depends(require_csrf)]) -> Response:
    return await _act(request, conversation_id, actor,
                      lambda s, c, f: _send_policy(QuickActions(s), c, f.get("policy", ""), actor))
