"""How the trained model reads people it was not written for: the independent held-out sets.

``bench/heldout/{zh,en}.yml``, ``bench/heldout2/{zh,en}.yml`` and ``bench/heldout3/{zh,en}.yml`` were
each written by an evaluator who never saw the training data (each later one by one who never saw
the earlier ones either; the third saw no project file at all), with
their own labels (what the person wants). Each label maps to the intents that would serve the
person; a prediction outside that set is a miss. Prints per language: accuracy, false emergency
alarms (non-emergencies the engine would treat as emergencies, rules and model together, as the
hub does), missed emergencies, and the labels most often missed. Runs in the engine venv:

    PYTHONPATH=. .venv-rasa/bin/python bench/heldout_eval.py [--model PATH] [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

#: The evaluator's labels and the intents that serve each (nlu/INTENTS.md).
SERVES: dict[str, frozenset[str]] = {label: frozenset(intents) for label, intents in {
    "greet": {"greet"},
    "goodbye": {"goodbye"},
    "thanks": {"thank"},
    "ask_policy": {"ask_policy"},
    "ask_how_to_apply": {"ask_more"},
    "check_eligibility": {"check_eligibility"},
    "ask_price": {"ask_more", "list_meals", "list_activities"},
    "book_activity": {"book_activity"},
    "book_meal": {"book_meal"},
    "book_home_service": {"request_home_service"},
    "cancel_booking": {"cancel_booking"},
    "list_activities": {"list_activities"},
    "find_service_point": {"find_service_point"},
    "ask_point_details": {"find_service_point", "list_meals"},
    # volunteer_join (added after this set was written) answers joining the time bank from its data
    "time_bank": {"time_bank_hours", "request_volunteer", "ask_policy", "ask_more", "volunteer_join"},
    "ask_person": {"human_handoff"},
    "switch_language": {"change_language"},
    "emergency": {"emergency"},
    "affirm": {"affirm"},
    "deny": {"deny"},
    "repeat": {"repeat"},
    "out_of_scope": {"out_of_scope", "nlu_fallback"},
    "chitchat": {"out_of_scope", "who_are_you", "greet", "nlu_fallback"},
}.items()}


#: The independent sets, each written by a different evaluator (see their README.md).
SETS = ("heldout", "heldout2", "heldout3")
#: Development sets: labelled with the intents themselves; read to find what to correct, so their
#: figures are not independent (``--set intent_dev``).
DEV_SETS = ("intent_dev",)


def load(language: str, name: str = "heldout") -> list[dict]:
    """A set's items with ``want`` (the label) and ``emergency`` filled in whichever way it spells them."""
    import yaml

    items = yaml.safe_load((ROOT / "bench" / name / f"{language}.yml").read_text(encoding="utf-8"))
    for item in items:
        if "intent" in item:
            item["want"] = item["intent"]
            item["serves"] = frozenset({item["intent"], "nlu_fallback"} if item["intent"] == "out_of_scope"
                                       else {item["intent"]})
        else:
            item["want"] = item.get("want") or item.get("label")
            item["serves"] = SERVES.get(item["want"], frozenset())
        item["emergency"] = bool(item.get("emergency")) or item["want"] == "emergency"
    unknown = {item["want"] for item in items if "intent" not in item} - SERVES.keys()
    if unknown:
        raise SystemExit(f"labels without a mapping: {sorted(unknown)}")
    return items


async def evaluate(model: Path, show_misses: bool, sets: tuple[str, ...] = SETS) -> None:
    import logging

    import structlog

    logging.disable(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    for name, language in ((name, language) for name in sets for language in ("zh", "en")):
        items = load(language, name)
        right, false_alarms, missed_alarms = 0, [], []
        by_tag: collections.Counter[str] = collections.Counter()
        right_by_tag: collections.Counter[str] = collections.Counter()
        missed_by_label: collections.Counter[str] = collections.Counter()
        confusions: collections.Counter[tuple[str, str]] = collections.Counter()
        misses: list[str] = []
        for item in items:
            parsed = await agent.parse_message(item["text"])
            intent = parsed["intent"]["name"]
            served = intent in item["serves"]
            for tag in item.get("tags") or ():
                by_tag[tag] += 1
                right_by_tag[tag] += served
            if served:
                right += 1
            else:
                missed_by_label[item["want"]] += 1
                confusions[(item["want"], intent)] += 1
                misses.append(f"    {item['want']:>18} -> {intent:<20} {item['text']}")
            alarmed = intent == "emergency"
            if alarmed and not item.get("emergency"):
                false_alarms.append(item["text"])
            if item.get("emergency") and not alarmed:
                missed_alarms.append(item["text"])
        total = len(items)
        calm = sum(not item.get("emergency") for item in items)
        print(f"[{name} {language}] {total} held-out utterances ({total - calm} emergencies)")
        print(f"  accuracy {right / total:.3f}   false alarms {len(false_alarms)}/{calm}   "
              f"missed emergencies {len(missed_alarms)}/{total - calm}")
        print("  most missed: " + ", ".join(f"{label} {n}" for label, n in missed_by_label.most_common(6)))
        print("  most confused: " + ", ".join(f"{a}->{b} {n}" for (a, b), n in confusions.most_common(6)))
        if by_tag:
            print("  by tag: " + ", ".join(f"{tag} {right_by_tag[tag] / n:.2f} (n={n})"
                                           for tag, n in sorted(by_tag.items(), key=lambda kv: -kv[1])))
        if show_misses:
            print("\n".join(misses))
            print("  false alarms:\n" + "\n".join(f"    {t}" for t in false_alarms))
            print("  missed emergencies:\n" + "\n".join(f"    {t}" for t in missed_alarms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--set", choices=SETS + DEV_SETS, action="append", help="only this set (default: all)")
    args = parser.parse_args()
    from careline.engine import model_path

    asyncio.run(evaluate(args.model or model_path(), args.misses, tuple(args.set or SETS)))


if __name__ == "__main__":
    main()
