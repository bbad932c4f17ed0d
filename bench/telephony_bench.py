"""Telephony figures: call setup time and the hotline's CPU and memory per call.

    .venv/bin/python bench/telephony_bench.py [--seconds 8] [--concurrency 1 4]

Runs the real SIP endpoint (pjsua2) in this process with a session that sends back every frame
it hears (so RTP flows both ways and every frame crosses the pjsua2/Python boundary twice), and
SIPp (Debian ``sip-tester``) as the callers, each streaming real speech (Debian
``pocketsphinx-testdata``). Prints, per number of calls at once: INVITE → 200 OK p50/p95 (SIPp's
own response-time trace), this process's CPU per call (percent of one core) and RSS per call.
Four calls at once is the most the pjsua2-python wheel answers (see README, Hotline: telephony).
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import audioop
import csv
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.voice.telephony.tools import free_udp_port  # noqa: E402
from voice.audio import resample  # noqa: E402
from voice.call import Call, EventKind  # noqa: E402
from voice.telephony.endpoint import EndpointConfig  # noqa: E402
from voice.telephony.hotline import Hotline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "voice" / "telephony" / "scenarios" / "call.xml"
SPEECH = Path("/usr/share/pocketsphinx/test/data/goforward.raw")


async def echo(call: Call) -> None:
    while True:
        event = await call.next_event(5)
        if event is None:
            continue
        if event.kind is EventKind.AUDIO:
            call.play(event.audio)
        elif event.kind is EventKind.HANGUP:
            return


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def run_calls(port: int, calls: int, seconds: float, folder: Path) -> list[float]:
    """``calls`` SIPp calls at once; INVITE → 200 times in ms."""
    subprocess.run(
        ["sipp", f"127.0.0.1:{port}", "-sf", str(SCENARIO), "-s", "bench", "-key", "caller", "13900000000",
         "-i", "127.0.0.1", "-mi", "127.0.0.1", "-m", str(calls), "-l", str(calls), "-r", str(calls * 4),
         "-d", str(int(seconds * 1000)), "-nostdin", "-timeout", f"{int(seconds + 60)}s",
         "-trace_rtt", "-rtt_freq", "1"],
        cwd=folder, capture_output=True, timeout=seconds + 90)
    times = []
    for rtt in folder.glob("*_rtt.csv"):  # SIPp names it <scenario>_<pid>_rtt.csv
        with rtt.open() as handle:
            for row in csv.reader(handle, delimiter=";"):
                try:
                    times.append(float(row[1]))  # date_ms;response_time;rtd_no
                except (IndexError, ValueError):
                    continue
        rtt.unlink()
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each call")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()

    port = free_udp_port()
    rtp = min(free_udp_port() // 2 * 2, 63000)
    config = EndpointConfig(port=port, rtp_port_min=rtp, rtp_port_max=rtp + 400, max_calls=4)
    hotline = Hotline(config, echo)
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(hotline.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    ready.wait(30)
    print(f"telephony bench: pjsua2 endpoint on 127.0.0.1:{port}, SIPp callers streaming real speech "
          f"for {args.seconds:.0f} s each, the session echoing every frame")
    print(f"{'calls at once':>13} | {'setup p50':>9} | {'setup p95':>9} | {'CPU/call':>9} | {'RSS/call':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        speech = resample(SPEECH.read_bytes(), 16000, 8000)
        (folder / "caller.ulaw").write_bytes(audioop.lin2ulaw(speech, 2))
        run_calls(port, 1, 1.0, folder)  # warm-up
        for calls in args.concurrency:
            idle_start, idle_cpu = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
            time.sleep(2.0)
            idle_end = resource.getrusage(resource.RUSAGE_SELF)
            idle_rate = ((idle_end.ru_utime + idle_end.ru_stime) - (idle_cpu.ru_utime + idle_cpu.ru_stime)) / (
                time.monotonic() - idle_start)
            rss_before, started = rss_kib(), time.monotonic()
            before = resource.getrusage(resource.RUSAGE_SELF)
            peak = [rss_before]
            sampling = threading.Event()

            def sample(peak: list[int] = peak, sampling: threading.Event = sampling) -> None:
                while not sampling.wait(0.5):
                    peak[0] = max(peak[0], rss_kib())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            times = run_calls(port, calls, args.seconds, folder)
            sampling.set()
            sampler.join()
            after, elapsed = resource.getrusage(resource.RUSAGE_SELF), time.monotonic() - started
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime) - idle_rate * elapsed
            per_call = 100 * cpu / (calls * args.seconds)
            print(f"{calls:>13} | {percentile(times, 0.5):>6.1f} ms | {percentile(times, 0.95):>6.1f} ms | "
                  f"{per_call:>7.1f} % | {(peak[0] - rss_before) / calls / 1024:>6.1f} MB"
                  f"   ({len(times)} setups)")
    asyncio.run_coroutine_threadsafe(hotline.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


if __name__ == "__main__":
    main()
