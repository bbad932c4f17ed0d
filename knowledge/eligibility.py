"""Who qualifies for a policy: each criterion's rule evaluated against an elder's facts, with
the reason for every verdict and the facts still missing."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import rule_engine
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
    """A rule that needs a fact not known is decided anyway when every value that fact could
    have gives the same answer: ``disabled or income_status == "subsistence"`` holds for an
    elder on dibao whether or not they hold a disability card."""
    compiled = compile_rule(rule)
    try:
        return CriterionResult(rule, text, bool(compiled.matches(facts)))
    except MissingFact:
        missing = tuple(name for name in rule_symbols(rule) if facts.get(name) is None)
    outcomes = _outcomes(compiled, rule, facts, missing)
    if outcomes in ({True}, {False}):
        return CriterionResult(rule, text, outcomes.pop())
    return CriterionResult(rule, text, None, missing)


# beyond this many combinations of unknown facts' values a rule is left undecided
_MOST_COMBINATIONS = 4096
_OTHER_WORD = "\x00other"


def _possible_values(name: str, rule: str) -> list[Any]:
    """Values of a fact that between them take every branch of ``rule``: a rule compares with
    literals only, so its answer can change only at them."""
    fact = FACTS[name]
    if fact.type is rule_engine.DataType.BOOLEAN:
        return [True, False]
    if fact.values:
        return list(fact.values)
    if fact.type is rule_engine.DataType.STRING:
        return [*{a or b for a, b in re.findall(r'"([^"]*)"|\'([^\']*)\'', rule)}, _OTHER_WORD]
    numbers = {float(n) for n in re.findall(r"(?<![\w.])-?\d+(?:\.\d+)?", rule)}
    return sorted({v for n in numbers for v in (n - 1, n - 0.5, n, n + 0.5, n + 1)} | {-1.0, 1e6})


def _outcomes(compiled: rule_engine.Rule, rule: str, facts: dict[str, Any], missing: tuple[str, ...]) -> set[bool]:
    """The answers of the rule over every combination of the missing facts' possible values
    (empty when there are too many to try)."""
    domains = [_possible_values(name, rule) for name in missing]
    if math.prod(len(d) for d in domains) > _MOST_COMBINATIONS:
        return set()
    found: set[bool] = set()
    for values in itertools.product(*domains):
        found.add(bool(compiled.matches({**facts, **dict(zip(missing, values, strict=True))})))
        if len(found) > 1:
            break
    return found


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


def amount_for(policy: Policy, facts: dict[str, Any]) -> dict[str, Any] | None:
    """The amount of ``policy`` that applies to these facts: the first band whose rule holds, or
    the one amount of a policy without a range; None when it depends on facts not known, or the
    policy has no amount."""
    amount = policy.amount
    if not amount:
        return None
    for band in amount.get("bands") or []:
        met = evaluate_criterion(band["rule"], {}, facts).met
        if met is None:
            return None
        if met:
            return {"value": band["value"], "per": amount["per"]}
    return None if amount.get("max") is not None else amount


@dataclass(frozen=True)
class Overview:
    """What an elder can get: the policies whose every criterion holds, and those that one more
    fact would settle, by that fact."""

    eligible: tuple[Eligibility, ...]
    one_fact_away: dict[str, tuple[Eligibility, ...]]


_CATEGORY_ORDER = {"subsidy": 0, "insurance": 1, "service": 2, "scheme": 3, "policy": 4}


def overview(policies: list[Policy], facts: dict[str, Any]) -> Overview:
    """Policies with conditions come first (one open to everyone says less about this elder),
    then money before services."""
    order = sorted(policies, key=lambda p: (not p.criteria, _CATEGORY_ORDER.get(p.category, 9), p.key))
    results = [evaluate(p, facts) for p in order]
    away: dict[str, list[Eligibility]] = {}
    for result in results:
        if result.verdict is Verdict.UNKNOWN and len(result.missing) == 1:
            away.setdefault(result.missing[0], []).append(result)
    return Overview(tuple(r for r in results if r.verdict is Verdict.ELIGIBLE),
                    {fact: tuple(found) for fact, found in away.items()})


def district_overview(session: Session, district_id: int, facts: dict[str, Any]) -> Overview:
    policies = list(session.scalars(select(Policy).where(Policy.district_id == district_id,
                                                         Policy.active.is_(True))))
    return overview(policies, facts)


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
