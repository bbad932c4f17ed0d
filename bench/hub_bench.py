"""Round trip through the conversation hub: p50/p95 latency and sustained messages per second
with 50 concurrent conversations, and the hub's own overhead (time in the hub minus the time
spent waiting for Rasa, per message). Prints figures; asserts nothing.

    .venv/bin/python bench/hub_bench.py [--conversations 50] [--turns 6]
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sample_stack import add_engine_options, sample_stack  # noqa: E402
from bot.hub.bot_client import RasaClient  # noqa: E402
from bot.hub.hub import Hub  # noqa: E402
from bot.hub.messages import Inbound, Reply  # noqa: E402
from careline.stack import Stack  # noqa: E402
from knowledge import db  # noqa: E402

SCRIPTS = {
    "zh": ["你好", "高龄津贴是什么", "桂花村附近有没有食堂", "这周有什么活动", "谢谢你"],
    "en": ["hello", "what is the old age allowance", "is there a canteen near Guihua Village",
           "what activities are on this week", "thank you"],
}


SPENT: contextvars.ContextVar[list[float]] = contextvars.ContextVar("spent")


class TimedRasa(RasaClient):
    """The real client, timing each call (per asyncio task) so the hub's own share can be told apart."""

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[Reply]:
        started = time.perf_counter()
        try:
            return await super().send(sender, text, metadata)
        finally:
            SPENT.get().append((time.perf_counter() - started) * 1000)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * q) - 1)]


async def conversation(hub: Hub, index: int, turns: int, total: list[float],
                       own: list[float], think: float) -> None:
    lang = "zh" if index % 2 == 0 else "en"
    name = f"bench-{index}-{time.monotonic_ns()}"
    if think:  # people do not all start typing in the same millisecond
        await asyncio.sleep(think * (index % 50) / 50)
    for turn in range(turns):
        text = SCRIPTS[lang][turn % len(SCRIPTS[lang])]
        spent: list[float] = []
        SPENT.set(spent)
        started = time.perf_counter()
        replies = await hub.handle(Inbound(channel="cli", conversation=name, address=name, text=text,
                                           language=lang, district_key="qinglin-county"))
        if any(r.role != "answer" for r in replies):
            raise SystemExit(f"the hub answered {[r.role for r in replies]}: the figures would be wrong")
        elapsed = (time.perf_counter() - started) * 1000
        total.append(elapsed)
        own.append(elapsed - sum(spent))
        if think:
            await asyncio.sleep(think)


async def direct(bot: RasaClient, conversations: int, turns: int) -> list[float]:
    latencies: list[float] = []

    async def one(index: int) -> None:
        lang = "zh" if index % 2 == 0 else "en"
        for turn in range(turns):
            started = time.perf_counter()
            replies = await bot.send(f"direct-{index}-{time.monotonic_ns()}", SCRIPTS[lang][turn % 5],
                                     {"language": lang, "district": "qinglin-county"})
            if any(r.role != "answer" for r in replies):
                raise SystemExit("Rasa answered with a holding or trouble reply: the figures would be wrong")
            latencies.append((time.perf_counter() - started) * 1000)

    await asyncio.gather(*(one(i) for i in range(conversations)))
    return latencies


async def run(stack: Stack, url: str, conversations: int, turns: int, think: float) -> None:
    bot = TimedRasa(stack.all_rasa_urls, timeout=120, token=stack.rasa_token)
    hub = Hub(db.session_factory(db.make_engine(url)), bot)
    await asyncio.gather(*(conversation(hub, 10_000 + i, 2, [], [], 0) for i in range(5)))  # warm-up
    for concurrency, pause in ((1, 0.0), (conversations, think)):
        total: list[float] = []
        own: list[float] = []
        started = time.perf_counter()
        await asyncio.gather(*(conversation(hub, i, turns, total, own, pause) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
        label = f"{concurrency:3d} concurrent" + (f" (a message every ~{pause:g} s each)" if pause else "")
        print(f"hub   {label}: {len(total)} messages  p50 {statistics.median(total):.0f} ms  "
              f"p95 {pct(total, 0.95):.0f} ms  {len(total) / elapsed:.1f} msg/s  |  hub's own time "
              f"p50 {statistics.median(own):.1f} ms  p95 {pct(own, 0.95):.1f} ms")
    plain = RasaClient(stack.rasa_url, timeout=120, token=stack.rasa_token)
    direct_latencies = await direct(plain, 1, turns)
    print(f"rasa directly, 1 conversation: p50 {statistics.median(direct_latencies):.0f} ms  "
          f"p95 {pct(direct_latencies, 0.95):.0f} ms")
    await plain.aclose()
    await bot.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=50)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--think", type=float, default=3.0,
                        help="seconds each simulated person waits before the next message (0: as fast as possible)")
    add_engine_options(parser)
    args = parser.parse_args()
    with sample_stack(args) as (stack, url):
        asyncio.run(run(stack, url, args.conversations, args.turns, args.think))
        if args.think:
            asyncio.run(run(stack, url, args.conversations, args.turns, 0.0))


if __name__ == "__main__":
    main()
