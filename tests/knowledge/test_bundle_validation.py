"""Bad bundles: every problem is reported with file, item and field, nothing is written."""

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import Engine

from careline.paths import SAMPLE_BUNDLES
from knowledge.bundle import import_path, load_bundles
from knowledge.bundle.schema import Criterion
from knowledge.db import session_factory
from tests.conftest import MAPLE, TODAY
from tests.knowledge.test_import import _snapshot

ROOT = Path(__file__).resolve().parents[2]


def _yaml_edit(name: str, change: Callable[[list | dict], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return apply


def _raw(name: str, content: bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / name).write_bytes(content)
    return apply


def _broken_utf8(folder: Path) -> None:
    path = folder / "places.yaml"
    lines = path.read_bytes().split(b"\n")
    lines[6] = lines[6] + b" \xff\xfe"
    path.write_bytes(b"\n".join(lines))


CASES = {
    "wrong type": (
        _yaml_edit("service_points.yaml", lambda d: d[0].update(capacity="twenty")),
        "maple-town/service_points.yaml, item 1 (key: guihua-point), field capacity: should be a whole number",
        "maple-town/service_points.yaml, 第 1 项 (key: guihua-point), 字段 capacity: 应该是整数",
    ),
    "missing field": (
        _yaml_edit("policies.yaml", lambda d: d[1].pop("summary")),
        "maple-town/policies.yaml, item 2 (key: home-care-subsidy), field summary: is required but missing",
        "字段 summary: 必填，但没有填写",
    ),
    "missing translation": (
        _yaml_edit("places.yaml", lambda d: d[0]["name"].pop("en")),
        "maple-town/places.yaml, item 1 (key: town), field name.en: is required but missing",
        "字段 name.en: 必填",
    ),
    "duplicate key": (
        _yaml_edit("places.yaml", lambda d: d[2].update(key="guihua")),
        "maple-town/places.yaml, item 3 (key: guihua), field key: key 'guihua' is used twice (first at item 2)",
        "key「guihua」重复了（第一次出现在第 2 项）",
    ),
    "unknown reference": (
        _yaml_edit("elders.yaml", lambda d: d[1].update(place="atlantis")),
        "maple-town/elders.yaml, item 2 (key: li), field place: refers to a place that does not exist: 'atlantis'",
        "引用了不存在的地点：「atlantis」",
    ),
    "rule does not parse": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][0].update(rule="age >= ")),
        "maple-town/policies.yaml, item 1 (key: old-age-allowance), field criteria[1].rule: the rule does not parse",
        "规则写法有误",
    ),
    "rule names unknown fact": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][0].update(rule="agee >= 80")),
        "field criteria[1].rule: the rule names an unknown fact: agee",
        "规则里用了不认识的条件名：agee",
    ),
    "rule compares different kinds": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][0].update(rule='age >= "eighty"')),
        'field criteria[1].rule: the rule compares age with "eighty", but age is a number, not text',
        '规则把 age 和 "eighty" 相比，但 age 的值是数字，不是文字',
    ),
    "rule misspells a fact": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][0].update(rule="ag >= 80")),
        "field criteria[1].rule: the rule names an unknown fact: ag (did you mean age?); correct it to one of: age,",
        "规则里用了不认识的条件名：ag（是不是想写 age？）",
    ),
    "rule misspells a fact at its end": (
        _yaml_edit("policies.yaml", lambda d: d[1]["criteria"][1].update(rule="lives_alone_ or care_level >= 2")),
        "field criteria[2].rule: the rule names an unknown fact: lives_alone_ (did you mean lives_alone?)",
        "lives_alone_（是不是想写 lives_alone？）",
    ),
    "rule quotes a number": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][0].update(rule='age >= "80"')),
        'field criteria[1].rule: the rule compares age with "80", but age is a number, not text; '
        "write it like age >= 80",
        "请照 age >= 80 这样写",
    ),
    "rule compares a yes/no fact with a number": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][1].update(rule="hukou_local == 1")),
        "field criteria[2].rule: the rule compares hukou_local with 1, but hukou_local is yes/no (true or false), "
        "not a number; write it like hukou_local",
        "规则把 hukou_local 和 1 相比，但 hukou_local 的值是真/假（true 或 false），不是数字",
    ),
    "rule compares a text fact with a number": (
        _yaml_edit("policies.yaml", lambda d: d[1]["criteria"][0].update(rule="income_status in [2, 3]")),
        "field criteria[1].rule: the rule compares income_status with 2, but income_status is text, not a number",
        "但 income_status 的值是文字，不是数字",
    ),
    "rule misspells a value": (
        _yaml_edit("policies.yaml", lambda d: d[1]["criteria"][0].update(rule='income_status == "low-income"')),
        "field criteria[1].rule: 'low-income' is not a value of income_status (did you mean low_income?)",
        "规则里的“low-income”不是 income_status 的取值（是不是想写 low_income？）",
    ),
    "rule number out of range": (
        _yaml_edit("policies.yaml", lambda d: d[1]["criteria"][1].update(rule="lives_alone or care_level >= 9")),
        "field criteria[2].rule: the rule compares care_level with 9, but care_level is always between 0 and 6",
        "但 care_level 只会在 0 到 6 之间",
    ),
    "rule names a place not in the bundle": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][1].update(rule='place == "guihau"')),
        "field criteria[2].rule: the rule compares place with 'guihau', but places.yaml has no place with that key "
        "(did you mean guihua?)",
        "规则里的地点「guihau」在 places.yaml 里没有这个 key（是不是想写 guihua？）",
    ),
    "rule names another district": (
        _yaml_edit("policies.yaml", lambda d: d[0]["criteria"][1].update(rule='district == "maple"')),
        "field criteria[2].rule: the rule compares district with 'maple', but this bundle's district key is "
        "'maple-town'",
        "规则里的区县「maple」不是本数据包的区县 key「maple-town」",
    ),
    "point far from its district": (
        _yaml_edit("service_points.yaml", lambda d: d[3].update(lat=41.4)),
        "maple-town/service_points.yaml, item 4 (key: canteen), field lat/lon: is 1,201 km from the district centre",
        "字段 lat/lon: 离区县中心（district.yaml 里的 lat 和 lon）1,201 公里",
    ),
    "district centre far from its points": (
        _yaml_edit("district.yaml", lambda d: d["district"].update(lat=-30.6)),
        "maple-town/district.yaml, field district.lat/lon: the district centre is 6,805 km from the middle of its 9 "
        "places and service points",
        "区县中心离它的 9 个地点和服务点的中间位置",
    ),
    "band outside the range": (
        _yaml_edit("policies.yaml", lambda d: d[0]["amount"].update(bands=[{"rule": "age >= 90", "value": 500}])),
        "field amount: a band's amount 500 lies outside 100 to 300",
        "金额分档里的 500 不在 100 到 300 之间",
    ),
    "band rule names unknown fact": (
        _yaml_edit("policies.yaml", lambda d: d[0]["amount"].update(bands=[{"rule": "agee >= 90", "value": 300}])),
        "field amount.bands[1].rule: the rule names an unknown fact: agee",
        "规则里用了不认识的条件名：agee",
    ),
    "broken utf-8": (
        _broken_utf8,
        "maple-town/places.yaml: line 7 has bytes that are not UTF-8",
        "第 7 行有不是 UTF-8 的字节",
    ),
    "empty file": (
        _raw("elders.yaml", b""),
        "maple-town/elders.yaml: the file is empty",
        "文件是空的",
    ),
    "comments only": (
        _raw("volunteers.yaml", b"# nobody yet\n"),
        "maple-town/volunteers.yaml: the file is empty",
        "文件是空的",
    ),
    "yaml syntax": (
        _raw("home_services.yaml", b"- key: haircut\n  name: {zh: x, en: y\n"),
        "maple-town/home_services.yaml: line 3, column 1 is not valid YAML",
        "YAML 写法有误",
    ),
    "not a list": (
        _raw("consultants.yaml", b"key: chen\n"),
        "maple-town/consultants.yaml: the file should hold a list",
        "文件内容应该是列表",
    ),
    "unknown file": (
        _raw("place.yaml", b"- key: x\n"),
        "maple-town/place.yaml: is not a bundle file name",
        "不认识的文件名",
    ),
    "unknown field": (
        _yaml_edit("places.yaml", lambda d: d[0].update(latitude=30.0)),
        "maple-town/places.yaml, item 1 (key: town), field latitude: is not a known field (a typo?)",
        "不认识这个字段",
    ),
    "bad opening hours": (
        _yaml_edit("service_points.yaml", lambda d: d[0].update(opening_hours="weekdays 8 to 5")),
        "field opening_hours: is not valid opening hours",
        "营业时间格式不对",
    ),
    "bad choice": (
        _yaml_edit("meal_services.yaml", lambda d: d[0].update(meal="brunch")),
        "field meal: must be one of: 'breakfast', 'lunch', 'dinner'",
        "只能是以下之一：'breakfast', 'lunch', 'dinner'",
    ),
    "not a bundle": (
        _yaml_edit("district.yaml", lambda d: d.update(format="something-else")),
        "maple-town/district.yaml, field format: is not a CareLine district bundle",
        "不是 CareLine 区县数据包",
    ),
}


