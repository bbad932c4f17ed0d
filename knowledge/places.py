"""Find the place a person means from what they said: a name, a spoken alias, a near miss of
speech recognition (same pinyin), or a typo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Place, ServicePoint
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


def _names(row: Place | ServicePoint) -> list[str]:
    aliases = row.aliases or {}
    return [row.name.get("zh", ""), row.name.get("en", ""),
            *aliases.get("zh", []), *aliases.get("en", [])]


def _score(said: str, name: str) -> float:
    a, b = fold(said), fold(name)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    if has_cjk(a) or has_cjk(b):
        pa, pb = pinyin_key(a), pinyin_key(b)
        if pa == pb:
            return 97.0
        # "桂花" for "桂花村", or a name said inside a longer phrase
        if len(b) >= 2 and (b in a or a in b):
            return 90.0 * min(len(a), len(b)) / max(len(a), len(b)) + 5.0
        return fuzz.ratio(pa, pb) * 0.9
    if len(b) >= 4 and (b in a or a in b):
        return 90.0 * min(len(a), len(b)) / max(len(a), len(b)) + 5.0
    return float(fuzz.ratio(a, b))


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
        score = max((_score(said, name) for name in _names(row) if name), default=0.0)
        if score >= min_score:
            matches.append(PlaceMatch(
                "place" if isinstance(row, Place) else "service_point", row.key, row.name,
                row.latitude, row.longitude, row.district_id, score, row))
    matches.sort(key=lambda m: (-m.score, m.kind != "place", m.key))
    return matches[:limit]
