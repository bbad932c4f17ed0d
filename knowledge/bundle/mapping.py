"""How each bundle item maps onto database rows, in both directions.

The same conversion serves the exporter (row → item) and the importer's diff (row → item,
compared with the item in the bundle), so "unchanged" means exactly "would export the same".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, inspect

from knowledge import models
from knowledge.bundle import schema


@dataclass(frozen=True)
class Ref:
    """An item field holding the key of another item, stored as a foreign-key column."""

    column: str
    target: str


@dataclass(frozen=True)
class Kind:
    """One list file of a bundle and the table its items live in."""

    attribute: str
    file: str
    item: type[schema.Item]
    model: type[models.Base]
    refs: dict[str, Ref] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    children: tuple[str, ...] = ()
    retire: bool = True


_COORDS = {"lat": "latitude", "lon": "longitude"}

KINDS: tuple[Kind, ...] = (
    Kind("places", "places.yaml", schema.Place, models.Place,
         refs={"parent": Ref("parent_id", "places")}, renames=_COORDS),
    Kind("service_points", "service_points.yaml", schema.ServicePoint, models.ServicePoint,
         refs={"place": Ref("place_id", "places")}, renames=_COORDS),
    Kind("policies", "policies.yaml", schema.Policy, models.Policy,
         refs={"contact_point": Ref("contact_point_id", "service_points")}),
    Kind("activities", "activities.yaml", schema.Activity, models.Activity,
         refs={"service_point": Ref("service_point_id", "service_points"),
               "place": Ref("place_id", "places")},
         renames={"time": "repeat_time"}, children=("sessions",)),
    Kind("meal_services", "meal_services.yaml", schema.MealService, models.MealService,
         refs={"service_point": Ref("service_point_id", "service_points")}),
    Kind("home_services", "home_services.yaml", schema.HomeService, models.HomeService,
         refs={"provider": Ref("provider_point_id", "service_points")}),
    Kind("elders", "elders.yaml", schema.Elder, models.Elder,
         refs={"place": Ref("place_id", "places")}, retire=False),
    Kind("family_members", "family_members.yaml", schema.FamilyMember, models.FamilyMember,
         children=("elders",), retire=False),
    Kind("volunteers", "volunteers.yaml", schema.Volunteer, models.Volunteer,
         refs={"place": Ref("place_id", "places")}),
    Kind("consultants", "consultants.yaml", schema.Consultant, models.Consultant),
)


def _json_columns(model: type[models.Base]) -> set[str]:
    return {c.key for c in inspect(model).column_attrs if isinstance(c.expression.type, JSON)}


def item_to_columns(kind: Kind, item: schema.Item, ids: dict[str, dict[str, int]],
                    partial: bool = False) -> dict[str, Any]:
    """Column values for an item; references become ids (``ids[target][key]``).

    With ``partial`` a reference without an id yet is left empty: the first insert of a row
    whose reference (a parent place in the same file) is inserted later.
    """
    as_python = item.model_dump()
    as_json = item.model_dump(mode="json")
    json_columns = _json_columns(kind.model)
    values: dict[str, Any] = {}
    for name in type(item).model_fields:
        if name in kind.children:
            continue
        if name in kind.refs:
            ref = kind.refs[name]
            key = getattr(item, name)
            if key is None or (partial and key not in ids.get(ref.target, {})):
                values[ref.column] = None
            else:
                values[ref.column] = ids[ref.target][key]
            continue
        column = kind.renames.get(name, name)
        values[column] = as_json[name] if column in json_columns else as_python[name]
    return values


def row_to_item(kind: Kind, row: Any, keys: dict[str, dict[int, str]], children: dict[str, Any]) -> schema.Item:
    """The bundle item that a row (with its child items) exports as."""
    data: dict[str, Any] = {}
    for name in kind.item.model_fields:
        if name in kind.children:
            data[name] = children.get(name, [])
        elif name in kind.refs:
            ref_id = getattr(row, kind.refs[name].column)
            data[name] = None if ref_id is None else keys[kind.refs[name].target][ref_id]
        else:
            data[name] = getattr(row, kind.renames.get(name, name))
    return normalize(kind.item.model_validate(data, context={schema.STORED: True}))


def normalize(item: BaseModel) -> Any:
    """One canonical form per item, so that equal content compares equal."""
    if isinstance(item, schema.Activity):
        sessions = sorted(
            (schema.Session(
                starts_at=s.starts_at,
                key=None if s.stable_key == s.starts_at.strftime("%Y-%m-%dT%H:%M") else s.key,
                capacity=None if s.capacity == item.capacity else s.capacity,
            ) for s in item.sessions),
            key=lambda s: s.stable_key,
        )
        return item.model_copy(update={"sessions": sessions})
    if isinstance(item, schema.FamilyMember):
        return item.model_copy(update={"elders": sorted(item.elders, key=lambda link: link.elder)})
    return item
