"""The facts about an elder that eligibility rules may name, with their types and questions.

A policy's rule is an expression in the ``rule-engine`` language over these names, for example
``age >= 80 and (lives_alone or income_status in ["low_income", "subsistence"])``. Rules are
type-checked against this table when a bundle is imported, so a typo in a fact name or a
comparison of a number with a word is reported before anything is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rule_engine

from careline.catalogue import N_

if TYPE_CHECKING:
    from knowledge.models import Elder


@dataclass(frozen=True)
class Fact:
    name: str
    type: Any
    label: str  # catalogue keys: how the fact is named, and the question that asks for it
    question: str
    values: tuple[str, ...] = ()
    bounds: tuple[float, float] | None = None  # the least and the most a number fact can be


INCOME_STATUSES = ("normal", "low_income", "subsistence", "extreme_poverty")
AGES = (0.0, 130.0)  # bundles take birth dates from 1900 on
CARE_LEVELS = (0.0, 6.0)  # the care-needs assessment's levels, 0 for none

FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("age", rule_engine.DataType.FLOAT, N_("facts.age.label"),
             N_("facts.age.question"), bounds=AGES),
        Fact("lives_alone", rule_engine.DataType.BOOLEAN, N_("facts.lives_alone.label"),
             N_("facts.lives_alone.question")),
        Fact("care_level", rule_engine.DataType.FLOAT, N_("facts.care_level.label"),
             N_("facts.care_level.question"), bounds=CARE_LEVELS),
        Fact("income_status", rule_engine.DataType.STRING, N_("facts.income_status.label"),
             N_("facts.income_status.question"), INCOME_STATUSES),
        Fact("hukou_local", rule_engine.DataType.BOOLEAN, N_("facts.hukou_local.label"),
             N_("facts.hukou_local.question")),
        Fact("disabled", rule_engine.DataType.BOOLEAN, N_("facts.disabled.label"),
             N_("facts.disabled.question")),
        Fact("gender", rule_engine.DataType.STRING, N_("facts.gender.label"),
             N_("facts.gender.question"), ("female", "male")),
        Fact("rural", rule_engine.DataType.BOOLEAN, N_("facts.rural.label"),
             N_("facts.rural.question")),
        Fact("district", rule_engine.DataType.STRING, N_("facts.district.label"),
             N_("facts.district.question")),
        Fact("place", rule_engine.DataType.STRING, N_("facts.place.label"),
             N_("facts.place.question")),
    )
}


class MissingFact(Exception):
    """Raised while evaluating a rule that needs a fact the profile does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _type_of(name: str) -> Any:
    try:
        return FACTS[name].type
    except KeyError:
        raise rule_engine.errors.SymbolResolutionError(name) from None


def _resolve(thing: dict[str, Any], name: str) -> Any:
    value = thing.get(name)
    if value is None:
        raise MissingFact(name)
    return value


RULE_CONTEXT = rule_engine.Context(type_resolver=_type_of, resolver=_resolve)


def compile_rule(expression: str) -> rule_engine.Rule:
    """Parse and type-check a rule; raises ``rule_engine.errors.EngineError`` subclasses."""
    return rule_engine.Rule(expression, context=RULE_CONTEXT)


def rule_symbols(expression: str) -> list[str]:
    """The fact names a rule mentions, in order of first use."""
    seen: list[str] = []

    def record(name: str) -> Any:
        if name not in seen:
            seen.append(name)
        return _type_of(name)

    rule_engine.Rule(expression, context=rule_engine.Context(type_resolver=record))
    return seen


def age_on(birth_date: dt.date, today: dt.date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _rural(elder: Elder) -> bool | None:
    """Villages and towns are rural, communities urban; elsewhere the district's kind decides."""
    place = elder.place
    if place is not None and place.kind in {"village", "town"}:
        return True
    if place is not None and place.kind in {"community", "neighbourhood"}:
        return False
    return elder.district.kind == "rural" if elder.district is not None else None


def profile_facts(elder: Elder, today: dt.date, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The facts of one elder's profile; facts told in conversation override stored ones."""
    place = elder.place
    facts: dict[str, Any] = {
        "age": age_on(elder.birth_date, today) if elder.birth_date else None,
        "lives_alone": elder.lives_alone,
        "care_level": elder.care_level,
        "income_status": elder.income_status,
        "hukou_local": elder.hukou_local,
        "disabled": elder.disabled,
        "gender": elder.gender,
        "rural": _rural(elder),
        "district": elder.district.key if elder.district is not None else None,
        "place": place.key if place is not None else None,
    }
    if overrides:
        facts.update({k: v for k, v in overrides.items() if k in FACTS and v is not None})
    return facts