def _broken_copy(tmp_path: Path, case: str) -> Path:
    folder = tmp_path / "maple-town"
    shutil.copytree(MAPLE, folder)
    CASES[case][0](folder)
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_problem_is_reported_with_its_location(tmp_path: Path, case: str) -> None:
    bundles, problems = load_bundles(_broken_copy(tmp_path, case))
    assert bundles == []
    english = [p.say("en") for p in problems]
    chinese = [p.say("zh") for p in problems]
    assert any(CASES[case][1] in line for line in english), english
    assert any(CASES[case][2] in line for line in chinese), chinese


def _far_problems(tmp_path: Path, lat: float) -> list:
    folder = tmp_path / "maple-town"
    shutil.copytree(MAPLE, folder)
    _yaml_edit("service_points.yaml", lambda d: d[3].update(lat=lat))(folder)  # the canteen, at 30.602
    return load_bundles(folder)[1]


def test_a_far_point_is_an_error_naming_it_and_its_distance(tmp_path: Path) -> None:
    near = _far_problems(tmp_path / "near", 30.602 + 0.8)  # 89 km north: still within the district's reach
    assert near == []
    far = _far_problems(tmp_path / "far", 30.602 + 10.8)  # 1,201 km north: imported silently before
    assert [(p.code, p.file, p.item, p.key, p.field) for p in far] == [
        ("far_point", "maple-town/service_points.yaml", 4, "canteen", "lat/lon")]
    assert far[0].params["km"] == "1,201"
    assert "is 1,201 km from the district centre" in far[0].say("en")
    assert "1,201 公里" in far[0].say("zh")


