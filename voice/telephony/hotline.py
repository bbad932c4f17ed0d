"""The hotline process: the SIP endpoint, and the call session (a :data:`~voice.call.CallHandler`) per call.

The session is found by its dotted path (``CARELINE_HOTLINE_HANDLER``, ``module:function``). When
it cannot be imported the hotline still answers: callers hear, in Mandarin and English, that the
hotline is not available, and the call ends — never silence. When the session's module has a
``prepare()`` (what every call shares: models, voices, prompts), it runs on a worker thread as
soon as the port is bound, so that the first caller is greeted at once rather than after the
models have loaded.
"""

from __future__ import annotations

import asyncio
import importlib
import signal
import sys
import time
from collections.abc import Awaitable, Callable

import numpy as np

from careline.heap import settle
from careline.logging import get_logger
from careline.settings import Settings
from voice.call import CALL_RATE, Call, CallHandler, EventKind
from voice.telephony.endpoint import EndpointConfig, SipEndpoint, call_limit
from voice.telephony.session import SipCall

log = get_logger("voice.telephony")

#: Seconds given to running sessions to finish after their calls were hung up at shutdown.
_SHUTDOWN_GRACE = 3.0


def load_handler(path: str) -> CallHandler:
    """``package.module:function`` (or ``package.module.function``) → the function."""
    module_name, colon, attribute = path.partition(":")
    if not colon:
        module_name, _dot, attribute = path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), attribute)
    if not callable(handler):
        raise TypeError(f"{path} is not callable")
    return handler


def _tone(frequency: float, seconds: float) -> bytes:
    samples = np.arange(int(CALL_RATE * seconds)) / CALL_RATE
    return (np.sin(2 * np.pi * frequency * samples) * 6000).astype("<i2").tobytes()


_GAP = bytes(int(CALL_RATE * 0.4) * 2)


def prompt_audios(settings: Settings, keys: tuple[str, ...]) -> dict[str, bytes]:
    """Fixed prompts, each Mandarin then English, at 8 kHz (one voice for all, loaded once). If no
    voice can say one, three short tones (a caller still hears that the line works)."""
    from voice.tts.speaker import Speaker

    audios: dict[str, bytes] = {}
    try:
        speaker = Speaker(settings)
    except Exception as error:  # noqa: BLE001 - the fallback of the fallback
        log.error("hotline_voice_failed", error=type(error).__name__)
        speaker = None
    for key in keys:
        try:
            if speaker is None:
                raise RuntimeError("no voice")
            audios[key] = _GAP.join(speaker.prompt(key, language, CALL_RATE).pcm for language in ("zh", "en"))
        except Exception as error:  # noqa: BLE001
            log.error("hotline_prompt_failed", prompt=key, error=type(error).__name__)
            audios[key] = _GAP.join(_tone(425, 0.5) for _ in range(3))
    return audios


def unavailable_audio(settings: Settings) -> bytes:
    return prompt_audios(settings, ("hotline_unavailable",))["hotline_unavailable"]


Audio = bytes | Callable[[], Awaitable[bytes]]


def unavailable_handler(audio: Audio) -> CallHandler:
    """A session that plays ``audio`` (or what it resolves to) and hangs up: the hotline is not
    available, or busy."""

    async def handle(call: Call) -> None:
        call.play(audio if isinstance(audio, bytes) else await audio())
        while call.playing_seconds > 0:
            event = await call.next_event(0.2)
            if event is not None and event.kind is EventKind.HANGUP:
                return
        await asyncio.sleep(0.3)  # the last frames leave the jitter buffer at the far end
        await call.hang_up()

    return handle


class _Prompts:
    """Prompts synthesised on a worker thread after the endpoint has started (the port is taken
    or not at once); a call that needs one before it is ready waits for it."""

    def __init__(self, settings: Settings, keys: tuple[str, ...]) -> None:
        self._made = asyncio.get_running_loop().run_in_executor(None, prompt_audios, settings, keys)

    def audio(self, key: str) -> Callable[[], Awaitable[bytes]]:
        async def get() -> bytes:
            return (await asyncio.shield(self._made))[key]

        return get


