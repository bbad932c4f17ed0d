"""The console's live updates: ``GET /console/events``, server-sent events fed by the hub's
event bus (:mod:`bot.hub.events_bus`), only those of conversations the signed-in consultant may
see (``?conversation=ID``: only that one's). Each event carries ids and small facts, never what
was said: the page then asks for its fresh fragment, where access is checked again. Who may see
an event is told by the district it names (every publisher of the hub names it); only an event
that does not is looked up in the database, since every open stream gets every event. A comment
line every :data:`HEARTBEAT_SECONDS` keeps proxies from closing a quiet stream and lets the
server notice a browser that went away. A stream ends after :data:`MAX_STREAM_SECONDS` (the
browser reconnects at once and the page reloads its fragment), so that no stream lives for ever:
a session that ended stops getting events, and a stopping hub is not held up long."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.console import views
from bot.console.security import Actor, current_consultant, db_sessions
from bot.hub.events_bus import LiveEvent
from knowledge.db import reading

log = structlog.get_logger("careline.console")

HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 300.0
#: how long a browser waits before reconnecting after the stream broke (EventSource's ``retry``)
RETRY_MS = 3000

router = APIRouter(prefix="/console")


async def may_see(event: LiveEvent, actor: Actor, sessions: sessionmaker[Session]) -> bool:
    """Whether ``actor`` may have ``event``: by the district it names, else (a publisher that
    did not name it) by the conversation's district in the database."""
    if event.district_id is not None:
        return actor.may_act_in(event.district_id)

    def looked_up() -> bool:
        with reading(sessions) as session:
            exists, district_id = views.district_of(session, event.conversation_id)
        return exists and actor.may_act_in(district_id)

    return await asyncio.to_thread(looked_up)


def _frame(event: LiveEvent) -> str:
    body = json.dumps({"conversation_id": event.conversation_id, **event.data}, separators=(",", ":"))
    return f"event: {event.kind}\ndata: {body}\n\n"


@router.get("/events")
async def events(request: Request, actor: Annotated[Actor, Depends(current_consultant)],
                 conversation: int | None = None) -> StreamingResponse:
    bus = request.app.state.runtime.hub.events
    sessions = db_sessions(request)

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        until = loop.time() + MAX_STREAM_SECONDS
        async with bus.subscribe() as subscription:
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            while (left := until - loop.time()) > 0:
                event = await subscription.next(timeout=min(HEARTBEAT_SECONDS, left))
                if event is None:
                    yield ": heartbeat\n\n"
                    continue
                if conversation is not None and event.conversation_id != conversation:
                    continue
                if await may_see(event, actor, sessions):
                    yield _frame(event)

    log.info("console.live_opened", consultant_id=actor.consultant_id)
    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no",
                                      "X-Content-Type-Options": "nosniff"})
