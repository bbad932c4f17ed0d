"""The entity extractor loaded from a model archive finds what the trained one finds, from the
taggers it saved (Rasa's own extractor trains its CRF again at every load)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from careline.engine import ENGINE_VENV, engine_env

PROBES = [
    "明天中午订两份午饭", "桂花村附近有没有食堂", "帮我妈约周三上午的理发", "我爸八十四了",
    "book two lunches for tomorrow", "is there a canteen near the old market", "my mum is 82",
    "I want a haircut on Wednesday morning", "", "😀", "x" * 3000,
]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    script = Path(__file__).with_name("crf_check.py")
    done = subprocess.run([str(ENGINE_VENV / "bin" / "python"), str(script)], input="\n".join(PROBES),
                          capture_output=True, text=True, env=engine_env(), timeout=600, check=True)
    return json.loads(done.stdout)


def test_the_loaded_extractor_uses_the_saved_taggers(report: dict[str, Any]) -> None:
    assert report["examples"] > 200
    assert report["loaded_taggers"] and set(report["loaded_taggers"].values()) == {report["saved_type"]}


def test_the_loaded_extractor_finds_the_same_entities_with_the_same_confidence(report: dict[str, Any]) -> None:
    assert report["loaded"] == report["trained"]
    assert sum(len(found) for found in report["trained"].values()) >= 8
