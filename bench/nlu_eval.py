"""Held-out NLU evaluation per language: intent accuracy, macro F1, entity F1, parse latency.

Runs in the engine venv, on the model that `make model` trained:

    PYTHONPATH=. .venv-rasa/bin/python bench/nlu_eval.py [--model PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _entity_set(entities: list[dict]) -> set[tuple[str, str]]:
    return {(e["entity"], str(e.get("value", "")).strip().lower()) for e in entities}


async def evaluate(model: Path) -> None:
    import logging

    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.metrics import f1_score

    agent = Agent.load(str(model))
    for lang in ("zh", "en"):
        data = load_data(str(ROOT / "nlu" / lang / "test" / "test_nlu.yml"))
        gold, predicted, latencies = [], [], []
        tp = fp = fn = 0
        misses: list[str] = []
        for message in data.intent_examples:
            text = message.get("text")
            started = time.perf_counter()
            parsed = await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
            gold.append(message.get("intent"))
            predicted.append(parsed["intent"]["name"])
            if gold[-1] != predicted[-1]:
                misses.append(f"    {gold[-1]:>20} -> {predicted[-1]:<20} {text}")
            want = _entity_set(message.get("entities") or [])
            got = _entity_set(parsed.get("entities") or [])
            tp += len(want & got)
            fp += len(got - want)
            fn += len(want - got)
        accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
        macro = f1_score(gold, predicted, average="macro", labels=sorted(set(gold)), zero_division=0)
        entity_f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        latencies.sort()
        print(f"[{lang}] {len(gold)} held-out utterances")
        print(f"  intent accuracy {accuracy:.3f}   macro F1 {macro:.3f}   entity F1 {entity_f1:.3f}")
        print(f"  parse latency p50 {statistics.median(latencies):.1f} ms   "
              f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.1f} ms")
        if "--misses" in sys.argv:
            print("\n".join(misses))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list the misclassified utterances")
    args = parser.parse_args()
    from careline.engine import model_path

    asyncio.run(evaluate(args.model or model_path()))


if __name__ == "__main__":
    main()
