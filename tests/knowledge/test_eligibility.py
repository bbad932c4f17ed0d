from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.eligibility import (
    Verdict,
    amount_for,
    check_all,
    check_elder,
    evaluate,
    evaluate_criterion,
    overview,
)
from knowledge.facts import age_on, rule_symbols
from knowledge.models import Elder, Policy
from tests.conftest import TODAY


def _elder(session: Session, key: str) -> Elder:
    return session.scalars(select(Elder).where(Elder.key == key)).one()


def _policy(session: Session, key: str) -> Policy:
    return session.scalars(select(Policy).where(Policy.key == key)).one()


def test_eligible_elder_gets_every_reason(maple: Session) -> None:
    result = check_elder(_elder(maple, "wang"), _policy(maple, "old-age-allowance"), TODAY)
    assert result.verdict is Verdict.ELIGIBLE
    assert result.reasons("en") == ["aged 80 or over", "local household registration"]
    assert result.reasons("zh") == ["年满80周岁", "本地户籍"]


def test_not_eligible_says_which_rule_failed(maple: Session) -> None:
    result = check_elder(_elder(maple, "li"), _policy(maple, "old-age-allowance"), TODAY)
    assert result.verdict is Verdict.NOT_ELIGIBLE
    assert result.reasons("en") == ["aged 80 or over"]
    assert result.missing == ()


def test_unknown_facts_are_asked_for_and_only_those(maple: Session) -> None:
    result = check_elder(_elder(maple, "smith"), _policy(maple, "old-age-allowance"), TODAY)
    assert result.verdict is Verdict.UNKNOWN
    assert result.missing == ("hukou_local",)
    assert result.questions("en") == ["Is the elder's household registration (hukou) local?"]

    li = check_elder(_elder(maple, "li"), _policy(maple, "home-care-subsidy"), TODAY)
    assert li.verdict is Verdict.UNKNOWN
    assert li.missing == ("income_status", "care_level")


def test_facts_told_in_conversation_complete_the_profile(maple: Session) -> None:
    policy = _policy(maple, "home-care-subsidy")
    li = _elder(maple, "li")
    assert check_elder(li, policy, TODAY, {"income_status": "subsistence", "care_level": 3}).verdict \
        is Verdict.ELIGIBLE
    assert check_elder(li, policy, TODAY, {"income_status": "normal"}).verdict is Verdict.NOT_ELIGIBLE


def test_or_rule_decided_by_one_known_side(maple: Session) -> None:
    policy = _policy(maple, "home-care-subsidy")
    facts = {"income_status": "low_income", "lives_alone": True, "care_level": None}
    assert evaluate(policy, facts).verdict is Verdict.ELIGIBLE


def test_policy_without_criteria_is_open_to_all(maple: Session) -> None:
    assert check_elder(_elder(maple, "li"), _policy(maple, "time-bank"), TODAY).verdict is Verdict.ELIGIBLE


def test_check_all_lists_eligible_first(maple: Session) -> None:
    results = check_all(maple, _elder(maple, "smith"), TODAY)
    verdicts = [r.verdict for r in results]
    assert verdicts == sorted(verdicts, key=[Verdict.ELIGIBLE, Verdict.UNKNOWN, Verdict.NOT_ELIGIBLE].index)
    assert {r.policy.key for r in results} == {"old-age-allowance", "home-care-subsidy", "time-bank"}


def test_age_counts_birthdays() -> None:
    import datetime as dt

    assert age_on(dt.date(1940, 11, 24), dt.date(2026, 11, 23)) == 85
    assert age_on(dt.date(1940, 11, 23), dt.date(2026, 11, 23)) == 86


def test_rule_symbols_in_order() -> None:
    assert rule_symbols("lives_alone or care_level >= 2 and age > 1") == ["lives_alone", "care_level", "age"]


def test_a_rule_is_decided_when_the_missing_fact_cannot_change_it() -> None:
    either = 'disabled or income_status in ["low_income", "subsistence"]'
    assert evaluate_criterion(either, {}, {"income_status": "subsistence"}).met is True
    undecided = evaluate_criterion(either, {}, {"income_status": "normal"})
    assert undecided.met is None and undecided.missing == ("disabled",)
    assert evaluate_criterion("lives_alone and age >= 80", {}, {"age": 70}).met is False
    assert evaluate_criterion("care_level >= 2 or age > 90", {}, {"age": 95}).met is True
    assert evaluate_criterion("care_level >= 2 or age > 90", {}, {"age": 85}).met is None
    assert evaluate_criterion('district == "huaxi" or age >= 100', {}, {"age": 101}).met is True


def _banded(maple: Session) -> Policy:
    policy = _policy(maple, "old-age-allowance")
    policy.amount = {"value": "100", "max": "300", "per": "month",
                     "bands": [{"rule": "age >= 90", "value": "300"}, {"rule": "age >= 80", "value": "100"}]}
    return policy


def test_the_amount_is_the_band_the_facts_pick(maple: Session) -> None:
    policy = _banded(maple)
    assert amount_for(policy, {"age": 93}) == {"value": "300", "per": "month"}
    assert amount_for(policy, {"age": 84}) == {"value": "100", "per": "month"}
    assert amount_for(policy, {"age": None}) is None  # it depends on the age
    one = amount_for(_policy(maple, "home-care-subsidy"), {})  # a policy with one amount
    assert one is not None and (str(one["value"]), one["per"]) == ("200", "month")
    policy.amount = {"value": "100", "max": "300", "per": "month"}
    assert amount_for(policy, {"age": 93}) is None  # a range without bands: not this elder's own
    assert amount_for(_policy(maple, "time-bank"), {"age": 93}) is None


def test_overview_lists_what_the_elder_gets_and_what_one_fact_would_open(maple: Session) -> None:
    policies = [_policy(maple, k) for k in ("old-age-allowance", "home-care-subsidy", "time-bank")]
    found = overview(policies, {"age": 84, "hukou_local": True, "income_status": "low_income", "lives_alone": False})
    assert [r.policy.key for r in found.eligible] == ["old-age-allowance", "time-bank"]  # with conditions first
    assert {fact: [r.policy.key for r in results] for fact, results in found.one_fact_away.items()} \
        == {"care_level": ["home-care-subsidy"]}
    nothing_known = overview(policies, {})
    assert [r.policy.key for r in nothing_known.eligible] == ["time-bank"]
    assert "old-age-allowance" not in [r.policy.key for rs in nothing_known.one_fact_away.values() for r in rs]
