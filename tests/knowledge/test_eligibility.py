from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.eligibility import Verdict, check_all, check_elder, evaluate
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
