"""Import time for a generated district 100 times the sample's size, and nearest-point latency
over 10,000 service points. Prints figures; asserts nothing.

    .venv/bin/python bench/import_bench.py [--scale 100] [--points 10000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careline.settings import SAMPLE_BUNDLES  # noqa: E402
from knowledge import db  # noqa: E402
from knowledge.bundle import import_path, load_bundles  # noqa: E402
from knowledge.bundle.export import _dump  # noqa: E402
from knowledge.bundle.schema import dump_item  # noqa: E402
from knowledge.models import District, ServicePoint  # noqa: E402
from knowledge.nearby import nearest_points  # noqa: E402

REF_FIELDS = ("place", "parent", "service_point", "contact_point", "provider", "elder")


def _suffix(data, n: int):
    """Make every key and reference of a dumped item unique for copy ``n``."""
    if isinstance(data, dict):
        out = {}
        for field, value in data.items():
            if field in ("key", "username", *REF_FIELDS) and isinstance(value, str):
                out[field] = f"{value}-{n}"
            else:
                out[field] = _suffix(value, n)
        return out
    if isinstance(data, list):
        return [_suffix(v, n) for v in data]
    return data


def generate(scale: int, target: Path) -> dict[str, int]:
    bundles, problems = load_bundles(SAMPLE_BUNDLES)
    assert not problems, problems
    source = next(b for b in bundles if b.header.district.kind == "rural")
    folder = target / "bench-county"
    folder.mkdir(parents=True)
    header = source.header.model_dump(mode="json")
    header["district"]["key"] = "bench-county"
    header["sample"] = False
    (folder / "district.yaml").write_text(_dump(header), encoding="utf-8")
    rng = random.Random(7)
    counts = {}
    for attribute in ("places", "service_points", "policies", "activities", "meal_services",
                      "home_services", "elders", "family_members", "volunteers", "consultants"):
        items = []
        for n in range(scale):
            dlat, dlon = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)
            for item in getattr(source, attribute):
                data = _suffix(dump_item(item), n)
                if "lat" in data:
                    data["lat"] = round(data["lat"] + dlat, 6)
                    data["lon"] = round(data["lon"] + dlon, 6)
                items.append(data)
        counts[attribute] = len(items)
        if items:
            (folder / f"{attribute}.yaml").write_text(_dump(items), encoding="utf-8")
    return counts


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_points(factory, district_id: int, total: int, rng: random.Random) -> int:
    with factory() as session, session.begin():
        have = len(session.scalars(select(ServicePoint.id)).all())
        kinds = ["mutual_aid_point", "canteen", "day_care_centre", "health_station", "service_centre"]
        hours = ["Mo-Fr 08:00-17:00", "24/7", "Mo-Su 07:00-19:00", "Mo-Sa 09:00-12:00,14:00-17:00"]
        session.add_all([
            ServicePoint(district_id=district_id, key=f"gen-{i}", kind=rng.choice(kinds),
                         name={"zh": f"服务点{i}", "en": f"Point {i}"}, aliases={}, address={"zh": "-", "en": "-"},
                         latitude=30.0 + rng.uniform(0, 1.5), longitude=103.0 + rng.uniform(0, 1.5),
                         opening_hours=rng.choice(hours), services=[], active=True)
            for i in range(max(0, total - have))
        ])
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp)
        url = args.database_url or f"sqlite:///{target / 'bench.db'}"
        engine = db.make_engine(url)
        db.upgrade(engine)
        factory = db.session_factory(engine)
        counts = generate(args.scale, target / "bundles")
        print(f"generated district x{args.scale}: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
        today = dt.date.today()
        started = time.perf_counter()
        result = import_path(factory, target / "bundles", today)
        first = time.perf_counter() - started
        assert result.ok, [p.say("en") for p in result.problems[:5]]
        started = time.perf_counter()
        again = import_path(factory, target / "bundles", today)
        second = time.perf_counter() - started
        assert not again.reports[0].changed
        print(f"backend: {engine.dialect.name}")
        print(f"import (first, creates everything): {first:.2f} s")
        print(f"re-import (same bundle, no change):  {second:.2f} s")
        print(f"peak RSS after import: {rss_mb():.0f} MB")

        rng = random.Random(11)
        with factory() as session:
            district_id = session.scalars(select(District.id)).first()
        add_points(factory, district_id, args.points, rng)
        timings: dict[str, list[float]] = {"nearest 3": [], "nearest 3 of a kind": [], "nearest 3 open now": []}
        at = dt.datetime.combine(today, dt.time(10, 0))
        with factory() as session:
            total = len(session.scalars(select(ServicePoint.id)).all())
            for _ in range(args.queries):
                lat, lon = 30.0 + rng.uniform(0, 1.5), 103.0 + rng.uniform(0, 1.5)
                for label, kwargs in (("nearest 3", {}), ("nearest 3 of a kind", {"kinds": ["canteen"]}),
                                      ("nearest 3 open now", {"open_at": at})):
                    started = time.perf_counter()
                    found = nearest_points(session, lat, lon, limit=3, **kwargs)
                    timings[label].append((time.perf_counter() - started) * 1000)
                    assert found
        print(f"nearest-point queries over {total} service points, {args.queries} queries each:")
        for label, values in timings.items():
            values.sort()
            p95 = values[int(len(values) * 0.95) - 1]
            print(f"  {label:22s} p50 {statistics.median(values):6.2f} ms   p95 {p95:6.2f} ms")
        engine.dispose()


if __name__ == "__main__":
    main()