def test_without_a_centre_points_are_measured_from_their_middle(tmp_path: Path) -> None:
    folder = tmp_path / "maple-town"
    shutil.copytree(MAPLE, folder)
    _yaml_edit("district.yaml", lambda d: d["district"].pop("lat"))(folder)
    _yaml_edit("service_points.yaml", lambda d: d[3].update(lat=41.4))(folder)
    _, problems = load_bundles(folder)
    assert {p.code for p in problems} == {"missing", "far_point_middle"}
    far = next(p for p in problems if p.code == "far_point_middle")
    assert (far.key, far.params["km"]) == ("canteen", "1,201")
    assert "from the middle of the district's places and service points" in far.say("en")


def test_a_wrong_district_centre_is_reported_once_not_for_every_point(tmp_path: Path) -> None:
    _, problems = load_bundles(_broken_copy(tmp_path, "district centre far from its points"))
    assert [(p.code, p.file) for p in problems] == [("far_centre", "maple-town/district.yaml")]


@pytest.mark.parametrize(("rule", "code", "params"), [
    ("ag >= 80", "careline_rule_symbol", {"name": "ag", "suggestion": "age"}),
    ("lives_alone_", "careline_rule_symbol", {"name": "lives_alone_", "suggestion": "lives_alone"}),
    ("age >= 80 and Disabled", "careline_rule_symbol", {"name": "Disabled", "suggestion": "disabled"}),
    ('age >= "seventy"', "careline_rule_fact_type", {"fact": "age", "value": '"seventy"', "example": "age >= 65"}),
    ('"80" <= age', "careline_rule_fact_type", {"fact": "age", "value": '"80"', "example": "age >= 80"}),
    ("age == null", "careline_rule_fact_type", {"fact": "age", "value": "null"}),
    ('disabled == "no"', "careline_rule_fact_type", {"fact": "disabled", "example": "not disabled"}),
    ("lives_alone != 0", "careline_rule_fact_type", {"fact": "lives_alone", "example": "lives_alone"}),
    ("gender == 1", "careline_rule_fact_type", {"fact": "gender", "value": "1", "example": 'gender == "female"'}),
    ('income_status == "low_income" and gender == "low_income"', "careline_rule_value",
     {"value": "low_income", "fact": "gender", "suggestion": None}),
    ('place == "x" and income_status == "dibao"', "careline_rule_value", {"value": "dibao"}),
    ("age < 800", "careline_rule_range", {"fact": "age", "value": "800", "low": "0", "high": "130"}),
    ("care_level in [2, 7]", "careline_rule_range", {"fact": "care_level", "value": "7"}),
])
def test_rule_mistakes_are_said_plainly(rule: str, code: str, params: dict[str, str]) -> None:
    with pytest.raises(ValidationError) as caught:
        Criterion(rule=rule, text={"zh": "条件", "en": "condition"})
    [error] = caught.value.errors()
    assert error["type"] == code
    assert {k: error["ctx"].get(k) for k in params} == params


