"""The Mandarin tokenizer keeps the training data's entities whole and cuts numbers from their
measure words, so that the entity extractor can learn and find them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from careline.engine import ENGINE_VENV, engine_env

CUTS = [
    ("报两个人", ["报", "两", "个", "人"]),
    ("明天订三份午饭", ["明天", "订", "三", "份", "午饭"]),
    ("第二个吧", ["第二", "个", "吧"]),
    ("后天下午有什么活动", ["后天", "下午", "有", "什么", "活动"]),
    ("三", ["三"]),
    ("hello 2 people", ["hello", "2", "people"]),
]
# Jieba's own words across an entity's edge: none left (stop 23 reworded the last five examples;
# a dictionary entry to force them apart would cut the same characters wrongly elsewhere).
KNOWN: set[tuple[str, str]] = set()


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    script = Path(__file__).with_name("alignment_check.py")
    done = subprocess.run([str(ENGINE_VENV / "bin" / "python"), str(script)], input="\n".join(text for text, _ in CUTS),
                          capture_output=True, text=True, env=engine_env(), timeout=300, check=True)
    return json.loads(done.stdout)


def test_every_mandarin_annotation_starts_and_ends_on_a_token_edge(report: dict[str, Any]) -> None:
    assert report["total"] > 2000
    found = {(text, value) for text, value in report["misaligned"]}
    assert found <= KNOWN, sorted(found - KNOWN)


@pytest.mark.parametrize(("text", "tokens"), CUTS, ids=[text for text, _ in CUTS])
def test_numbers_are_cut_from_measure_words_and_dates_stay_whole(report: dict[str, Any], text: str,
                                                                  tokens: list[str]) -> None:
    assert [t for t in report["tokens"][text] if t.strip()] == tokens
