"""The ``careline`` command as an operator uses it, in a real subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import MAPLE


def careline(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
             timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "careline", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout)


def test_help_speaks_both_languages() -> None:
    done = careline("--help")
    assert done.returncode == 0
    for word in ("import", "export", "run", "db", "导入区县数据包", "Import district bundles"):
        assert word in done.stdout


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_missing_path_is_explained(tmp_path: Path, lang: str) -> None:
    done = careline("import", str(tmp_path / "nope"), "--lang", lang,
                    env={"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 2
    assert ("找不到这个路径" if lang == "zh" else "This path does not exist") in done.stderr
    assert not (tmp_path / "x.db").exists()


def test_folder_without_bundle(tmp_path: Path) -> None:
    done = careline("import", str(tmp_path), "--lang", "en",
                    env={"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 1 and "no district bundle here" in done.stderr


def test_unreachable_database_is_explained(tmp_path: Path) -> None:
    done = careline("db", "upgrade", "--lang", "en",
                    env={"CARELINE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert done.returncode == 3
    assert "Cannot reach the database" in done.stderr and "Traceback" not in done.stderr


def test_import_needs_an_upgraded_schema(tmp_path: Path) -> None:
    env = {"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db", "CARELINE_LANGUAGE": "en"}
    done = careline("import", str(MAPLE), env=env)
    assert done.returncode == 3 and "careline db upgrade" in done.stderr


def test_import_dry_run_export_round_trip(tmp_path: Path) -> None:
    env = {"CARELINE_DATABASE_URL": f"sqlite:///{tmp_path}/c.db", "CARELINE_LANGUAGE": "en"}
    assert careline("db", "upgrade", env=env).returncode == 0
    dry = careline("import", str(MAPLE), "--dry-run", env=env)
    assert dry.returncode == 0
    assert "Dry run" in dry.stdout and "places: 4 created" in dry.stdout
    assert careline("export", str(tmp_path / "empty"), env=env).returncode == 1
    first = careline("import", str(MAPLE), env=env)
    assert first.returncode == 0 and "District maple-town (new):" in first.stdout
    again = careline("import", str(MAPLE), "--lang", "zh", env=env)
    assert again.returncode == 0 and "没有变化" in again.stdout
    out = tmp_path / "out"
    done = careline("export", str(out), env=env)
    assert done.returncode == 0
    assert sorted(p.name for p in (out / "maple-town").iterdir()) == sorted(p.name for p in MAPLE.iterdir())
    back = careline("import", str(out), env=env)
    assert back.returncode == 0 and "nothing changed" in back.stdout


def test_a_rule_stored_before_a_check_is_exported_and_what_to_fix_is_said(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/c.db"
    env = {"CARELINE_DATABASE_URL": url, "CARELINE_LANGUAGE": "en"}
    assert careline("db", "upgrade", env=env).returncode == 0
    assert careline("import", str(MAPLE), env=env).returncode == 0
    engine = create_engine(url)
    with engine.begin() as connection:  # as a version that did not check fact names would have stored it
        stored = connection.execute(text("SELECT criteria FROM policies WHERE key = 'old-age-allowance'")).scalar()
        criteria = json.loads(stored) if isinstance(stored, str) else stored
        criteria[0]["rule"] = "agee >= 80"
        connection.execute(text("UPDATE policies SET criteria = :c WHERE key = 'old-age-allowance'"),
                           {"c": json.dumps(criteria)})
    engine.dispose()
    out = tmp_path / "out"
    done = careline("export", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "agee >= 80" in (out / "maple-town" / "policies.yaml").read_text(encoding="utf-8")
    assert "1 problem(s)" in done.stderr and "policies.yaml" in done.stderr and "did you mean age" in done.stderr
    assert "Traceback" not in done.stderr
    zh = careline("export", str(tmp_path / "out-zh"), "--lang", "zh", env=env)
    assert zh.returncode == 0 and "导入" in zh.stderr and "agee" in zh.stderr
    refused = careline("import", str(out), env=env)
    assert refused.returncode == 1 and "did you mean age" in refused.stderr, "importing it again says the same"


def test_run_prepares_the_database_with_the_samples_once(tmp_path: Path) -> None:
    env = {"CARELINE_VAR_DIR": str(tmp_path / "var"), "CARELINE_LANGUAGE": "en"}
    first = careline("run", "--prepare-only", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "First start: the sample districts were loaded." in first.stdout
    assert (tmp_path / "var" / "careline.db").exists()
    second = careline("run", "--prepare-only", env=env, cwd=tmp_path)
    assert second.returncode == 0 and "sample districts were loaded" not in second.stdout
    exported = tmp_path / "exported"
    assert careline("export", str(exported), env=env, cwd=tmp_path).returncode == 0
    assert {p.name for p in exported.iterdir()} == {"huaxi-subdistrict", "qinglin-county"}
