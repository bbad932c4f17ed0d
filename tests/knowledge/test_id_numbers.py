"""National ID numbers are not kept: nothing reads them (issue 12, personal data)."""

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from knowledge import db
from knowledge.bundle import export_path, import_path, schema
from tests.conftest import MAPLE, TODAY

FIXTURE_ID = "510100194005011234"  # wang's id_number in the fixture bundle


def test_a_bundle_with_id_numbers_imports_and_keeps_none(empty_engine: Engine, tmp_path: Path) -> None:
    assert FIXTURE_ID in (MAPLE / "elders.yaml").read_text(encoding="utf-8")
    result = import_path(db.session_factory(empty_engine), MAPLE, TODAY)
    assert result.ok, [p.say("en") for p in result.problems]
    assert "id_number" not in {c["name"] for c in inspect(empty_engine).get_columns("elders")}
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM elders")).scalar() >= 2
    export_path(db.session_factory(empty_engine), tmp_path / "out")
    exported = (tmp_path / "out" / "maple-town" / "elders.yaml").read_text(encoding="utf-8")
    assert "wang" in exported and "id_number" not in exported and FIXTURE_ID not in exported


def test_any_id_number_is_accepted_and_dropped() -> None:
    elder = schema.Elder.model_validate({"key": "zhao", "name": "赵", "id_number": "not an ID"})
    assert "id_number" not in elder.model_dump()


def test_upgrade_removes_stored_id_numbers(databases, backend: str) -> None:
    engine = db.make_engine(databases.new_url(backend))
    try:
        db.upgrade(engine, "0002")
        with engine.begin() as connection:
            district = connection.execute(text(
                "INSERT INTO districts (key, kind, name, city, description, timezone, emergency_number, "
                "emergency_advice, latitude, longitude, sample, bundle_version, imported_at) VALUES ('d', 'county', "
                "'{}', '{}', '{}', 'Asia/Shanghai', '120', '{}', 30.6, 104.0, false, '1', '2026-01-01') "
                "RETURNING id")).scalar()
            connection.execute(text(
                "INSERT INTO elders (district_id, key, active, name, language, id_number) "
                "VALUES (:d, 'wang', true, '王秀英', 'zh', :n)"), {"d": district, "n": FIXTURE_ID})
        db.upgrade(engine)
        assert "id_number" not in {c["name"] for c in inspect(engine).get_columns("elders")}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM elders")).scalar() == "王秀英"
    finally:
        engine.dispose()
