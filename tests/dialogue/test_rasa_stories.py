"""Rasa's own checks: `rasa data validate` is clean and the end-to-end test stories pass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from careline.engine import ENGINE_VENV, TrainingInputs, engine_env, model_path
from careline.paths import PROJECT_ROOT

pytestmark = [pytest.mark.dialogue, pytest.mark.long]


def _rasa(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(ENGINE_VENV / "bin" / "rasa"), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, env=engine_env(), timeout=600)


def test_data_validates() -> None:
    inputs = TrainingInputs.of_project()
    done = _rasa("data", "validate", "--config", str(inputs.config), "--domain", str(inputs.domain),
                 "--data", *map(str, inputs.data))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "ERROR" not in done.stdout + done.stderr


def test_end_to_end_stories_pass(tmp_path: Path) -> None:
    stories = PROJECT_ROOT / "tests" / "test_stories.yml"
    done = _rasa("test", "core", "--model", str(model_path()), "--stories", str(stories), "--out", str(tmp_path),
                 "--no-plot")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "story_report.json").read_text())
    assert report["conversation_accuracy"]["accuracy"] == 1.0, report["conversation_accuracy"]
