"""Secrets made on first run: one per name, shared by every process, private to the owner."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from careline.secrets import secret
from careline.settings import Settings


def test_a_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    first = secret("action_server", settings)
    assert len(first) >= 40
    assert secret("action_server", settings) == first
    assert secret("rasa_api", settings) != first
    mode = stat.S_IMODE((tmp_path / "secrets" / "action_server").stat().st_mode)
    assert mode == 0o600


def test_processes_starting_at_once_agree(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(secret("link_codes", settings))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1 and len(seen) == 16


def test_the_operators_secret_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert secret("rasa_api", Settings(var_dir=tmp_path, secrets={"rasa_api": "from-settings"})) == "from-settings"
    monkeypatch.setenv("CARELINE_SECRET_RASA_API", "from-env")
    assert secret("rasa_api", Settings(var_dir=tmp_path)) == "from-env"
    assert not (tmp_path / "secrets" / "rasa_api").exists()


def test_a_bad_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        secret("../etc/passwd", Settings(var_dir=tmp_path))
