"""The facts an eligibility answer rests on: the elder's profile, overridden by what the person
told in the conversation (one ``fact_<name>`` slot per fact)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker

from actions.context import Context
from actions.replies import NOT_ASSESSED
from knowledge.facts import FACTS, profile_facts

FACT_SLOTS = {f"fact_{name}": name for name in FACTS if name not in ("district", "place")}


def is_valid(fact: str, value: Any) -> bool:
    """A told fact counts once validated: the raw words of an answer are not a value yet."""
    kind = FACTS[fact]
    if kind.values:
        return value in kind.values
    if fact == "care_level" and value == NOT_ASSESSED:
        return True
    if fact in ("age", "care_level"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, bool)


def told_facts(tracker: Tracker) -> dict[str, Any]:
    """The facts told in the conversation, as told (a care level may be :data:`NOT_ASSESSED`)."""
    return {fact: tracker.get_slot(slot) for slot, fact in FACT_SLOTS.items()
            if is_valid(fact, tracker.get_slot(slot))}


def for_rules(told: dict[str, Any]) -> dict[str, Any]:
    """Told facts as the rules read them: never assessed is no care level (0)."""
    return {fact: 0 if fact == "care_level" and value == NOT_ASSESSED else value for fact, value in told.items()}


def not_assessed(ctx: Context, said: dict[str, Any] | None = None) -> bool:
    """The person said the elder was never assessed (and named no level since)."""
    told = {**told_facts(ctx.tracker), **(said or {})}
    return told.get("care_level") == NOT_ASSESSED


def facts_for(ctx: Context, said: dict[str, Any] | None = None) -> dict[str, Any]:
    """The facts of the elder in question: the profile of the conversation's elder, or, with no
    elder, the district's kind for ``rural``; facts told in the conversation, and ``said`` now
    (not yet in the slots), override them."""
    told = for_rules({**told_facts(ctx.tracker), **(said or {})})
    if ctx.elder is not None:
        return profile_facts(ctx.elder, ctx.today, told)
    base: dict[str, Any] = {name: None for name in FACTS}
    if ctx.district is not None:
        base["district"] = ctx.district.key
        base["rural"] = ctx.district.kind == "rural"
    base.update(told)
    return base
