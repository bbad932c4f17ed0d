"""Write validated bundles: one transaction, an upsert by stable keys, and a report of changes.

A dry run takes the same path and rolls back, so what it reports is exactly what a real import
would do.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import canned, links, models
from knowledge.bundle import schema
from knowledge.bundle.mapping import KINDS, Kind, item_to_columns, normalize, row_to_item
from knowledge.bundle.problems import Problem
from knowledge.schedule import extend_schedule


@dataclass
class DistrictReport:
    district: str
    created_district: bool = False
    changes: dict[str, Counter[str]] = field(default_factory=dict)
    changed_keys: dict[str, list[str]] = field(default_factory=dict)

    def count(self, what: str, outcome: str, key: str | None = None, n: int = 1) -> None:
        self.changes.setdefault(what, Counter())[outcome] += n
        if key is not None and outcome != "unchanged":
            self.changed_keys.setdefault(what, []).append(f"{outcome}:{key}")

    @property
    def changed(self) -> bool:
        return self.created_district or any(
            n for counter in self.changes.values() for outcome, n in counter.items()
            if outcome != "unchanged"
        )


def preflight(session: Session, bundles: list[schema.Bundle]) -> list[Problem]:
    """Checks that need the database: usernames are unique across districts, and an account
    made with ``careline consultant add`` keeps its username (a bundle may list it under the
    same key, and then names it)."""
    problems = []
    for bundle in bundles:
        names = {c.username: (i, c.key) for i, c in enumerate(bundle.consultants, 1)}
        if not names:
            continue
        keys = {c.key: (i, c.username) for i, c in enumerate(bundle.consultants, 1)}
        taken = session.execute(
            select(models.Consultant.username, models.Consultant.key, models.Consultant.origin, models.District.key)
            .join(models.District, models.Consultant.district_id == models.District.id)
            .where(models.Consultant.username.in_(names) | (
                (models.District.key == bundle.key) & (models.Consultant.origin != "bundle")
                & models.Consultant.key.in_(keys)))
        ).all()
        for username, row_key, origin, district_key in taken:
            if district_key != bundle.key:
                index, key = names[username]
                problems.append(Problem(f"{bundle.key}/consultants.yaml", "duplicate_username",
                                        item=index, key=key, field="username",
                                        params={"key": username}))
            elif origin != "bundle" and names.get(username, (0, None))[1] != row_key:
                index, key = names[username] if username in names else keys[row_key]
                problems.append(Problem(f"{bundle.key}/consultants.yaml", "console_account",
                                        item=index, key=key, field="username",
                                        params={"key": username, "account_key": row_key}))
    return problems


def _district_columns(header: schema.DistrictFile) -> dict[str, Any]:
    d = header.district
    data = d.model_dump(mode="json")
    data["latitude"], data["longitude"] = data.pop("lat"), data.pop("lon")
    data["sample"] = header.sample
    data["bundle_version"] = str(header.version)
    return data


def _district_header(row: models.District) -> schema.DistrictFile:
    return schema.DistrictFile(
        format=schema.FORMAT_NAME, version=1, sample=row.sample,
        district=schema.District(
            key=row.key, kind=row.kind, name=row.name, city=row.city, description=row.description,
            timezone=row.timezone, emergency_number=row.emergency_number, hotline=row.hotline,
            emergency_advice=row.emergency_advice, lat=row.latitude, lon=row.longitude,
        ),
    )


class KeyIndex:
    """Ids by key and keys by id of one district's rows, for resolving references."""

    def __init__(self) -> None:
        self.ids: dict[str, dict[str, int]] = {}
        self.keys: dict[str, dict[int, str]] = {}

    def add(self, attribute: str, key: str, row_id: int) -> None:
        self.ids.setdefault(attribute, {})[key] = row_id
        self.keys.setdefault(attribute, {})[row_id] = key


def load_children(session: Session, kind: Kind, row: Any, keys: KeyIndex) -> dict[str, Any]:
    if kind.attribute == "activities":
        explicit = session.scalars(
            select(models.ActivitySession)
            .where(models.ActivitySession.activity_id == row.id,
                   models.ActivitySession.generated.is_(False),
                   models.ActivitySession.active.is_(True))
        )
        return {"sessions": [{"starts_at": s.starts_at, "key": s.key, "capacity": s.capacity}
                             for s in explicit]}
    if kind.attribute == "family_members":
        links = session.scalars(
            select(models.ElderFamily).where(models.ElderFamily.family_member_id == row.id)
        )
        return {"elders": [{"elder": keys.keys["elders"][link.elder_id],
                            "relationship": link.relationship_, "primary": link.primary_contact}
                           for link in links]}
    return {}


def _write_children(session: Session, kind: Kind, row: Any, item: Any, keys: KeyIndex) -> None:
    if kind.attribute == "activities":
        existing = {
            s.key: s for s in session.scalars(
                select(models.ActivitySession).where(models.ActivitySession.activity_id == row.id))
        }
        wanted = set()
        for s in item.sessions:
            key = s.stable_key
            wanted.add(key)
            values = dict(starts_at=s.starts_at,
                          ends_at=s.starts_at + dt.timedelta(minutes=item.duration_minutes),
                          capacity=s.capacity if s.capacity is not None else item.capacity,
                          generated=False, active=True)
            if key in existing:
                for name, value in values.items():
                    setattr(existing[key], name, value)
            else:
                session.add(models.ActivitySession(activity_id=row.id, key=key, booked=0, **values))
        for key, old in existing.items():
            if not old.generated and old.active and key not in wanted:
                old.active = False
    elif kind.attribute == "family_members":
        existing = {
            link.elder_id: link for link in session.scalars(
                select(models.ElderFamily).where(models.ElderFamily.family_member_id == row.id))
        }
        wanted = set()
        for link in item.elders:
            elder_id = keys.ids["elders"][link.elder]
            wanted.add(elder_id)
            target = existing.get(elder_id)
            if target is None:
                session.add(models.ElderFamily(elder_id=elder_id, family_member_id=row.id,
                                               relationship_=link.relationship,
                                               primary_contact=link.primary))
            else:
                target.relationship_, target.primary_contact = link.relationship, link.primary
        for elder_id, old in existing.items():
            if elder_id not in wanted:
                session.delete(old)
    session.flush()