@pytest.mark.parametrize("rule", [
    "age >= 80", "lives_alone == true", "not lives_alone", "care_level >= 0 and care_level <= 6",
    'income_status in ["low_income", "subsistence"] and gender != "male"', "care_level == 2.5",
    'income_status =~ "low.*"', 'place == "guihua" or district == "maple-town"', "age > care_level",
])
def test_sound_rules_pass(rule: str) -> None:
    assert Criterion(rule=rule, text={"zh": "条件", "en": "condition"}).rule == rule


def test_every_bundle_of_the_project_still_loads_without_problems() -> None:
    for path in (SAMPLE_BUNDLES, MAPLE.parent, ROOT / "docs" / "example-bundle", ROOT / "bench" / "heldout"):
        bundles, problems = load_bundles(path)
        assert bundles and problems == [], (path, [p.say("en") for p in problems])


def test_every_problem_of_a_bundle_is_reported_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "maple-town"
    shutil.copytree(MAPLE, folder)
    for case in ("wrong type", "missing field", "duplicate key", "unknown reference", "empty file"):
        CASES[case][0](folder)
    _, problems = load_bundles(folder)
    assert {p.code for p in problems} >= {"int_parsing", "missing", "duplicate_key", "unknown_reference",
                                          "file_empty"}


def test_a_bad_bundle_changes_nothing_in_the_database(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    before = _snapshot(empty_engine, tmp_path, "before")
    for case in CASES:
        result = import_path(factory, _broken_copy(tmp_path / case.replace(" ", "-"), case), TODAY)
        assert not result.ok
    assert _snapshot(empty_engine, tmp_path, "after") == before


def _careline(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "careline", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cli_database(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    database = tmp_path_factory.mktemp("cli") / "careline.db"
    env = {"CARELINE_DATABASE_URL": f"sqlite:///{database}", "CARELINE_LANGUAGE": "en"}
    assert _careline("db", "upgrade", env=env).returncode == 0
    assert _careline("import", str(MAPLE), env=env).returncode == 0
    return database, env


@pytest.mark.parametrize("case", ["wrong type", "broken utf-8", "empty file", "rule does not parse",
                                  "duplicate key", "unknown reference", "missing field",
                                  "point far from its district"])
def test_cli_exits_non_zero_and_database_file_is_untouched(
    tmp_path: Path, cli_database: tuple[Path, dict[str, str]], case: str
) -> None:
    database, env = cli_database
    digest = _sha(database)
    done = _careline("import", str(_broken_copy(tmp_path, case)), env=env)
    assert done.returncode == 1
    assert CASES[case][1] in done.stderr
    assert "nothing was written to the database" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert _sha(database) == digest


def test_cli_speaks_the_chosen_language(tmp_path: Path, cli_database: tuple[Path, dict[str, str]]) -> None:
    database, env = cli_database
    digest = _sha(database)
    done = _careline("import", str(_broken_copy(tmp_path, "wrong type")), "--dry-run", "--lang", "zh",
                     env=env)
    assert done.returncode == 1
    assert CASES["wrong type"][2] in done.stderr
    assert "什么都没有写入数据库" in done.stderr
    assert _sha(database) == digest
