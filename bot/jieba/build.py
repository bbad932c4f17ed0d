"""Rebuild the Jieba user dictionary from the Chinese training data's entity words, so that
segmentation keeps each annotated place, service and date whole (held-out sets excluded).

A word's frequency is Jieba's own or ``FLOOR``, whichever is higher: a user dictionary replaces
the frequency of a word Jieba already knows, and writing 明天 or 下午 with a small one let 天下
win, so that 后天下午 was cut 后|天下|午 and the date was lost.

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
FLOOR = 50


def entity_words() -> set[str]:
    words: set[str] = set()
    for path in sorted((ROOT / "nlu" / "zh").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            words.update(w.strip() for w in ENTITY.findall(block.get("examples") or ""))
            if "synonym" in block:
                words.update(line.lstrip("- ").strip() for line in (block.get("examples") or "").splitlines())
    return {w for w in words if CJK.search(w) and 1 < len(w) <= 12 and " " not in w}


def jieba_frequencies() -> dict[str, int]:
    import jieba

    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as lines:
        return {word: int(freq) for word, freq, *_ in (line.split() for line in lines)}


def main() -> None:
    target = HERE / "dictionary" / "careline.txt"
    existing = {line.split()[0] for line in target.read_text(encoding="utf-8").splitlines() if line.strip()}
    words = sorted(existing | entity_words())
    known = jieba_frequencies()
    target.write_text("".join(f"{w} {max(known.get(w, 0), FLOOR)}\n" for w in words), encoding="utf-8")
    print(f"{len(words)} words ({len(words) - len(existing)} new)")


if __name__ == "__main__":
    main()
