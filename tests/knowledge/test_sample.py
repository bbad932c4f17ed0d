"""The bundled sample districts are what the issue promised: valid, bilingual, big enough."""

import datetime as dt

import pytest

from careline.settings import SAMPLE_BUNDLES
from knowledge.bundle import load_bundles
from knowledge.bundle.schema import Bundle
from knowledge.geo import distance_m
from knowledge.schedule import occurrences


@pytest.fixture(scope="module")
def samples() -> dict[str, Bundle]:
    bundles, problems = load_bundles(SAMPLE_BUNDLES)
    assert problems == [], [p.say("en") for p in problems]
    return {b.key: b for b in bundles}


def test_a_rural_and_an_urban_sample(samples: dict[str, Bundle]) -> None:
    kinds = sorted(b.header.district.kind for b in samples.values())
    assert kinds == ["rural", "urban"]
    assert all(b.header.sample for b in samples.values())


def test_minimum_sizes(samples: dict[str, Bundle]) -> None:
    total = {attr: sum(len(getattr(b, attr)) for b in samples.values())
             for attr in ("places", "service_points", "policies", "elders")}
    assert total["places"] >= 30
    assert total["service_points"] >= 25
    assert total["policies"] >= 12
    assert total["elders"] >= 10
    assert all(p.criteria for b in samples.values() for p in b.policies if p.category != "scheme")


def test_every_elder_has_family(samples: dict[str, Bundle]) -> None:
    for bundle in samples.values():
        linked = {link.elder for f in bundle.family_members for link in f.elders}
        assert {e.key for e in bundle.elders} <= linked


def test_at_least_twenty_sessions_in_the_next_eight_weeks(samples: dict[str, Bundle]) -> None:
    start = dt.date.today()
    end = start + dt.timedelta(weeks=8)
    count = 0
    for bundle in samples.values():
        for activity in bundle.activities:
            if activity.repeat and activity.time:
                count += len(occurrences(activity.repeat, activity.time, start, end))
            count += sum(start <= s.starts_at.date() <= end for s in activity.sessions)
    assert count >= 20


def test_most_villages_have_a_mutual_aid_point_within_a_kilometre(samples: dict[str, Bundle]) -> None:
    rural = next(b for b in samples.values() if b.header.district.kind == "rural")
    points = [p for p in rural.service_points if p.kind == "mutual_aid_point"]
    villages = [p for p in rural.places if p.kind == "village"]
    assert villages and points
    near = [v for v in villages
            if min(distance_m(v.lat, v.lon, p.lat, p.lon) for p in points) <= 1_000]
    assert len(near) / len(villages) >= 0.75


def test_texts_are_bilingual_and_distinct(samples: dict[str, Bundle]) -> None:
    for bundle in samples.values():
        for policy in bundle.policies:
            for text in (policy.title, policy.summary, policy.how_to_apply):
                assert text.zh != text.en
        for place in bundle.places:
            assert place.name.zh and place.name.en
