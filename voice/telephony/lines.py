"""``careline hotline`` as it runs: the front, the busy line, and the lines that talk with callers.

- The front (:class:`voice.telephony.front.SipFront`) owns ``sip_host:sip_port``.
- Each talking line is a worker process: a pjsua endpoint on a port the system gives, with the
  call sessions (Whisper, the voices, the turn-end model). pjsua takes at most ``call_limit()``
  calls per process, so ``ceil(sip_max_calls / call_limit())`` lines serve ``sip_max_calls``.
- The busy line runs in the front's own process: an endpoint whose only session is "all our lines
  are busy" (no speech models), so callers beyond capacity hear it, never a bare 486.

A line reports how many calls its endpoint holds through shared memory (the front reads it to
choose). A line that dies is started again; one whose front is gone stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import ip_address
from multiprocessing.sharedctypes import Synchronized

from careline.logging import get_logger
from careline.settings import Settings
from voice.telephony.endpoint import EndpointConfig, EndpointStartError, call_limit
from voice.telephony.front import Line, SipFront
from voice.telephony.hotline import Hotline, _Prompts, serve_line, unavailable_handler

log = get_logger("voice.telephony")

_CHECK_SECONDS = 1.0
_STOP_SECONDS = 12.0
#: A line that died is started again at most this often (a line that cannot start does not spin).
_RESTART_SECONDS = 5.0


def lines_needed(max_calls: int) -> int:
    return max(1, math.ceil(max_calls / call_limit()))


def line_host(settings: Settings) -> str:
    """Where the front reaches its lines: ``sip_host``, or loopback when that is a wildcard."""
    return "127.0.0.1" if ip_address(settings.sip_host).is_unspecified else settings.sip_host


def rtp_ranges(settings: Settings, parts: int) -> list[tuple[int, int]]:
    """``sip_rtp_port_min..max`` cut into ``parts`` ranges (even starts: RTP, then RTCP)."""
    low, high = settings.sip_rtp_port_min, settings.sip_rtp_port_max
    size = max(2, (high - low + 1) // parts // 2 * 2)
    return [(low + i * size, min(high, low + (i + 1) * size - 1)) for i in range(parts)]


def line_settings(settings: Settings, rtp: tuple[int, int]) -> Settings:
    """A line's settings: any free port, its own RTP ports, and only the front may call it."""
    return settings.model_copy(update={"sip_port": 0, "sip_rtp_port_min": rtp[0], "sip_rtp_port_max": rtp[1],
                                       "sip_trusted_peers": line_host(settings), "sip_max_calls": call_limit()})


def _run_line(index: int, rtp: tuple[int, int], calls: Synchronized, port: Synchronized, front_pid: int) -> None:
    """A talking line's process (started by :class:`LineProcess`)."""
    from careline.logging import configure_stdlib
    from careline.settings import get_settings

    settings = line_settings(get_settings(), rtp)
    configure_stdlib(settings)

    async def main() -> None:
        stop = asyncio.Event()

        async def watch_front() -> None:
            while os.getppid() == front_pid:
                await asyncio.sleep(_CHECK_SECONDS)
            log.warning("hotline_line_orphaned", line=index)
            stop.set()

        watcher = asyncio.ensure_future(watch_front())

        def report(count: int) -> None:
            calls.value = count

        def ready(bound: int) -> None:
            port.value = bound
            log.info("hotline_line_ready", line=index, port=bound)

        try:
            await serve_line(settings, on_load=report, ready=ready, stop=stop)
        finally:
            watcher.cancel()

    try:
        asyncio.run(main())
    except EndpointStartError as error:
        log.error("hotline_line_failed", line=index, error=str(error))
        raise SystemExit(3) from None


@dataclass
class LineProcess:
    """One talking line: its process and what it shares with the front."""

    index: int
    rtp: tuple[int, int]
    line: Line
    calls: Synchronized
    port: Synchronized
    process: multiprocessing.process.BaseProcess | None = None
    started_at: float = 0.0

    @classmethod
    def make(cls, index: int, rtp: tuple[int, int]) -> LineProcess:
        context = multiprocessing.get_context("spawn")
        calls, port = context.Value("i", 0, lock=False), context.Value("i", 0, lock=False)
        line = Line(f"line-{index}", call_limit(), lambda: int(calls.value))
        return cls(index, rtp, line, calls, port)

    def start(self) -> None:
        self.calls.value, self.port.value = 0, 0
        self.line.restarted()
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(target=_run_line, name=f"careline-hotline-line-{self.index}",
                                       args=(self.index, self.rtp, self.calls, self.port, os.getpid()))
        self.process.start()
        self.started_at = time.monotonic()

    def check(self, host: str) -> None:
        """Note the port once the line bound it; start the line again if it died."""
        if self.process is None:
            return
        if not self.process.is_alive():
            if self.line.address is not None or self.port.value:
                log.error("hotline_line_died", line=self.index, exit_code=self.process.exitcode)
                self.line.address, self.port.value = None, 0
            if time.monotonic() - self.started_at >= _RESTART_SECONDS:
                self.start()
            return
        if self.line.address is None and self.port.value:
            self.line.address = (host, int(self.port.value))

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid or 0, signal.SIGTERM)

    def join(self, timeout: float) -> None:
        if self.process is None:
            return
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)


def _trusts(settings: Settings) -> Callable[[str], bool]:
    return EndpointConfig.from_settings(settings).trusts


async def serve(settings: Settings, ready: Callable[[], None] | None = None) -> None:
    """Run the hotline until SIGINT or SIGTERM. Raises :class:`EndpointStartError` when the
    front's port cannot be bound."""
    loop = asyncio.get_running_loop()
    host = line_host(settings)
    count = lines_needed(settings.sip_max_calls)
    ranges = rtp_ranges(settings, count + 1)
    workers = [LineProcess.make(index, ranges[index]) for index in range(count)]
    busy_hotline = Hotline(EndpointConfig.from_settings(line_settings(settings, ranges[-1])),
                           unavailable_handler(b""))
    busy_line = Line("busy", call_limit(), lambda: busy_hotline.endpoint.active_calls if busy_hotline.endpoint else 0,
                     talking=False)
    front = SipFront([worker.line for worker in workers], busy_line, settings.sip_max_calls, _trusts(settings),
                     settings.sip_hold_seconds, host)
    try:
        transport, _protocol = await loop.create_datagram_endpoint(
            lambda: front, local_addr=(settings.sip_host, settings.sip_port))
    except OSError as error:
        raise EndpointStartError(str(error)) from error
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        for worker in workers:
            worker.start()
        await busy_hotline.start()
        prompts = _Prompts(settings, ("hotline_busy",))
        busy_hotline.busy = busy_hotline.handler = unavailable_handler(prompts.audio("hotline_busy"))
        if busy_hotline.endpoint is not None:
            busy_line.address = (host, busy_hotline.endpoint.port)
        log.info("sip_front_listening", host=settings.sip_host, port=settings.sip_port, lines=count,
                 max_calls=settings.sip_max_calls, trusted_peers=settings.sip_trusted_peers)
        if ready is not None:
            ready()
        while not stop.is_set():
            for worker in workers:
                worker.check(host)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
    finally:
        log.info("hotline_stopping")
        transport.close()
        for worker in workers:
            worker.stop()
        await busy_hotline.stop()
        await loop.run_in_executor(None, lambda: [worker.join(_STOP_SECONDS) for worker in workers])

