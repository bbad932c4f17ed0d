"""Rebuild the Jieba user dictionary from the Chinese training data's entity words, so that
segmentation keeps each annotated place, service and date whole (held-out sets excluded).

    .venv/bin/python bot/jieba/build.py
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ENTITY = re.compile(r"\[([^\]]+)\]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def entity_words() -> set[str]:
    words: set[str] = set()
    for path in sorted((ROOT / "nlu" / "zh").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            words.update(w.strip() for w in ENTITY.findall(block.get("examples") or ""))
            if "synonym" in block:
                words.update(line.lstrip("- ").strip() for line in (block.get("examples") or "").splitlines())
    return {w for w in words if CJK.search(w) and 1 < len(w) <= 12 and " " not in w}


def main() -> None:
    target = HERE / "careline.txt"
    existing = {line.split()[0] for line in target.read_text(encoding="utf-8").splitlines() if line.strip()}
    words = sorted(existing | entity_words())
    target.write_text("".join(f"{w} 50\n" for w in words), encoding="utf-8")
    print(f"{len(words)} words ({len(words) - len(existing)} new)")


if __name__ == "__main__":
    main()
