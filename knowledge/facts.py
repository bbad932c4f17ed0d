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

if TYPE_CHECKING:
    from knowledge.models import Elder


@dataclass(frozen=True)
class Fact:
    name: str
    type: Any
    label: dict[str, str]
    question: dict[str, str]
    values: tuple[str, ...] = ()


INCOME_STATUSES = ("normal", "low_income", "subsistence", "extreme_poverty")

FACTS: dict[str, Fact] = {
    f.name: f
    for f in (
        Fact("age", rule_engine.DataType.FLOAT,
             {"zh": "年龄", "en": "age"},
             {"zh": "老人今年多大年纪？", "en": "How old is the elder?"}),
        Fact("lives_alone", rule_engine.DataType.BOOLEAN,
             {"zh": "是否独居", "en": "lives alone"},
             {"zh": "老人是一个人住吗？", "en": "Does the elder live alone?"}),
        Fact("care_level", rule_engine.DataType.FLOAT,
             {"zh": "照护等级", "en": "care-need level"},
             {"zh": "老人做过长护险评估吗？评的是几级？",
              "en": "Has the elder had a care-need assessment? Which level was it?"}),
        Fact("income_status", rule_engine.DataType.STRING,
             {"zh": "经济状况", "en": "income status"},
             {"zh": "老人是低保、低收入、特困，还是都不是？",
              "en": "Does the elder receive subsistence allowance, count as low-income or "
                    "extreme-poverty supported, or none of these?"},
             INCOME_STATUSES),
        Fact("hukou_local", rule_engine.DataType.BOOLEAN,
             {"zh": "本地户籍", "en": "local household registration"},
             {"zh": "老人的户口在本地吗？", "en": "Is the elder's household registration (hukou) local?"}),
        Fact("disabled", rule_engine.DataType.BOOLEAN,
             {"zh": "持有残疾证", "en": "registered disability"},
             {"zh": "老人有残疾证吗？", "en": "Does the elder hold a disability certificate?"}),
        Fact("gender", rule_engine.DataType.STRING,
             {"zh": "性别", "en": "gender"},
             {"zh": "老人是男性还是女性？", "en": "Is the elder a man or a woman?"},
             ("female", "male")),
        Fact("rural", rule_engine.DataType.BOOLEAN,
             {"zh": "住在农村", "en": "lives in a rural area"},
             {"zh": "老人住在村里吗？", "en": "Does the elder live in a village?"}),
        Fact("district", rule_engine.DataType.STRING,
             {"zh": "所在区县", "en": "district"},
             {"zh": "老人住在哪个区县？", "en": "Which district does the elder live in?"}),
        Fact("place", rule_engine.DataType.STRING,
             {"zh": "所在村/社区", "en": "village or community"},
             {"zh": "老人住在哪个村或者社区？", "en": "Which village or community does the elder live in?"}),
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