def resolve_handler(settings: Settings) -> CallHandler | None:
    """The call session named by ``hotline_handler``; None (logged) when it cannot be imported."""
    try:
        return load_handler(settings.hotline_handler)
    except Exception as error:  # noqa: BLE001 - any failure means the same: no session to run
        log.error("hotline_handler_unavailable", handler=settings.hotline_handler, error=repr(error))
        return None


def preparation(handler: CallHandler) -> Callable[[], object] | None:
    """``prepare()`` of the call session's module, when it has one."""
    prepare = getattr(sys.modules.get(getattr(handler, "__module__", "") or ""), "prepare", None)
    return prepare if callable(prepare) else None


async def prepare_sessions(handler: CallHandler) -> None:
    """Run the session module's ``prepare()`` on a worker thread; ``hotline_prepared`` says when
    calls no longer wait for it (a call that comes earlier waits for what is still loading)."""
    started = time.monotonic()
    prepare = preparation(handler)
    if prepare is not None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, prepare)
        except Exception as error:  # noqa: BLE001 - each call tries to load them again
            log.error("hotline_prepare_failed", error=repr(error))
            return
    settle()
    log.info("hotline_prepared", seconds=round(time.monotonic() - started, 1))


class Hotline:
    """An endpoint plus a session per call, on the running asyncio loop. Beyond ``config.max_calls``
    sessions at once, a call gets ``busy`` instead (a short message, then goodbye)."""

    def __init__(self, config: EndpointConfig, handler: CallHandler, busy: CallHandler | None = None,
                 on_load: Callable[[int], None] | None = None) -> None:
        self.config = config
        self.handler = handler
        self.busy = busy or unavailable_handler(_tone(425, 0.5))
        self.on_load = on_load
        self.sessions = 0
        self.capacity = min(config.max_calls, call_limit())
        self.endpoint: SipEndpoint | None = None

    async def start(self) -> None:
        self.endpoint = SipEndpoint(self.config, asyncio.get_running_loop(), self._run_session, self.on_load)
        await asyncio.get_running_loop().run_in_executor(None, self.endpoint.start)

    async def _run_session(self, call: SipCall) -> None:
        full = call.busy or self.sessions >= self.capacity
        log.info("hotline_call_started", call_id=call.call_id, phone=call.caller, busy=full)
        if not full:
            self.sessions += 1
        try:
            await (self.busy if full else self.handler)(call)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - one call's failure never ends another's
            log.error("hotline_session_failed", call_id=call.call_id, error=type(error).__name__, exc_info=True)
        finally:
            if not full:
                self.sessions -= 1
            if not call.ended:
                await call.hang_up()
            log.info("hotline_call_finished", call_id=call.call_id)

    async def stop(self) -> None:
        """Hang up every call (``shutdown``), let sessions finish briefly, stop the endpoint."""
        endpoint = self.endpoint
        if endpoint is None:
            return
        await asyncio.get_running_loop().run_in_executor(None, endpoint.stop)
        tasks = set(endpoint.tasks)
        if tasks:
            _done, pending = await asyncio.wait(tasks, timeout=_SHUTDOWN_GRACE)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        self.endpoint = None


async def serve_line(settings: Settings, handler: CallHandler | None = None,
                     on_load: Callable[[int], None] | None = None,
                     ready: Callable[[int], None] | None = None,
                     stop: asyncio.Event | None = None) -> None:
    """Run one SIP endpoint with its call sessions until ``stop`` is set (or SIGINT / SIGTERM).
    ``ready`` gets the port bound; ``on_load`` the number of calls the endpoint holds."""
    handler = handler or resolve_handler(settings)
    hotline = Hotline(EndpointConfig.from_settings(settings), handler or unavailable_handler(_tone(425, 0.5)),
                      on_load=on_load)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await hotline.start()
    prompts = _Prompts(settings, ("hotline_busy", "hotline_unavailable"))
    hotline.busy = unavailable_handler(prompts.audio("hotline_busy"))
    if handler is None:
        hotline.handler = unavailable_handler(prompts.audio("hotline_unavailable"))
    preparing = asyncio.ensure_future(prepare_sessions(handler)) if handler is not None else None
    if ready is not None and hotline.endpoint is not None:
        ready(hotline.endpoint.port)
    try:
        await stop.wait()
    finally:
        log.info("hotline_stopping")
        if preparing is not None:
            preparing.cancel()
        await hotline.stop()

