"""Who qualifies for a policy: each criterion's rule evaluated against an elder's facts, with
the reason for every verdict and the facts still missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from careline.catalogue import say
from knowledge.facts import FACTS, MissingFact, compile_rule, profile_facts, rule_symbols
from knowledge.models import Elder, Policy


class Verdict(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CriterionResult:
    rule: str
    text: dict[str, str]
    met: bool | None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Eligibility:
    policy: Policy
    verdict: Verdict
    criteria: tuple[CriterionResult, ...]
    missing: tuple[str, ...] = field(default=())

    def reasons(self, lang: str) -> list[str]:
        """Plain-words reasons: the criteria that decided the verdict."""
        if self.verdict is Verdict.NOT_ELIGIBLE:
            chosen = [c for c in self.criteria if c.met is False]
        elif self.verdict is Verdict.UNKNOWN:
            chosen = [c for c in self.criteria if c.met is None]
        else:
            chosen = list(self.criteria)
        return [c.text[lang] for c in chosen]

    def questions(self, lang: str) -> list[str]:
        return [say(FACTS[name].question, lang) for name in self.missing]


def evaluate_criterion(rule: str, text: dict[str, str], facts: dict[str, Any]) -> CriterionResult:
    try:
        met = bool(compile_rule(rule).matches(facts))
    except MissingFact:
        missing = tuple(name for name in rule_symbols(rule) if facts.get(name) is None)
        return CriterionResult(rule, text, None, missing)
    return CriterionResult(rule, text, met)


def evaluate(policy: Policy, facts: dict[str, Any]) -> Eligibility:
    """All criteria must hold; one that fails decides 'not eligible' even if others are unknown."""
    results = tuple(evaluate_criterion(c["rule"], c["text"], facts) for c in policy.criteria)
    if any(r.met is False for r in results):
        verdict = Verdict.NOT_ELIGIBLE
    elif any(r.met is None for r in results):
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.ELIGIBLE
    missing: list[str] = []
    if verdict is Verdict.UNKNOWN:
        for result in results:
            missing += [m for m in result.missing if m not in missing]
    return Eligibility(policy, verdict, results, tuple(missing))


def check_elder(elder: Elder, policy: Policy, today: dt.date,
                told: dict[str, Any] | None = None) -> Eligibility:
    """Eligibility of one elder, with facts told in the conversation taking precedence."""
    return evaluate(policy, profile_facts(elder, today, told))


def check_all(session: Session, elder: Elder, today: dt.date,
              told: dict[str, Any] | None = None) -> list[Eligibility]:
    """Every active policy of the elder's district, eligible ones first."""
    policies = session.scalars(
        select(Policy).where(Policy.district_id == elder.district_id, Policy.active.is_(True))
        .order_by(Policy.key)
    )
    order = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.NOT_ELIGIBLE: 2}
    results = [check_elder(elder, p, today, told) for p in policies]
    return sorted(results, key=lambda e: order[e.verdict])
