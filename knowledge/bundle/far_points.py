"""Places and service points far outside their district.

A wrong digit, latitude and longitude swapped or a point copied from another city's list still
make valid coordinates, so nothing else notices; but a canteen put 1,200 km away is then never
the nearest to anyone, and a district centre put there makes every distance wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from knowledge.bundle.problems import Problem
from knowledge.geo import distance_m

#: How far a place or service point may lie from its district's centre, in km. Most counties and city
#: districts of China cover under 3,000 km² (some 30 km from the middle to the edge), so a point 100 km
#: out is in another county; and the usual typos land farther: a wrong degree of latitude is 111 km
#: off, a swapped or sign-flipped pair thousands of km. (A wrong degree of longitude, 80 to 100 km
#: across most of China, may slip under it; a few vast counties of the far west are hundreds of km
#: across, and a bundle for one would need a larger value here.)
FAR_KM = 100.0
#: The middle of fewer points than this is no measure of where the district is.
MIN_POINTS = 3


@dataclass(frozen=True)
class Point:
    """A place or service point as the problems name it: file, item number, key, coordinates."""

    file: str
    item: int
    key: str
    lat: float
    lon: float


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    return distance_m(a[0], a[1], b[0], b[1]) / 1000


def _said(km: float) -> str:
    return f"{km:,.0f}"


def middle(points: list[Point]) -> tuple[float, float] | None:
    """The median latitude and longitude: where most points are, whatever a few wrong ones say."""
    if len(points) < MIN_POINTS:
        return None
    return median(p.lat for p in points), median(p.lon for p in points)


def far_points(centre: tuple[float, float] | None, points: list[Point], district_file: str) -> list[Problem]:
    """Points more than :data:`FAR_KM` from the district's centre (``centre``, from
    ``district.yaml``), or, without one, from the middle of the points. A centre that is itself that
    far from the middle of its points is reported instead, and the points are measured from
    their middle."""
    problems: list[Problem] = []
    limit = _said(FAR_KM)
    mid = middle(points)
    if centre is not None and mid is not None and _km(centre, mid) > FAR_KM:
        problems.append(Problem(district_file, "far_centre", field="district.lat/lon",
                                params={"km": _said(_km(centre, mid)), "n": len(points), "limit": limit}))
        centre = None
    reference, code = (centre, "far_point") if centre is not None else (mid, "far_point_middle")
    if reference is None:
        return problems
    for point in points:
        km = _km(reference, (point.lat, point.lon))
        if km > FAR_KM:
            problems.append(Problem(point.file, code, item=point.item, key=point.key, field="lat/lon",
                                    params={"km": _said(km), "limit": limit}))
    return problems
