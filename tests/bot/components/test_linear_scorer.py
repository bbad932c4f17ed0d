"""The intent classifier's numpy scorer gives exactly sklearn's probabilities (it replaces sklearn's
per-message call in the Rasa server, so a difference would change every prediction), and the same
after it is saved and loaded as the model archive stores it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from careline.engine import ENGINE_VENV, engine_env

PROBES = [
    "高龄津贴是什么", "我妈八十二了能领吗", "桂花村附近有没有食堂", "明天中午订个饭", "救命", "再说一遍",
    "what is the old age allowance", "can my dad get it, he's 84", "cancel my lunch tomorrow",
    "is there a canteen near the old market", "thank you love", "hello?",
    "😀😀😀", "§§§ ~~~", "", "x" * 5000, "高龄 allowance 是什么 please", "'; DROP TABLE bookings; --",
]


def test_scorer_matches_sklearn_on_both_languages_and_odd_input() -> None:
    script = Path(__file__).with_name("scorer_check.py")
    done = subprocess.run([str(ENGINE_VENV / "bin" / "python"), str(script)], input="\n".join(PROBES),
                          capture_output=True, text=True, env=engine_env(), timeout=600, check=True)
    report = json.loads(done.stdout)
    for name in ("calibrated", "plain", "calibrated_embedding"):
        assert report[name]["same_classes"]
        assert report[name]["max_difference"] < 1e-9, report[name]
        assert report[name]["max_difference_loaded"] < 1e-9, report[name]
