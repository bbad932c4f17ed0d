"""Message round trip through Rasa and the action server: p50/p95 latency and sustained messages
per second with 20 concurrent conversations. Prints figures; asserts nothing.

Two loads: people who read the answer before they write again (``--think`` seconds between a
reply and the next message, as on a phone or in a chat) and a flood where every conversation
sends its next message the moment the reply arrives (the most the two cores can take).

    .venv/bin/python bench/chat_bench.py [--conversations 20] [--turns 10] [--think 2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sample_stack import add_engine_options, sample_stack  # noqa: E402
from careline.stack import Stack  # noqa: E402

SCRIPTS = {
    "zh": ["你好", "高龄津贴是什么", "桂花村附近有没有食堂", "这周有什么活动", "谢谢你"],
    "en": ["hello", "what is the old age allowance", "is there a canteen near Guihua Village",
           "what activities are on this week", "thank you"],
}


async def conversation(client: httpx.AsyncClient, url: str, index: int, turns: int,
                       latencies: list[float], think: float = 0.0) -> None:
    lang = "zh" if index % 2 == 0 else "en"
    script = SCRIPTS[lang]
    metadata = {"language": lang, "district": "qinglin-county", "channel": "bench"}
    if think:  # people do not all start typing in the same millisecond
        await asyncio.sleep(think * (index % 20) / 20)
    for turn in range(turns):
        started = time.perf_counter()
        response = await client.post(url, json={"sender": f"bench-{index}", "message": script[turn % len(script)],
                                                "metadata": metadata})
        response.raise_for_status()
        latencies.append((time.perf_counter() - started) * 1000)
        if any(isinstance(m, dict) and m.get("custom") for m in response.json()):
            raise SystemExit("the assistant answered with a holding or trouble reply: the figures would be wrong")
        if think:
            await asyncio.sleep(think * (0.5 + (index * 7919 + turn * 104729) % 1000 / 1000))


async def run(stack: Stack, conversations: int, turns: int, think: float = 0.0) -> tuple[list[float], float]:
    urls = [f"{u}/webhooks/careline/webhook" for u in stack.all_rasa_urls.split(",")]
    latencies: list[float] = []
    async with httpx.AsyncClient(timeout=120, headers=stack.headers) as client:
        warm = (conversation(client, urls[i % len(urls)], i, 2, []) for i in range(conversations))
        await asyncio.gather(*warm)
        started = time.perf_counter()
        await asyncio.gather(*(conversation(client, urls[i % len(urls)], 1000 + i, turns, latencies, think)
                               for i in range(conversations)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0,
                        help="mean seconds a person takes between a reply and their next message")
    add_engine_options(parser)
    args = parser.parse_args()
    with sample_stack(args) as (stack, _url):
        for concurrency, think in ((1, 0.0), (args.conversations, args.think), (args.conversations, 0.0)):
            latencies, elapsed = asyncio.run(run(stack, concurrency, args.turns, think))
            latencies.sort()
            p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
            load = f"people pausing ~{think:g} s" if think else "back to back" if concurrency > 1 else "alone"
            print(f"{concurrency:3d} concurrent conversations ({load}), {len(latencies)} messages: "
                  f"p50 {statistics.median(latencies):.0f} ms   p95 {p95:.0f} ms   "
                  f"{len(latencies) / elapsed:.1f} messages/s")


if __name__ == "__main__":
    main()
