import datetime as dt
import shutil
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, select

from knowledge import models
from knowledge.bundle import export_path, import_path
from knowledge.db import session_factory
from tests.conftest import MAPLE, TODAY, YULIN


def _copy(tmp_path: Path, name: str = "maple-town") -> Path:
    target = tmp_path / "bundles" / name
    shutil.copytree(MAPLE, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _second_district(tmp_path: Path) -> Path:
    """The fixture district under another key and name: a district the code has never seen."""
    folder = _copy(tmp_path, "birch-vale")

    def rename(data: dict) -> None:
        data["district"]["key"] = "birch-vale"
        data["district"]["name"] = {"zh": "桦谷乡", "en": "Birch Vale"}

    _edit(folder / "district.yaml", rename)
    _edit(folder / "consultants.yaml", lambda d: d[0].update(username="birch-chen"))
    return folder


def _snapshot(engine: Engine, tmp_path: Path, label: str) -> dict[str, str]:
    out = tmp_path / f"export-{label}"
    export_path(session_factory(engine), out)
    return {str(p.relative_to(out)): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.yaml"))}


def _counts(engine: Engine) -> dict[str, int]:
    with session_factory(engine)() as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m))
                for m in (models.District, models.Place, models.ServicePoint, models.Policy,
                          models.Activity, models.ActivitySession, models.MealService,
                          models.HomeService, models.Elder, models.FamilyMember, models.ElderFamily,
                          models.Volunteer, models.Consultant)}


def test_first_import_creates_everything(empty_engine: Engine) -> None:
    result = import_path(session_factory(empty_engine), MAPLE, TODAY)
    assert result.ok
    report = result.reports[0]
    assert report.created_district
    assert report.changes["places"]["created"] == 4
    assert report.changes["service_points"]["created"] == 5
    assert report.changes["activity_sessions"]["created"] == 16
    counts = _counts(empty_engine)
    assert counts["elder_family"] == 3 and counts["activity_sessions"] == 18


