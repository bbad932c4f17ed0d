"""How many questions that name an unseen district's things are answered (issue 14, section 1).

Starts a Rasa and action server over a throw-away database with the sample districts and the
Yulin test district, sends each question of ``bench/data/name_questions.yaml`` in a new
conversation, and prints which are answered, per language. Run it with the code to measure on
``PYTHONPATH`` (the project root); ``--strip-aliases`` imports the district without the aliases
of policies, activities and services, for code that does not know them (a revision before 0011).

    PYTHONPATH=$PWD .venv/bin/python bench/name_eval.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "data" / "name_questions.yaml"
DISTRICT = HERE.parent / "tests" / "fixtures" / "bundles" / "yulin-subdistrict"
DISTRICT_KEY = "yulin-subdistrict"
NEW_ALIASES = ("policies.yaml", "activities.yaml", "home_services.yaml", "meal_services.yaml")


def without_aliases(bundle: Path, folder: Path) -> Path:
    copy = folder / bundle.name
    shutil.copytree(bundle, copy)
    for name in NEW_ALIASES:
        items = yaml.safe_load((copy / name).read_text(encoding="utf-8"))
        for item in items:
            item.pop("aliases", None)
        (copy / name).write_text(yaml.safe_dump(items, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return copy


def answered(replies: list[dict[str, Any]], expect: list[str]) -> bool:
    said = "\n".join(r.get("text") or "" for r in replies)
    return any(e in said for e in expect)


def main() -> None:
    from careline import stack as stacks
    from careline.engine import model_path
    from careline.paths import SAMPLE_BUNDLES
    from careline.stack import Stack
    from knowledge import db
    from knowledge.bundle import import_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strip-aliases", action="store_true")
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--verbose", action="store_true", help="print the replies to the questions missed")
    args = parser.parse_args()
    waits = stacks.wait_http
    # a busy two-core machine can take more than the minute the stack allows the action server
    stacks.wait_http = lambda url, process, timeout, log: waits(url, process, max(timeout, 900), log)  # type: ignore[assignment]
    questions = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        district = without_aliases(DISTRICT, folder) if args.strip_aliases else DISTRICT
        url = f"sqlite:///{folder / 'eval.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        start = dt.datetime.combine(dt.date.today(), dt.time(10, 0))
        for bundle in (SAMPLE_BUNDLES, district):
            result = import_path(db.session_factory(engine), bundle, start.date())
            assert result.ok, [p.say("en") for p in result.problems]
        engine.dispose()
        stack = Stack(folder, url, reply_timeout=60, clock_start=start)
        totals: dict[str, list[int]] = {}
        try:
            stack.start(args.model or model_path())
            for question in questions:
                sender = f"eval-{uuid.uuid4().hex[:10]}"
                metadata = {"language": question["lang"], "channel": "telegram"}
                district_key = question.get("district", DISTRICT_KEY)
                if district_key:
                    metadata["district"] = district_key
                if question.get("elder"):
                    metadata["elder"] = question["elder"]
                replies: list[dict[str, Any]] = []
                for text in question["say"]:
                    replies = stack.say(sender, text, **metadata)
                ok = answered(replies, question["expect"])
                totals.setdefault(question["lang"], [0, 0])
                totals[question["lang"]][0] += ok
                totals[question["lang"]][1] += 1
                mark = "ok  " if ok else "MISS"
                print(f"{mark} [{question['lang']}] {' / '.join(question['say'])}")
                if args.verbose and not ok:
                    print("       " + " | ".join((r.get("text") or "").replace("\n", " ") for r in replies)[:300])
        finally:
            stack.stop()
    for lang, (hit, total) in sorted(totals.items()):
        print(f"{lang}: {hit}/{total} answered")
    print(f"all: {sum(h for h, _ in totals.values())}/{sum(t for _, t in totals.values())} answered")


if __name__ == "__main__":
    main()
