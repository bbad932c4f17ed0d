"""Policies and subsidies: what they are in a sentence, details on request, who qualifies."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.about import describe, named_other_than_policy
from actions.base import CareAction
from actions.context import Context, open_context, recent_user_texts
from actions.formatting import amount_text, listing
from actions.replies import parse_fact
from actions.stated_facts import stated_facts
from careline.catalogue import say
from knowledge.eligibility import Verdict, check_all, evaluate
from knowledge.facts import FACTS, profile_facts
from knowledge.models import Policy
from knowledge.search import search_policies

FACT_SLOTS = {f"fact_{name}": name for name in FACTS if name not in ("district", "place")}


def named_policies(ctx: Context) -> list[Policy]:
    """The policies the message names (title, alias, part, misspelling, homophone), best first."""
    return [m.row for m in ctx.named(("policy",), "policy_topic")]


def policy_in_discussion(ctx: Context) -> Policy | None:
    key = ctx.slot("policy_key")
    if not key or ctx.district is None:
        return None
    return ctx.session.scalar(select(Policy).where(Policy.district_id == ctx.district.id,
                                                   Policy.key == key, Policy.active.is_(True)))


def find_policy(ctx: Context, query: str | None) -> tuple[Policy | None, list[Policy]]:
    """The policy the person means and near misses: one the message names; else, with
    ``query``, what its words find; else the one being discussed."""
    if query is not None:
        named = named_policies(ctx)
        if named:
            return named[0], named[1:3]
        if query.strip():
            hits = search_policies(ctx.session, query, ctx.district.id if ctx.district else None, limit=3)
            if hits:
                return hits[0].policy, [h.policy for h in hits[1:]]
    return policy_in_discussion(ctx), []


def _query(ctx: Context) -> str:
    return ctx.entity("policy_topic") or ctx.text


class ActionAnswerPolicy(CareAction):
    action_name = "action_answer_policy"
    hears_named_questions = True
    hears_place_follow_ups = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        other = named_other_than_policy(ctx)
        if other is not None:
            return describe(ctx, dispatcher, other)
        policy, related = find_policy(ctx, _query(ctx))
        if policy is None:
            dispatcher.utter_message(text=say("actions.policy_not_found", ctx.lang))
            return []
        lines = [say("actions.policy_intro", ctx.lang, title=policy.title[ctx.lang], summary=policy.summary[ctx.lang])]
        amount = amount_text(policy.amount, ctx.lang)
        if amount:
            lines.append(say("actions.policy_amount", ctx.lang, amount=amount))
        lines.append(say("actions.policy_more_hint", ctx.lang))
        dispatcher.utter_message(text="".join(lines) if ctx.lang == "zh" else " ".join(lines))
        if related:
            dispatcher.utter_message(text=say("actions.policy_also", ctx.lang,
                                            titles=listing([p.title[ctx.lang] for p in related], ctx.lang)))
        return [SlotSet("policy_key", policy.key)]


class ActionPolicyDetails(CareAction):
    action_name = "action_policy_details"
    hears_named_questions = True
    hears_place_follow_ups = True  # "那明珠花园呢" after a search reads like "and then?"
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        """The policy named in the message; else the one talked about last ("tell me more"
        means that one); else what the model's topic words find."""
        named = named_policies(ctx)
        policy = named[0] if named else policy_in_discussion(ctx)
        if policy is None:
            other = named_other_than_policy(ctx)
            if other is not None:
                return describe(ctx, dispatcher, other)
            policy, _ = find_policy(ctx, ctx.entity("policy_topic") or "")
        if policy is None:
            dispatcher.utter_message(text=say("actions.policy_which", ctx.lang))
            return []
        dispatcher.utter_message(text=say("actions.policy_details", ctx.lang, title=policy.title[ctx.lang],
                                        details=policy.details[ctx.lang]))
        criteria = [c["text"][ctx.lang] for c in policy.criteria]
        dispatcher.utter_message(text=say("actions.policy_who", ctx.lang, criteria=listing(criteria, ctx.lang))
                                 if criteria else say("actions.policy_everyone", ctx.lang))
        dispatcher.utter_message(text=say("actions.policy_apply", ctx.lang, how=policy.how_to_apply[ctx.lang]))
        return [SlotSet("policy_key", policy.key)]


