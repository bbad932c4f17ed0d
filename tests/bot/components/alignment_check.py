"""Run in the engine venv by test_chinese_tokenizer.py: tokenizes the Mandarin training data as the
pipeline does (with the Jieba dictionary from the repository) and prints, as JSON, every
annotated entity whose start or end falls inside a token, then the tokens of the lines on stdin."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

from bot.components.chinese_tokenizer import ChineseTokenizer

ROOT = Path(__file__).resolve().parents[3]


def main() -> None:
    ChineseTokenizer._load_custom_dictionary(str(ROOT / "bot" / "jieba" / "dictionary"))
    tokenizer = ChineseTokenizer(ChineseTokenizer.get_default_config(), None, None)  # type: ignore[arg-type]
    misaligned, total = [], 0
    for path in sorted((ROOT / "nlu" / "zh").glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            tokens = tokenizer.tokenize(message, "text")
            starts, ends = {t.start for t in tokens}, {t.end for t in tokens}
            for entity in message.get("entities") or []:
                total += 1
                if entity["start"] not in starts or entity["end"] not in ends:
                    misaligned.append([message.get("text"), message.get("text")[entity["start"]:entity["end"]]])
    probes = {line.rstrip("\n"): [t.text for t in tokenizer.tokenize(Message(data={"text": line.rstrip("\n")}), "text")]
              for line in sys.stdin}
    json.dump({"total": total, "misaligned": misaligned, "tokens": probes}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