def test_reimport_changes_nothing(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    before = _snapshot(empty_engine, tmp_path, "before")
    counts = _counts(empty_engine)
    again = import_path(factory, MAPLE, TODAY)
    assert again.ok and not again.reports[0].changed
    assert _snapshot(empty_engine, tmp_path, "after") == before
    assert _counts(empty_engine) == counts


def test_second_district_leaves_the_first_intact(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    first = _snapshot(empty_engine, tmp_path, "first")
    result = import_path(factory, _second_district(tmp_path), TODAY)
    assert result.ok and result.reports[0].created_district
    both = _snapshot(empty_engine, tmp_path, "both")
    assert {k: v for k, v in both.items() if k.startswith("maple-town/")} == first
    assert any(k.startswith("birch-vale/") for k in both)


def test_dry_run_reports_without_writing(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    folder = _copy(tmp_path)
    _edit(folder / "places.yaml", lambda d: d[1].update(name={"zh": "新桂花村", "en": "New Guihua"}))
    _edit(folder / "policies.yaml", lambda d: d.pop())
    before = _snapshot(empty_engine, tmp_path, "before")
    dry = import_path(factory, folder, TODAY, dry_run=True)
    assert dry.ok
    changes = dry.reports[0].changes
    assert changes["places"]["updated"] == 1 and changes["places"]["unchanged"] == 3
    assert changes["policies"]["retired"] == 1
    assert dry.reports[0].changed_keys["policies"] == ["retired:time-bank"]
    assert _snapshot(empty_engine, tmp_path, "after") == before
    real = import_path(factory, folder, TODAY)
    assert real.reports[0].changes == changes
    with factory() as session:
        retired = session.scalars(select(models.Policy).where(models.Policy.key == "time-bank")).one()
        assert retired.active is False  # kept for history, not deleted


def test_export_imports_back_to_the_same_state(empty_engine: Engine, databases, backend: str,
                                                tmp_path: Path) -> None:
    from knowledge import db

    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    assert import_path(factory, _second_district(tmp_path), TODAY).ok
    exported = tmp_path / "exported"
    export_path(factory, exported)
    other = db.make_engine(databases.new_url(backend))
    db.upgrade(other)
    result = import_path(session_factory(other), exported, TODAY)
    assert result.ok, [p.say("en") for p in result.problems]
    assert _snapshot(other, tmp_path, "other") == _snapshot(empty_engine, tmp_path, "origin")
    assert _counts(other) == _counts(empty_engine)
    assert not any(r.changed for r in import_path(factory, exported, TODAY).reports)
    other.dispose()


def test_changed_repeat_rule_retires_unbooked_future_sessions(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    folder = _copy(tmp_path)
    _edit(folder / "activities.yaml", lambda d: d[0].update(repeat="FREQ=WEEKLY;BYDAY=WE"))
    result = import_path(factory, folder, TODAY)
    assert result.reports[0].changes["activity_sessions"] == {"created": 8, "retired": 16}
    with factory() as session:
        live = session.scalars(select(models.ActivitySession).join(models.Activity).where(
            models.Activity.key == "taichi", models.ActivitySession.active.is_(True))).all()
        assert {s.starts_at.weekday() for s in live} == {2}


def test_schedule_moves_forward_with_time(empty_engine: Engine) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    later = import_path(factory, MAPLE, TODAY + dt.timedelta(weeks=1))
    assert later.reports[0].changes["activity_sessions"] == {"created": 2}


def test_removed_family_link_is_deleted_but_people_stay(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    folder = _copy(tmp_path)
    _edit(folder / "family_members.yaml", lambda d: (d[0]["elders"].pop(), d.pop()))
    _edit(folder / "elders.yaml", lambda d: d.pop())
    assert import_path(factory, folder, TODAY).ok
    counts = _counts(empty_engine)
    assert counts["elder_family"] == 2
    assert counts["elders"] == 3  # elders are never retired by an import


def test_aliases_of_policies_activities_and_services_are_kept(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, YULIN, TODAY).ok
    with factory() as session:
        def aliases(model: type, key: str) -> dict:
            return session.scalar(select(model).where(model.key == key)).aliases

        assert "长护险" in aliases(models.Policy, "chengdu-ltci")["zh"]
        assert "the singing one" in aliases(models.Activity, "yulin-choir")["en"]
        assert "推拿" in aliases(models.HomeService, "rehab-massage")["zh"]
        assert aliases(models.MealService, "fangcao-dinner")["en"] == ["Fangcao dinner"]
    exported = tmp_path / "exported"
    export_path(factory, exported)
    policies = yaml.safe_load((exported / "yulin-subdistrict" / "policies.yaml").read_text(encoding="utf-8"))
    assert next(p for p in policies if p["key"] == "chengdu-ltci")["aliases"]["en"] == \
        ["LTC insurance", "LTCI", "long-term care cover"]
    assert not any(r.changed for r in import_path(factory, exported, TODAY).reports)


def test_an_alias_added_or_removed_is_a_change(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    folder = _copy(tmp_path)
    _edit(folder / "home_services.yaml", lambda d: d[0].update(aliases={"zh": ["剃头"], "en": ["barber"]}))
    result = import_path(factory, folder, TODAY)
    assert result.ok and result.reports[0].changed
    with factory() as session:
        haircut = session.scalar(select(models.HomeService).where(models.HomeService.key == "haircut"))
        assert haircut.aliases == {"zh": ["剃头"], "en": ["barber"]}
    _edit(folder / "home_services.yaml", lambda d: d[0].pop("aliases"))
    assert import_path(factory, folder, TODAY).reports[0].changed
    with factory() as session:
        assert session.scalar(select(models.HomeService.aliases).where(models.HomeService.key == "haircut")) == \
            {"zh": [], "en": []}


def test_an_empty_alias_is_refused(empty_engine: Engine, tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "policies.yaml", lambda d: d[0].update(aliases={"zh": [""]}))
    result = import_path(session_factory(empty_engine), folder, TODAY)
    assert not result.ok
    assert any("policies.yaml" in p.say("en") and "aliases" in p.say("en") for p in result.problems)


def test_a_stored_rule_that_stricter_checks_refuse_is_replaced(empty_engine: Engine) -> None:
    """A rule imported before its value was checked (lives_alone == 1 matched nobody) must not stop
    the corrected bundle's import."""
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    with factory.begin() as session:
        policy = session.scalar(select(models.Policy).where(models.Policy.key == "home-care-subsidy"))
        policy.criteria = [{"rule": "lives_alone == 1", "text": {"zh": "独居", "en": "lives alone"}}]
    result = import_path(factory, MAPLE, TODAY)
    assert result.ok
    assert result.reports[0].changes["policies"]["updated"] == 1
    with factory() as session:
        policy = session.scalar(select(models.Policy).where(models.Policy.key == "home-care-subsidy"))
        assert [c["rule"] for c in policy.criteria] == [
            'income_status in ["low_income", "subsistence", "extreme_poverty"]', "lives_alone or care_level >= 2"]
