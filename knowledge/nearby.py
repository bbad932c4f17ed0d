"""Service points nearest to a coordinate: an index range scan on a growing bounding box,
then exact distances, kind and open-now filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import hours
from knowledge.geo import bounding_box, distance_m
from knowledge.models import ServicePoint

START_RADIUS_M = 2_000.0
MAX_RADIUS_M = 200_000.0


@dataclass(frozen=True)
class NearbyPoint:
    point: ServicePoint
    distance_m: float
    open_now: bool | None


def nearest_points(session: Session, latitude: float, longitude: float, *,
                   kinds: Iterable[str] | None = None, open_at: dt.datetime | None = None,
                   district_id: int | None = None, limit: int = 3,
                   max_distance_m: float = MAX_RADIUS_M, services: Iterable[str] = ()) -> list[NearbyPoint]:
    """Up to ``limit`` active points, nearest first; only open ones if ``open_at`` is given; only
    points of ``kinds`` or offering one of ``services`` if either is given."""
    wanted_kinds = set(kinds) if kinds else None
    wanted_services = set(services)
    radius = min(START_RADIUS_M, max_distance_m)
    while True:
        min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius)
        statement = select(ServicePoint).where(
            ServicePoint.active.is_(True),
            ServicePoint.latitude.between(min_lat, max_lat),
            ServicePoint.longitude.between(min_lon, max_lon),
        )
        if wanted_kinds and not wanted_services:
            statement = statement.where(ServicePoint.kind.in_(wanted_kinds))
        if district_id is not None:
            statement = statement.where(ServicePoint.district_id == district_id)
        found = []
        for point in session.scalars(statement):
            if wanted_services and point.kind not in (wanted_kinds or ()) \
                    and not wanted_services & set(point.services or ()):
                continue
            distance = distance_m(latitude, longitude, point.latitude, point.longitude)
            if distance > max_distance_m:
                continue
            is_open = hours.is_open(point.opening_hours, open_at) if open_at else None
            if open_at is not None and not is_open:
                continue
            found.append(NearbyPoint(point, distance, is_open))
        found.sort(key=lambda n: (n.distance_m, n.point.key))
        # The box holds the whole circle, so once k points lie inside it no farther point can win.
        if (len(found) >= limit and found[limit - 1].distance_m <= radius) or radius >= max_distance_m:
            return found[:limit]
        radius = min(radius * 2, max_distance_m)
