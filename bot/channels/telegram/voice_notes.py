"""Voice notes are transcribed on their own bounded worker, never on the threads the hub's
database work runs on: at most ``workers`` at a time, at most ``queue`` more waiting, and any
beyond that are turned away (the person is asked to send it again or type), so five long notes
never stall the hub or the other chats."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

Transcriber = Callable[[bytes, str], str] | Callable[[bytes, str], Awaitable[str]]


class Busy(Exception):
    """More voice notes are waiting than the queue holds."""


class VoiceNotes:
    """Runs a transcriber with bounded concurrency. A plain function runs on this worker's own
    threads; a coroutine function (one that manages its own threads) is only bounded."""

    def __init__(self, transcribe: Transcriber, workers: int = 1, queue: int = 10) -> None:
        self.transcribe = transcribe
        self.workers, self.queue = workers, queue
        self._slots = asyncio.Semaphore(workers)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="voice-note")
        self._admitted = 0

    async def text_of(self, data: bytes, language: str) -> str:
        """The transcript; :class:`Busy` when the queue is full."""
        if self._admitted >= self.workers + self.queue:
            raise Busy
        self._admitted += 1
        try:
            async with self._slots:
                if _is_async(self.transcribe):
                    return await self.transcribe(data, language)
                loop = asyncio.get_running_loop()
                return await loop.run_in_executor(self._pool, self.transcribe, data, language)  # type: ignore[arg-type]
        finally:
            self._admitted -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _is_async(function: object) -> bool:
    call = type(function).__call__ if not inspect.isfunction(function) else None
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(call)