def _is_valid(fact: str, value: Any) -> bool:
    """A told fact counts once validated: the raw words of an answer are not a value yet."""
    kind = FACTS[fact]
    if kind.values:
        return value in kind.values
    if fact in ("age", "care_level"):
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, bool)


def told_facts(tracker: Tracker) -> dict[str, Any]:
    return {fact: tracker.get_slot(slot) for slot, fact in FACT_SLOTS.items()
            if _is_valid(fact, tracker.get_slot(slot))}


def facts_for(ctx: Context) -> dict[str, Any]:
    told = told_facts(ctx.tracker)
    if ctx.elder is not None:
        return profile_facts(ctx.elder, ctx.today, told)
    base: dict[str, Any] = {name: None for name in FACTS}
    base["district"] = ctx.district.key if ctx.district else None
    base.update(told)
    return base


# Hits this close to the best are the same question read two ways: the 80-89 and the 90-99
# band of one allowance. Which one is meant is settled by the facts.
CLOSE_HIT = 0.8


def candidates_for(ctx: Context) -> list[Policy]:
    """The policies the question may be about: a named one (and its close readings), else the
    one being discussed, else what the words of the question find."""
    found = ctx.named(("policy",), "policy_topic")
    if found:
        return [m.row for m in found if m.score >= found[0].score - 2.0]
    topic = ctx.entity("policy_topic")
    if not topic and ctx.slot("policy_key"):
        policy, _ = find_policy(ctx, None)
        if policy is not None:
            return [policy]
    hits = search_policies(ctx.session, topic or ctx.text, ctx.district.id if ctx.district else None, limit=4)
    return [h.policy for h in hits if h.score >= CLOSE_HIT * hits[0].score] if hits else []


def best_policy(candidates: list[Policy], facts: dict[str, Any]) -> Policy | None:
    """The candidate the person qualifies for, else one still open, else the first."""
    rank = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.NOT_ELIGIBLE: 2}
    return min(candidates, key=lambda p: rank[evaluate(p, facts).verdict]) if candidates else None


def _candidates_from_slot(ctx: Context) -> list[Policy]:
    keys = ctx.slot("policy_candidates") or []
    if not keys or ctx.district is None:
        policy, _ = find_policy(ctx, None)
        return [policy] if policy is not None else []
    found = {p.key: p for p in ctx.session.scalars(select(Policy).where(
        Policy.district_id == ctx.district.id, Policy.key.in_(keys), Policy.active.is_(True)))}
    return [found[k] for k in keys if k in found]


class ActionPrepareEligibility(CareAction):
    """Pick the policy in question and take the facts already said before the form asks for
    the missing ones."""

    action_name = "action_prepare_eligibility"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        told = told_facts(ctx.tracker)
        stated: dict[str, Any] = {}
        for text in reversed(recent_user_texts(ctx.tracker)):
            stated.update(stated_facts(text))
        new = {fact: value for fact, value in stated.items() if fact not in told and f"fact_{fact}" in FACT_SLOTS}
        candidates = candidates_for(ctx)
        facts = {**facts_for(ctx), **new}
        policy = best_policy(candidates, facts)
        if policy is not None and len(candidates) == 1 and evaluate(policy, facts).missing:
            dispatcher.utter_message(text=say("actions.elig_about", ctx.lang, title=policy.title[ctx.lang]))
        return [SlotSet("policy_key", policy.key if policy else None),
                SlotSet("policy_candidates", [p.key for p in candidates]),
                *(SlotSet(f"fact_{fact}", value) for fact, value in new.items())]


class ValidateEligibilityForm(FormValidationAction):
    """Asks only the facts that the policy's rules need and the profile does not have."""

    def name(self) -> str:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        with open_context(tracker) as ctx:
            facts = facts_for(ctx)
            policy, _ = find_policy(ctx, None)
            if policy is None:
                return []
            missing = evaluate(policy, facts).missing
        return [f"fact_{name}" for name in missing[:1]]


