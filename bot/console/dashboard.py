"""The dashboard (``GET /console/dashboard``): waiting now, the longest wait, and today's hand-offs
handled, median time to the first reply and median satisfaction, overall, per district and per
consultant (:mod:`bot.console.figures`), over the districts the signed-in consultant may see."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.console import figures, pages
from bot.console.security import (
    Actor,
    console_auth,
    current_consultant,
    db_sessions,
    guard_unsafe_methods,
    language,
)
from careline import clock
from careline.catalogue import say

router = APIRouter(prefix="/console", dependencies=[Depends(guard_unsafe_methods)])


def duration(value: dt.timedelta | None, lang: str) -> str:
    if value is None:
        return say("console.no_figure", lang)
    seconds = int(value.total_seconds())
    if seconds < 60:
        return say("console.duration_seconds", lang, seconds=seconds)
    if seconds < 3600:
        return say("console.duration_minutes", lang, minutes=seconds // 60, seconds=seconds % 60)
    return say("console.duration_hours", lang, hours=seconds // 3600, minutes=seconds % 3600 // 60)


def rating(value: float | None, lang: str) -> str:
    if value is None:
        return say("console.no_figure", lang)
    return f"{value:g}"


@router.get("/dashboard")
async def dashboard_page(request: Request, actor: Annotated[Actor, Depends(current_consultant)]) -> Response:
    lang = language(request)
    now = console_auth(request).now()

    def read() -> figures.Dashboard:
        with db_sessions(request)() as session:
            return figures.dashboard(session, actor, lang, now, clock.local_today)

    board = await asyncio.to_thread(read)
    return pages.render(request, "dashboard.html", actor=actor, board=board,
                        duration=lambda value: duration(value, lang), rating=lambda value: rating(value, lang),
                        as_of=clock.local_now().strftime("%H:%M"))
