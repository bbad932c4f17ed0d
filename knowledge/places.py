"""Find the place a person means from what they said: a name, a spoken alias, a near miss of
speech recognition (same pinyin), or a typo."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Place, ServicePoint
from knowledge.point_kinds import names_only_a_kind
from knowledge.text import fold, has_cjk, pinyin_key

MIN_SCORE = 80.0


@dataclass(frozen=True)
class PlaceMatch:
    """A place (or a service point used as a landmark) and how well it matched, 0-100."""

    kind: str
    key: str
    name: dict[str, str]
    latitude: float
    longitude: float
    district_id: int
    score: float
    row: Any


def names_of(row: Place | ServicePoint) -> list[str]:
    """A place's names and aliases in both languages."""
    aliases = row.aliases or {}
    return [row.name.get("zh", ""), row.name.get("en", ""),
            *aliases.get("zh", []), *aliases.get("en", [])]


_GENERIC_EN = re.compile(
    r"\b(the|village|hamlet|community|estate|court|road|street|st|rd|town|township|"
    r"neighbourhood|neighborhood|residential|compound|area|district)\b"
)
_GENERIC_ZH_SUFFIXES = ("居委会", "社区", "小区", "街道", "村委会", "村", "镇", "组", "乡")


# Words for kinds of landmark, beside the kinds of service point (knowledge/point_kinds.py).
_LANDMARK_KINDS = frozenset({"hospital", "market", "school", "hall", "station", "医院"})


def only_a_kind(name: str) -> bool:
    """A name that is only the name of a kind ("the canteen", 村卫生室, "the hospital"): it names
    its place when said alone, but is not that place when it turns up inside a longer sentence
    ("where is the nearest canteen")."""
    return names_only_a_kind(name) or core_name(name) in _LANDMARK_KINDS


def core_name(text: str) -> str:
    """A name without the generic words people add or drop: 桂花村 → 桂花, the Old Market → oldmarket."""
    folded = _GENERIC_EN.sub(" ", unicodedata.normalize("NFKC", text).lower())
    core = fold(folded)
    for suffix in _GENERIC_ZH_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix) + 1:
            return core[: -len(suffix)]
    return core


def _score(said: str, name: str) -> float:
    a, b = fold(said), fold(name)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    core_a, core_b = core_name(said), core_name(name)
    chinese = has_cjk(a) or has_cjk(b)
    if core_b and core_a == core_b:
        return 95.0
    if chinese:
        if pinyin_key(core_a) == pinyin_key(core_b):
            return 93.0
        if len(core_b) >= 2 and core_b in a and not only_a_kind(name):  # the name inside a sentence
            return 90.0
        # … and misheard (贵花村附近)
        if len(core_b) >= 2 and pinyin_key(core_b) in pinyin_key(a) and not only_a_kind(name):
            return 86.0
        return fuzz.ratio(pinyin_key(core_a), pinyin_key(core_b)) * 0.95
    if len(core_b) >= 5 and core_b in a and not only_a_kind(name):
        return 90.0
    return float(fuzz.ratio(core_a, core_b)) * 0.95


def find_places(session: Session, said: str, district_id: int | None = None,
                limit: int = 3, min_score: float = MIN_SCORE) -> list[PlaceMatch]:
    """Places and service points whose name or alias matches ``said``, best first."""
    if not fold(said):
        return []
    candidates: list[Place | ServicePoint] = []
    for model in (Place, ServicePoint):
        statement = select(model).where(model.active.is_(True))
        if district_id is not None:
            statement = statement.where(model.district_id == district_id)
        candidates += list(session.scalars(statement))
    matches = []
    for row in candidates:
        score = max((_score(said, name) for name in names_of(row) if name), default=0.0)
        if score >= min_score:
            matches.append(PlaceMatch(
                "place" if isinstance(row, Place) else "service_point", row.key, row.name,
                row.latitude, row.longitude, row.district_id, score, row))
    matches.sort(key=lambda m: (-m.score, m.kind != "place", m.key))
    return matches[:limit]
