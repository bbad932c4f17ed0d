"""The doors of channels that answer in the same breath (the terminal, a phone line), each
behind its channel token: ``POST /api/messages``, ``GET /api/conversations/{id}/pending`` and
``GET /api/conversations/{id}/state``; for the phone line also ``POST /api/calls`` (a call
begins: the caller's number finds the elder, :mod:`bot.hub.calls`) and ``POST
/api/calls/{id}/end`` (it ended: recorded, and a caller who is gone leaves the queue)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import structlog
from fastapi import APIRouter, Request

from bot.hub import live
from bot.hub.api_message import parse_message, request_schema
from bot.hub.auth import ChannelTokens
from bot.hub.binding import Refused, check_and_bind
from bot.hub.calls import CallEndIn, CallIn, LinkCodeIn, conversation_state, end_call, link_code, start_call
from bot.hub.http_errors import ApiError
from bot.hub.messages import Inbound
from bot.hub.runtime import HubRuntime
from careline.secrets import LINK_CODES, secret
from careline.settings import Settings

log = structlog.get_logger("careline.hub")


def _channel(tokens: ChannelTokens, request: Request) -> str:
    channel = tokens.channel_of(request.headers.get("authorization"))
    if channel is None:
        raise ApiError(401, "unauthenticated", headers={"WWW-Authenticate": "Bearer"})
    return channel


def _phone_line(tokens: ChannelTokens, request: Request) -> None:
    """Only the phone line may use the doors of a call."""
    if _channel(tokens, request) != "phone":
        raise ApiError(403, "channel_mismatch")


def _conversation_name(conversation: str) -> str:
    if not 1 <= len(conversation) <= 128 or "\x00" in conversation:
        raise ApiError(422, "invalid_body", fields="conversation")
    return conversation


def router(settings: Settings, tokens: ChannelTokens) -> APIRouter:
    routes = APIRouter()

    @routes.post("/api/messages", openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": request_schema()}}}})
    async def message(request: Request) -> dict[str, Any]:
        """One message from a channel that answers at once; the replies come back in the response."""
        channel = _channel(tokens, request)
        body = parse_message(await request.body())
        if body.channel is not None and body.channel != channel:
            raise ApiError(403, "channel_mismatch")
        runtime: HubRuntime = request.app.state.runtime
        try:
            await asyncio.to_thread(check_and_bind, runtime.sessions, channel, body.conversation,
                                    elder_id=body.elder_id, district_key=body.district_key,
                                    language=body.language or settings.language)
        except Refused as refused:
            raise ApiError(refused.status, refused.code) from None
        inbound = Inbound(channel=channel, conversation=body.conversation, address=body.conversation,
                          text=body.text, kind=body.kind, payload=body.payload, language=body.language,
                          elder_id=body.elder_id, district_key=body.district_key, confidence=body.confidence)
        replies = await runtime.hub.handle(inbound)
        return {"channel": channel, "conversation": body.conversation, "replies": [r.to_body() for r in replies]}

    @routes.get("/api/conversations/{conversation}/pending")
    async def pending(conversation: str, request: Request) -> dict[str, Any]:
        """Replies that came after their exchange (the answer that follows "one moment", a
        consultant's reply), for a channel that polls while the person waits; each is handed out once."""
        channel = _channel(tokens, request)
        _conversation_name(conversation)
        replies = await request.app.state.runtime.hub.pending(channel, conversation)
        return {"channel": channel, "conversation": conversation, "replies": [r.to_body() for r in replies]}

    @routes.post("/api/calls")
    async def call(request: Request) -> dict[str, Any]:
        """A phone call begins: its conversation is made and, when the caller's number is an
        elder's, bound to that elder. The answer says the language to greet in and whether the
        caller is known, never who they are."""
        _phone_line(tokens, request)
        body = CallIn.parse(await request.body())
        try:
            started = await asyncio.to_thread(start_call, request.app.state.runtime.sessions, body,
                                              settings.phone_region, settings.language)
        except Refused as refused:
            raise ApiError(refused.status, refused.code) from None
        return {"conversation": body.conversation, "language": started.language, "known": started.known}

    @routes.post("/api/calls/{conversation:path}/end")
    async def call_end(conversation: str, request: Request) -> dict[str, Any]:
        """A phone call ended, whatever the reason: the end is recorded once (a second end
        changes nothing). A hand-off still waiting for a consultant is abandoned, except an
        emergency's, which stays in the queue marked to call the caller back; a taken one stays
        with its consultant, whose screen says the call ended."""
        _phone_line(tokens, request)
        _conversation_name(conversation)
        body = CallEndIn.parse(await request.body())
        runtime: HubRuntime = request.app.state.runtime
        ended = await asyncio.to_thread(end_call, runtime.sessions, conversation, body)
        if ended is None:
            raise ApiError(404, "call_unknown")
        if not ended.already:
            log.info("hub.call_ended", conversation=ended.conversation_id, reason=body.reason,
                     outcome=body.outcome, turns=body.turns, handoff=ended.handoff)
            if ended.message_id is not None:
                await live.message(runtime.events, ended.conversation_id, ended.message_id, "system",
                                   ended.district_id)
            if ended.handoff is not None:
                await live.queue(runtime.events, ended.conversation_id, "call_ended", ended.district_id,
                                 handoff=ended.handoff)
        return {"conversation": conversation, "already_ended": ended.already, "handoff": ended.handoff}

    @routes.post("/api/calls/{conversation:path}/link-code")
    async def call_link_code(conversation: str, request: Request) -> dict[str, Any]:
        """The family link code of the elder whose phone is calling, read out once the caller
        keyed in the elder's year of birth: ``outcome`` ``issued`` (with ``code`` and ``hours``),
        ``wrong_year`` (with ``tries_left``), ``locked`` (too many wrong years today) or
        ``cannot_check`` (no year of birth on file). The code is in this answer only: never
        logged, never in the transcript."""
        _phone_line(tokens, request)
        _conversation_name(conversation)
        body = LinkCodeIn.parse(await request.body())
        runtime: HubRuntime = request.app.state.runtime
        out = await asyncio.to_thread(link_code, runtime.sessions, conversation, body,
                                      dt.timedelta(hours=settings.link_code_hours), secret(LINK_CODES, settings))
        if out is None:
            raise ApiError(404, "call_unknown")
        result = out.result
        log.info("hub.link_code_by_phone", conversation=out.conversation_id, outcome=str(result.outcome))
        if out.message_id is not None:
            await live.message(runtime.events, out.conversation_id, out.message_id, "system", out.district_id)
        answer: dict[str, Any] = {"conversation": conversation, "outcome": str(result.outcome),
                                  "tries_left": result.tries_left}
        if result.code is not None:
            answer.update(code=result.code, hours=settings.link_code_hours)
        return answer

    @routes.get("/api/conversations/{conversation}/state")
    async def state(conversation: str, request: Request) -> dict[str, Any]:
        """Who owns the conversation now (``pending``: the bot; ``open``: the consultants) and,
        while it waits for one, its place in the queue (1 = next)."""
        channel = _channel(tokens, request)
        _conversation_name(conversation)
        found = await asyncio.to_thread(conversation_state, request.app.state.runtime.sessions, channel,
                                        conversation)
        if found is None:
            raise ApiError(404, "not_found")
        return {"conversation": conversation, **found}

    return routes