def _import_kind(session: Session, district: models.District, kind: Kind, items: list[Any],
                 keys: KeyIndex, report: DistrictReport) -> None:
    model: Any = kind.model
    rows = {r.key: r for r in session.scalars(select(model).where(model.district_id == district.id))}
    for row in rows.values():
        keys.add(kind.attribute, row.key, row.id)
    # New rows first, so that references within the same file (a place's parent) resolve.
    fresh = {item.key for item in items if item.key not in rows}
    for item in items:
        if item.key not in fresh:
            continue
        row = model(district_id=district.id, active=True, **item_to_columns(kind, item, keys.ids, partial=True))
        session.add(row)
        session.flush()
        rows[item.key] = row
        keys.add(kind.attribute, item.key, row.id)
    for item in items:
        row = rows[item.key]
        is_new = item.key in fresh
        wanted = normalize(item)
        if not is_new:
            try:
                before = row_to_item(kind, row, keys.keys, load_children(session, kind, row, keys))
            except ValidationError:  # stored before a stricter check (a rule's value): the bundle's replaces it
                before = None
            if before == wanted and row.active:
                report.count(kind.attribute, "unchanged")
                continue
        for column, value in item_to_columns(kind, item, keys.ids).items():
            setattr(row, column, value)
        row.active = True
        session.flush()
        _write_children(session, kind, row, item, keys)
        report.count(kind.attribute, "created" if is_new else "updated", item.key)
    if kind.retire:
        in_bundle = {item.key for item in items}
        for key, row in rows.items():
            if key not in in_bundle and row.active and getattr(row, "origin", "bundle") == "bundle":
                row.active = False
                report.count(kind.attribute, "retired", key)


def _retire_missing_family(session: Session, district: models.District, bundle: schema.Bundle,
                           report: DistrictReport) -> None:
    """Family members left out of a bundle that lists family members are retired (kept, not
    deleted) so they lose their Telegram link and alerts; a bundle without family members at all
    is taken as partial and changes nobody."""
    if not bundle.family_members:
        return
    listed = {item.key for item in bundle.family_members}
    for row in session.scalars(select(models.FamilyMember).where(models.FamilyMember.district_id == district.id,
                                                                 models.FamilyMember.active.is_(True))):
        if row.key not in listed:
            row.active = False
            report.count("family_members", "retired", row.key)
    session.flush()


def _import_canned_replies(session: Session, district: models.District, bundle: schema.Bundle,
                           report: DistrictReport) -> None:
    """The bundle's canned replies replace the ones an earlier import of it brought; replies
    consultants wrote in the console stay."""
    wanted = {(item.key, lang): (getattr(item.title, lang), getattr(item.text, lang))
              for item in bundle.canned_replies for lang in item.title.languages}
    for outcome, n in canned.replace_imported(session, district.id, wanted).items():
        report.count("canned_replies", outcome, n=n)


def import_bundle(session: Session, bundle: schema.Bundle, today: dt.date, weeks_ahead: int) -> DistrictReport:
    report = DistrictReport(bundle.key)
    district = session.scalar(select(models.District).where(models.District.key == bundle.key))
    header = bundle.header
    if district is None:
        district = models.District(key=bundle.key, **{k: v for k, v in _district_columns(header).items() if k != "key"})
        session.add(district)
        session.flush()
        report.created_district = True
        report.count("district", "created", bundle.key)
    elif _district_header(district) == header:
        report.count("district", "unchanged")
    else:
        for column, value in _district_columns(header).items():
            setattr(district, column, value)
        district.imported_at = models.utcnow()
        report.count("district", "updated", bundle.key)

    keys = KeyIndex()
    family_before = links.bundle_family(session, district.id)
    for kind in KINDS:
        _import_kind(session, district, kind, getattr(bundle, kind.attribute), keys, report)
    _retire_missing_family(session, district, bundle, report)
    family_after = links.bundle_family(session, district.id)
    links.forget_bundle_family(session, family_before - family_after)
    links.link_bundle_family(session, family_after - family_before)
    _import_canned_replies(session, district, bundle, report)

    for activity in session.scalars(select(models.Activity).where(models.Activity.district_id == district.id)):
        created, retired = extend_schedule(session, activity, today, weeks_ahead)
        if created:
            report.count("activity_sessions", "created", n=created)
        if retired:
            report.count("activity_sessions", "retired", n=retired)
    session.flush()
    return report


def import_bundles(session: Session, bundles: list[schema.Bundle], today: dt.date,
                   weeks_ahead: int = 8) -> list[DistrictReport]:
    """Import bundles into the session's transaction; the caller commits or rolls back."""
    return [import_bundle(session, bundle, today, weeks_ahead) for bundle in bundles]

