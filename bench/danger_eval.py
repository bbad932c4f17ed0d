"""The emergency check on the danger-word development set (``bench/danger_dev/``): false alarms
and missed emergencies, for the rules alone (``bot/emergency.py``) and for the whole engine
(rules and the trained model together, as the hub reads a message). Runs in the engine venv:

    PYTHONPATH=. .venv-rasa/bin/python bench/danger_eval.py [--model PATH] [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def load(language: str) -> list[dict[str, str]]:
    with (ROOT / "bench" / "danger_dev" / f"{language}.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


async def evaluate(model: Path | None, show_misses: bool) -> None:
    import logging

    from bot.emergency import is_emergency

    logging.disable(logging.WARNING)
    agent = None
    if model is not None:
        from rasa.core.agent import Agent

        agent = Agent.load(str(model))
    for language in ("zh", "en"):
        rows = load(language)
        calm = [r for r in rows if r["label"] == "not"]
        danger = [r for r in rows if r["label"] == "emergency"]
        verdicts = {"rules": {r["text"]: is_emergency(r["text"]) for r in rows}}
        if agent is not None:
            verdicts["engine"] = {r["text"]: (await agent.parse_message(r["text"]))["intent"]["name"] == "emergency"
                                  for r in rows}
        for name, alarmed in verdicts.items():
            alarms = [r for r in calm if alarmed[r["text"]]]
            missed = [r for r in danger if not alarmed[r["text"]]]
            print(f"[{language} {name}] false alarms {len(alarms)}/{len(calm)}   "
                  f"missed emergencies {len(missed)}/{len(danger)}")
            if show_misses:
                for r in alarms:
                    print(f"    alarm ({r['note']}): {r['text']}")
                for r in missed:
                    print(f"    missed ({r['note']}): {r['text']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--rules-only", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list every false alarm and miss")
    args = parser.parse_args()
    model = None
    if not args.rules_only:
        from careline.engine import model_path

        model = args.model or model_path()
    asyncio.run(evaluate(model, args.misses))


if __name__ == "__main__":
    main()
