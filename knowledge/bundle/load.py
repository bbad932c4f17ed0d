"""Read and validate district bundles: every problem is collected before anything is written."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from knowledge.bundle import schema
from knowledge.bundle.far_points import Point, far_points
from knowledge.bundle.problems import TARGETS, Problem
from knowledge.bundle.rule_checks import policy_key_problems


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML 1.1 without its sexagesimal and octal numbers, so that ``11:00`` stays a time (not
    660) and ``02161555100`` stays a phone number (not 298244672).
    libyaml's parser when PyYAML was built with it (ten times faster on large bundles)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"),  # no octal: an unquoted 021… phone stays text
    list("-+0123456789"),
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."),
)


def find_bundles(path: Path) -> list[Path]:
    """A bundle folder itself, or every bundle folder directly inside ``path``."""
    if (path / schema.DISTRICT_FILE).is_file():
        return [path]
    if not path.is_dir():
        return []
    return sorted(p for p in path.iterdir() if (p / schema.DISTRICT_FILE).is_file())


def read_yaml(path: Path, label: str) -> tuple[Any, list[Problem]]:
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return None, [Problem(label, "file_encoding", params={"line": line})]
    try:
        data = yaml.load(content, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        return None, [Problem(label, "file_yaml", params={
            "line": mark.line + 1 if mark else "?", "column": mark.column + 1 if mark else "?",
            "detail": getattr(error, "problem", None) or str(error).splitlines()[0],
        })]
    if data is None:
        return None, [Problem(label, "file_empty")]
    return data, []


def _loc(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_PATTERN_CODES = {
    schema.KEY_PATTERN: "pattern_key",
    schema.HHMM_PATTERN: "pattern_time",
    schema.TIME_RANGE_PATTERN: "pattern_time_range",
}


def problems_from(error: ValidationError, label: str, item: int | None, key: str | None) -> list[Problem]:
    found = []
    for detail in error.errors(include_url=False):
        params = {k: v for k, v in (detail.get("ctx") or {}).items() if isinstance(v, str | int | float)}
        code = detail["type"]
        if code in {"value_error", "assertion_error"}:
            params = {"detail": detail["msg"]}
        if code == "string_pattern_mismatch":
            code = _PATTERN_CODES.get(str(params.get("pattern")), code)
        found.append(Problem(label, code, item=item, key=key,
                             field=_loc(detail["loc"]) or None, params=params))
    return found


def _validate_items(data: Any, model: type[BaseModel], label: str) -> tuple[list[Any], list[Problem]]:
    if not isinstance(data, list):
        return [], [Problem(label, "file_not_list")]
    items, problems = [], []
    first: dict[str, int] = {}
    for index, raw in enumerate(data, start=1):
        key = str(raw["key"]) if isinstance(raw, dict) and raw.get("key") is not None else None
        if key is not None:
            if key in first:
                problems.append(Problem(label, "duplicate_key", item=index, key=key, field="key",
                                        params={"key": key, "first": first[key]}))
            first.setdefault(key, index)
        try:
            items.append(model.model_validate(raw))
        except ValidationError as error:
            problems.extend(problems_from(error, label, index, key))
    return items, problems


def load_bundle(folder: Path) -> tuple[schema.Bundle | None, list[Problem]]:
    """Read one bundle folder; return the bundle only if it has no problem at all."""
    prefix = folder.name
    problems: list[Problem] = []
    known = {schema.DISTRICT_FILE, *schema.ITEM_FILES}
    for path in sorted(folder.iterdir()):
        if path.suffix in {".yaml", ".yml"} and path.name not in known:
            problems.append(Problem(f"{prefix}/{path.name}", "file_unknown",
                                    params={"expected": ", ".join(sorted(known))}))

    header: schema.DistrictFile | None = None
    district_label = f"{prefix}/{schema.DISTRICT_FILE}"
    data, found = read_yaml(folder / schema.DISTRICT_FILE, district_label)
    problems += found
    if data is not None:
        if not isinstance(data, dict):
            problems.append(Problem(district_label, "file_not_mapping"))
        elif data.get("format") != schema.FORMAT_NAME:
            problems.append(Problem(district_label, "format_unknown", field="format"))
        else:
            try:
                header = schema.DistrictFile.model_validate(data)
            except ValidationError as error:
                problems += problems_from(error, district_label, None, None)

    parts: dict[str, list[Any]] = {}
    raw_keys: dict[str, set[str]] = {}
    position: dict[str, dict[str, int]] = {}  # key -> item number in its file, for messages
    for file_name, model in schema.ITEM_FILES.items():
        path = folder / file_name
        attribute = schema.file_attribute(file_name)
        parts[attribute] = []
        raw_keys[attribute] = set()
        position[attribute] = {}
        if not path.is_file():
            continue
        label = f"{prefix}/{file_name}"
        data, found = read_yaml(path, label)
        problems += found
        if data is not None:
            parts[attribute], found = _validate_items(data, model, label)
            problems += found
            if isinstance(data, list):
                for index, raw in enumerate(data, start=1):
                    if isinstance(raw, dict) and raw.get("key") is not None:
                        raw_keys[attribute].add(str(raw["key"]))
                        position[attribute].setdefault(str(raw["key"]), index)

    problems += cross_check(parts, raw_keys, position, prefix)
    district = header.district if header is not None else None
    problems += policy_key_problems(parts["policies"], position["policies"], f"{prefix}/policies.yaml",
                                    district.key if district else None, raw_keys["places"])
    points = [Point(f"{prefix}/{attribute}.yaml", position[attribute].get(item.key, 0), item.key, item.lat, item.lon)
              for attribute in ("places", "service_points") for item in parts[attribute]]
    problems += far_points((district.lat, district.lon) if district else None, points, district_label)
    if problems or header is None:
        return None, problems
    return schema.Bundle(header=header, **parts), []


def _duplicates(items: list[Any], label: str, key_of: Any = lambda i: i.key) -> list[Problem]:
    first: dict[str, int] = {}
    found = []
    for index, item in enumerate(items, start=1):
        key = key_of(item)
        if key in first:
            found.append(Problem(label, "duplicate_key", item=index, key=key, field="key",
                                 params={"key": key, "first": first[key]}))
        else:
            first[key] = index
    return found


def cross_check(parts: dict[str, list[Any]], raw_keys: dict[str, set[str]],
                position: dict[str, dict[str, int]], prefix: str) -> list[Problem]:
    """Duplicate keys, references to things that do not exist, loops of parent places.

    Runs on the items that validated; references are checked against every key written in the
    files, so an item with another problem is not also reported as missing.
    """
    problems: list[Problem] = []
    bundle = schema.Bundle.model_construct(**parts)
    places = {p.key: p for p in bundle.places}
    points = raw_keys["service_points"]
    elders = raw_keys["elders"]
    place_keys = raw_keys["places"]

    def check(label: str, index: int, key: str, field: str, ref: str | None, target: str,
              known: Any) -> None:
        if ref is not None and ref not in known:
            problems.append(Problem(label, "unknown_reference", item=index, key=key, field=field,
                                    params={"target": TARGETS[target], "key": ref}))

    for p in bundle.places:
        i = position["places"].get(p.key, 0)
        check(f"{prefix}/places.yaml", i, p.key, "parent", p.parent, "place", place_keys)
    for s in bundle.service_points:
        i = position["service_points"].get(s.key, 0)
        check(f"{prefix}/service_points.yaml", i, s.key, "place", s.place, "place", place_keys)
    for pol in bundle.policies:
        i = position["policies"].get(pol.key, 0)
        check(f"{prefix}/policies.yaml", i, pol.key, "contact_point", pol.contact_point,
              "service_point", points)
    for a in bundle.activities:
        i = position["activities"].get(a.key, 0)
        label = f"{prefix}/activities.yaml"
        check(label, i, a.key, "service_point", a.service_point, "service_point", points)
        check(label, i, a.key, "place", a.place, "place", place_keys)
        for dup in _duplicates(a.sessions, label, key_of=lambda s: s.stable_key):
            problems.append(Problem(label, "duplicate_key", item=i, key=a.key,
                                    field=f"sessions[{dup.item}]", params=dup.params))
    for m in bundle.meal_services:
        i = position["meal_services"].get(m.key, 0)
        check(f"{prefix}/meal_services.yaml", i, m.key, "service_point", m.service_point,
              "service_point", points)
    for h in bundle.home_services:
        i = position["home_services"].get(h.key, 0)
        check(f"{prefix}/home_services.yaml", i, h.key, "provider", h.provider, "service_point", points)
    for e in bundle.elders:
        i = position["elders"].get(e.key, 0)
        check(f"{prefix}/elders.yaml", i, e.key, "place", e.place, "place", place_keys)
    for f in bundle.family_members:
        i = position["family_members"].get(f.key, 0)
        for j, link in enumerate(f.elders, 1):
            check(f"{prefix}/family_members.yaml", i, f.key, f"elders[{j}].elder", link.elder,
                  "elder", elders)
    for v in bundle.volunteers:
        i = position["volunteers"].get(v.key, 0)
        check(f"{prefix}/volunteers.yaml", i, v.key, "place", v.place, "place", place_keys)

    for p in bundle.places:
        i = position["places"].get(p.key, 0)
        seen, cursor = {p.key}, p.parent
        while cursor is not None and cursor in places:
            if cursor in seen:
                problems.append(Problem(f"{prefix}/places.yaml", "parent_cycle", item=i, key=p.key,
                                        field="parent"))
                break
            seen.add(cursor)
            cursor = places[cursor].parent
    return problems


def load_bundles(path: Path) -> tuple[list[schema.Bundle], list[Problem]]:
    """Load every bundle under ``path``; the list of bundles is empty if anything is wrong."""
    folders = find_bundles(path)
    orphans = [] if (path / schema.DISTRICT_FILE).is_file() or not path.is_dir() else sorted(
        p for p in path.iterdir()
        if p.is_dir() and p not in folders and any(p.glob("*.y*ml")))
    if orphans:
        return [], [Problem(f"{p.name}/{schema.DISTRICT_FILE}", "file_missing") for p in orphans]
    if not folders:
        return [], [Problem(str(path), "no_bundle")]
    loaded: list[tuple[Path, schema.Bundle]] = []
    problems: list[Problem] = []
    for folder in folders:
        bundle, found = load_bundle(folder)
        problems += found
        if bundle is not None:
            loaded.append((folder, bundle))
    seen: dict[str, str] = {}
    for folder, bundle in loaded:
        if bundle.key in seen:
            problems.append(Problem(f"{folder.name}/district.yaml", "duplicate_district",
                                    field="district.key",
                                    params={"key": bundle.key, "other": seen[bundle.key]}))
        seen[bundle.key] = folder.name
    return ([], problems) if problems else ([b for _, b in loaded], [])
