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

from actions.base import CareAction
from actions.context import Context, open_context
from actions.formatting import amount_text, listing
from actions.replies import parse_fact
from actions.texts import t
from knowledge.eligibility import Verdict, check_all, evaluate
from knowledge.facts import FACTS, profile_facts
from knowledge.models import Policy
from knowledge.search import search_policies

FACT_SLOTS = {f"fact_{name}": name for name in FACTS if name not in ("district", "place")}


def find_policy(ctx: Context, query: str | None) -> tuple[Policy | None, list[Policy]]:
    """The policy the person means (by their words, or the one being discussed) and near misses."""
    district_id = ctx.district.id if ctx.district else None
    if query and query.strip():
        hits = search_policies(ctx.session, query, district_id, limit=3)
        if hits:
            return hits[0].policy, [h.policy for h in hits[1:]]
    key = ctx.slot("policy_key")
    if key and ctx.district is not None:
        policy = ctx.session.scalar(select(Policy).where(Policy.district_id == ctx.district.id,
                                                         Policy.key == key, Policy.active.is_(True)))
        return policy, []
    return None, []


def _query(ctx: Context) -> str:
    return ctx.entity("policy_topic") or ctx.text


class ActionAnswerPolicy(CareAction):
    action_name = "action_answer_policy"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        policy, related = find_policy(ctx, _query(ctx))
        if policy is None:
            dispatcher.utter_message(text=t("policy_not_found", ctx.lang))
            return []
        lines = [t("policy_intro", ctx.lang, title=policy.title[ctx.lang], summary=policy.summary[ctx.lang])]
        amount = amount_text(policy.amount, ctx.lang)
        if amount:
            lines.append(t("policy_amount", ctx.lang, amount=amount))
        lines.append(t("policy_more_hint", ctx.lang))
        dispatcher.utter_message(text="".join(lines) if ctx.lang == "zh" else " ".join(lines))
        if related:
            dispatcher.utter_message(text=t("policy_also", ctx.lang,
                                            titles=listing([p.title[ctx.lang] for p in related], ctx.lang)))
        return [SlotSet("policy_key", policy.key)]


class ActionPolicyDetails(CareAction):
    action_name = "action_policy_details"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        topic = ctx.entity("policy_topic")
        policy, _ = find_policy(ctx, topic)
        if policy is None:
            dispatcher.utter_message(text=t("policy_which", ctx.lang))
            return []
        dispatcher.utter_message(text=t("policy_details", ctx.lang, title=policy.title[ctx.lang],
                                        details=policy.details[ctx.lang]))
        criteria = [c["text"][ctx.lang] for c in policy.criteria]
        dispatcher.utter_message(text=t("policy_who", ctx.lang, criteria=listing(criteria, ctx.lang))
                                 if criteria else t("policy_everyone", ctx.lang))
        dispatcher.utter_message(text=t("policy_apply", ctx.lang, how=policy.how_to_apply[ctx.lang]))
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


class ActionPrepareEligibility(CareAction):
    """Pick the policy in question before the form asks for the missing facts."""

    action_name = "action_prepare_eligibility"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        topic = ctx.entity("policy_topic")
        policy, _ = find_policy(ctx, topic or ctx.text)
        return [SlotSet("policy_key", policy.key if policy else None)]


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
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        parsed = parse_fact(fact, str(value), intent)
        if parsed is None:
            from actions.context import language_of

            dispatcher.utter_message(text=t("fact_not_understood", language_of(tracker)))
            return {slot: None}
        return {slot: parsed}

    validate.__name__ = f"validate_{slot}"
    return validate


for _slot, _fact in FACT_SLOTS.items():
    setattr(ValidateEligibilityForm, f"validate_{_slot}", _fact_validator(_slot, _fact))


class _AskFact(CareAction, ABC):
    """Asks the question of one fact; one subclass per fact slot (the form asks by slot name)."""

    fact = ""

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        dispatcher.utter_message(text=FACTS[self.fact].question[ctx.lang])
        return []


# Named module-level classes: the action server pickles its actions into worker processes.
for _slot, _fact in FACT_SLOTS.items():
    _name = "ActionAsk" + _slot.title().replace("_", "")
    globals()[_name] = type(_name, (_AskFact,), {"action_name": f"action_ask_{_slot}", "fact": _fact,
                                                 "__module__": __name__, "__qualname__": _name})


class ActionEligibilityResult(CareAction):
    action_name = "action_eligibility_result"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        who = ctx.who() if ctx.elder else t("who_you", ctx.lang)
        facts = facts_for(ctx)
        policy, _ = find_policy(ctx, None)
        if policy is None:
            if ctx.elder is None:
                dispatcher.utter_message(text=t("policy_which", ctx.lang))
                return []
            results = [r for r in check_all(ctx.session, ctx.elder, ctx.today, told_facts(ctx.tracker))
                       if r.verdict is Verdict.ELIGIBLE]
            if results:
                titles = listing([r.policy.title[ctx.lang] for r in results[:5]], ctx.lang)
                dispatcher.utter_message(text=t("elig_list", ctx.lang, who=who, titles=titles))
            else:
                dispatcher.utter_message(text=t("elig_list_none", ctx.lang, who=who))
            return []
        result = evaluate(policy, facts)
        title = policy.title[ctx.lang]
        reasons = listing(result.reasons(ctx.lang), ctx.lang)
        if result.verdict is Verdict.ELIGIBLE:
            dispatcher.utter_message(text=t("elig_yes", ctx.lang, who=who, title=title, reasons=reasons))
            dispatcher.utter_message(text=t("policy_apply", ctx.lang, how=policy.how_to_apply[ctx.lang]))
        elif result.verdict is Verdict.NOT_ELIGIBLE:
            dispatcher.utter_message(text=t("elig_no", ctx.lang, who=who, title=title, reasons=reasons))
            others = [p for p in ctx.session.scalars(select(Policy).where(
                Policy.district_id == policy.district_id, Policy.active.is_(True), Policy.id != policy.id))
                if evaluate(p, facts).verdict is Verdict.ELIGIBLE and p.criteria]
            if others:
                dispatcher.utter_message(text=t("elig_alternatives", ctx.lang, who=who, titles=listing(
                    [p.title[ctx.lang] for p in others[:3]], ctx.lang)))
        else:
            dispatcher.utter_message(text=t("elig_unknown", ctx.lang, title=title))
        return [SlotSet("policy_key", policy.key)]
