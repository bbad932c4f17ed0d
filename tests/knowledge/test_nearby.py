import datetime as dt

import pytest
from sqlalchemy.orm import Session

from knowledge.geo import bounding_box, distance_m
from knowledge.nearby import nearest_points

GUIHUA = (30.610, 103.600)


def test_distance_is_haversine() -> None:
    assert distance_m(30.61, 103.6, 30.611, 103.6) == pytest.approx(111.2, abs=0.5)
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=1e-3)


def test_box_contains_circle() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(30.0, 100.0, 1000)
    assert distance_m(30.0, 100.0, max_lat, 100.0) == pytest.approx(1000, rel=1e-3)
    assert distance_m(30.0, 100.0, 30.0, max_lon) == pytest.approx(1000, rel=1e-3)


def test_nearest_first_with_distances(maple: Session) -> None:
    found = nearest_points(maple, *GUIHUA, limit=3)
    assert [n.point.key for n in found] == ["guihua-point", "clinic", "canteen"]
    assert found[0].distance_m == pytest.approx(111, abs=2)
    assert [n.distance_m for n in found] == sorted(n.distance_m for n in found)


def test_filter_by_kind_reaches_far_points(maple: Session) -> None:
    found = nearest_points(maple, *GUIHUA, kinds=["mutual_aid_point"], limit=5)
    assert [n.point.key for n in found] == ["guihua-point", "shiqiao-point"]
    assert found[1].distance_m == pytest.approx(4100, rel=0.05)


def test_open_now_filter(maple: Session) -> None:
    monday_8am = dt.datetime(2026, 11, 23, 8, 0)
    found = nearest_points(maple, *GUIHUA, open_at=monday_8am, limit=10)
    assert {n.point.key for n in found} == {"guihua-point", "clinic", "shiqiao-point"}
    assert all(n.open_now for n in found)
    sunday_noon = dt.datetime(2026, 11, 29, 12, 30)
    assert [n.point.key for n in nearest_points(maple, *GUIHUA, open_at=sunday_noon, limit=10)] == ["shiqiao-point"]


def test_nothing_within_reach(maple: Session) -> None:
    assert nearest_points(maple, 0.0, 0.0, limit=3, max_distance_m=50_000) == []