def _fact_validator(slot: str, fact: str):  # noqa: ANN202 - builds one method per fact slot
    def validate(self: ValidateEligibilityForm, value: Any, dispatcher: CollectingDispatcher,
                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        """The answer to the question asked, and any other fact said with it ("我八十二了，一个人住");
        with them, the band or variant of the policy the person can get."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        stated = stated_facts(str(value))
        parsed = parse_fact(fact, str(value), intent)
        if parsed is None:
            parsed = stated.get(fact)
        if parsed is None and not stated:
            from actions.context import language_of

            dispatcher.utter_message(text=say("actions.fact_not_understood", language_of(tracker)))
            return {slot: None}
        with open_context(tracker) as ctx:
            told = told_facts(tracker)
            extra = {f"fact_{name}": v for name, v in stated.items()
                     if name != fact and name not in told and f"fact_{name}" in FACT_SLOTS}
            facts = {**facts_for(ctx), **{name: v for name, v in stated.items() if name not in told}}
            if parsed is not None:
                facts[fact] = parsed
            policy = best_policy(_candidates_from_slot(ctx), facts)
        # other facts said instead of the one asked: kept, and the question is asked again
        return {slot: parsed, **extra, **({"policy_key": policy.key} if policy else {})}

    validate.__name__ = f"validate_{slot}"
    return validate


for _slot, _fact in FACT_SLOTS.items():
    setattr(ValidateEligibilityForm, f"validate_{_slot}", _fact_validator(_slot, _fact))


class _AskFact(CareAction, ABC):
    """Asks the question of one fact; one subclass per fact slot (the form asks by slot name)."""

    fact = ""

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=say(FACTS[self.fact].question, ctx.lang))
        return []


# Named module-level classes: the action server pickles its actions into worker processes.
for _slot, _fact in FACT_SLOTS.items():
    _name = "ActionAsk" + _slot.title().replace("_", "")
    globals()[_name] = type(_name, (_AskFact,), {"action_name": f"action_ask_{_slot}", "fact": _fact,
                                                 "__module__": __name__, "__qualname__": _name})


class ActionEligibilityResult(CareAction):
    action_name = "action_eligibility_result"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        who = ctx.who() if ctx.elder else say("actions.who_elder", ctx.lang)
        facts = facts_for(ctx)
        policy = best_policy(_candidates_from_slot(ctx), facts)
        if policy is None:
            if ctx.elder is None:
                dispatcher.utter_message(text=say("actions.policy_which", ctx.lang))
                return []
            results = [r for r in check_all(ctx.session, ctx.elder, ctx.today, told_facts(ctx.tracker))
                       if r.verdict is Verdict.ELIGIBLE]
            if results:
                titles = listing([r.policy.title[ctx.lang] for r in results[:5]], ctx.lang)
                dispatcher.utter_message(text=say("actions.elig_list", ctx.lang, who=who, titles=titles))
            else:
                dispatcher.utter_message(text=say("actions.elig_list_none", ctx.lang, who=who))
            return []
        result = evaluate(policy, facts)
        title = policy.title[ctx.lang]
        reasons = listing(result.reasons(ctx.lang), ctx.lang)
        if result.verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(text=say("actions.elig_yes", ctx.lang, who=who, title=title, reasons=reasons))
            dispatcher.utter_message(text=say("actions.policy_apply", ctx.lang, how=policy.how_to_apply[ctx.lang]))
        elif result.verdict is Verdict.NOT_ELIGIBLE:
            dispatcher.utter_message(text=say("actions.elig_no", ctx.lang, who=who, title=title, reasons=reasons))
            others = [p for p in ctx.session.scalars(select(Policy).where(
                Policy.district_id == policy.district_id, Policy.active.is_(True), Policy.id != policy.id))
                if evaluate(p, facts).verdict is Verdict.ELIGIBLE and p.criteria]
            if others:
                dispatcher.utter_message(text=say("actions.elig_alternatives", ctx.lang, who=who, titles=listing(
                    [p.title[ctx.lang] for p in others[:3]], ctx.lang)))
        else:
            dispatcher.utter_message(text=say("actions.elig_unknown", ctx.lang, title=title))
        return [SlotSet("policy_key", policy.key)]
