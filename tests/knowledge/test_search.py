import pytest
from sqlalchemy.orm import Session

from knowledge.search import search_policies


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("高龄补贴", "old-age-allowance"),
        ("请问一下老人钱怎么领", "old-age-allowance"),
        ("上门服务有没有补贴", "home-care-subsidy"),
        ("助浴补贴", "home-care-subsidy"),
        ("时间银行是啥", "time-bank"),
        ("is there money for old people", "old-age-allowance"),
        ("Old age allowances", "old-age-allowance"),
        ("help with cleaning at home", "home-care-subsidy"),
        ("how do volunteer hours work", "time-bank"),
        ("我想当志愿者", "time-bank"),
    ],
)
def test_finds_the_policy_people_mean(maple: Session, query: str, expected: str) -> None:
    hits = search_policies(maple, query)
    assert hits, query
    assert hits[0].policy.key == expected


@pytest.mark.parametrize("query", ["", "   ", "???", "the weather tomorrow", "股票行情", "🙂🙂"])
def test_unrelated_or_empty_queries_find_nothing(maple: Session, query: str) -> None:
    assert search_policies(maple, query) == []


def test_search_is_limited_to_a_district(maple: Session) -> None:
    assert search_policies(maple, "高龄津贴", district_id=10_000) == []
