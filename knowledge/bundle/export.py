"""Write the database's districts back out as bundles that import to the same state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import canned, models
from knowledge.bundle import schema
from knowledge.bundle.importer import KeyIndex, _district_header, load_children
from knowledge.bundle.mapping import KINDS, row_to_item


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _dump(data: Any) -> str:
    return yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=None)


def district_items(session: Session, district: models.District) -> dict[str, list[schema.Item]]:
    """Every active item of one district, as bundle items, ordered by key."""
    keys = KeyIndex()
    rows_by_kind: dict[str, list[Any]] = {}
    for kind in KINDS:
        model: Any = kind.model
        rows = list(session.scalars(select(model).where(model.district_id == district.id).order_by(model.key)))
        for row in rows:
            keys.add(kind.attribute, row.key, row.id)
        rows_by_kind[kind.attribute] = rows
    out: dict[str, list[schema.Item]] = {}
    for kind in KINDS:
        out[kind.attribute] = [
            row_to_item(kind, row, keys.keys, load_children(session, kind, row, keys))
            for row in rows_by_kind[kind.attribute] if row.active and getattr(row, "origin", "bundle") == "bundle"
        ]
    return out


def export_district(session: Session, district: models.District, folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    header = _district_header(district).model_dump(mode="json")
    (folder / schema.DISTRICT_FILE).write_text(_dump(header), encoding="utf-8")
    counts = {}
    all_items = district_items(session, district)
    for kind in KINDS:
        items = all_items[kind.attribute]
        counts[kind.attribute] = len(items)
        path = folder / kind.file
        if items:
            path.write_text(_dump([schema.dump_item(item) for item in items]), encoding="utf-8")
        elif path.exists():
            path.unlink()
    replies = canned_replies(session, district)
    counts["canned_replies"] = len(replies)
    path = folder / "canned_replies.yaml"
    if replies:
        path.write_text(_dump([schema.dump_item(item) for item in replies]), encoding="utf-8")
    elif path.exists():
        path.unlink()
    return counts


def canned_replies(session: Session, district: models.District) -> list[schema.CannedReply]:
    """The canned replies the district's bundle brought (not those consultants wrote)."""
    items = []
    for key, by_language in canned.imported(session, district.id).items():
        items.append(schema.CannedReply(
            key=key, title=schema.ReplyText(**{lang: title for lang, (title, _) in by_language.items()}),
            text=schema.ReplyText(**{lang: text for lang, (_, text) in by_language.items()})))
    return items


def export_all(session: Session, target: Path, district_keys: list[str] | None = None) -> dict[str, dict[str, int]]:
    """Export each district into ``target/<district key>/``."""
    query = select(models.District).order_by(models.District.key)
    if district_keys:
        query = query.where(models.District.key.in_(district_keys))
    return {d.key: export_district(session, d, target / d.key) for d in session.scalars(query)}
