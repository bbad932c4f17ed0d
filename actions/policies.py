"""Policies and subsidies: what they are in a sentence, details on request, who qualifies."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.about import describe, named_other_than_policy
from actions.base import CareAction
from actions.context import Context, open_context, recent_user_texts
from actions.elder_facts import FACT_SLOTS, facts_for, not_assessed, told_facts
from actions.formatting import amount_text, listing
from actions.replies import parse_fact
from actions.stated_facts import facts_to_note, stated_facts
from actions.verdicts import (
    answer_amount,
    asks_amount,
    asks_what_all,
    best_policy,
    policies_with_keys,
    say_overview,
    say_verdict,
)
from careline.catalogue import say
from knowledge.eligibility import evaluate
from knowledge.facts import FACTS
from knowledge.models import Policy
from knowledge.naming import names_of
from knowledge.search import search_policies
from knowledge.text import tokens


def named_policies(ctx: Context) -> list[Policy]:
    """The policies the message names (title, alias, part, misspelling, homophone), best first."""
    return [m.row for m in ctx.named(("policy",), "policy_topic")]


def policy_in_discussion(ctx: Context) -> Policy | None:
    key = ctx.slot("policy_key")
    found = policies_with_keys(ctx, [key]) if key else []
    return found[0] if found else None


def amount_asked(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]] | None:
    """"一个月多少钱" / "how much a month" naming no policy: the amount of the one in question."""
    if not asks_amount(ctx.text) or named_policies(ctx):
        return None
    policy = policy_in_discussion(ctx)
    return answer_amount(ctx, dispatcher, policy) if policy is not None else None


def overview_asked(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]] | None:
    """"我爸七十九了…他能领啥" heard as a question about one policy: every policy the elder can
    get, with the facts said kept."""
    if not asks_what_all(ctx.text):
        return None
    noted = noted_facts(ctx)
    return [*(SlotSet(f"fact_{fact}", value) for fact, value in noted.items()),
            *say_overview(ctx, dispatcher, facts_for(ctx, noted))]


def noted_facts(ctx: Context) -> dict[str, Any]:
    """The facts said in this message, and in the last few for facts not told yet."""
    noted = facts_to_note(ctx.text, recent_user_texts(ctx.tracker)[1:], told_facts(ctx.tracker))
    return {fact: value for fact, value in noted.items() if f"fact_{fact}" in FACT_SLOTS}


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


def described_policy(ctx: Context) -> Policy | None:
    """The policy a detail question describes by the words of its title or keywords ("how do I
    apply for the support for parents who lost their only child"), when it names none and none is
    being discussed. A word found only in a policy's text ("documents", "need") describes none."""
    hits = search_policies(ctx.session, ctx.text, ctx.district.id if ctx.district else None, limit=1)
    if not hits:
        return None
    policy = hits[0].policy
    return policy if described_by(policy, ctx.text) else None


def described_by(policy: Policy, text: str) -> bool:
    """``text`` shares a word with the policy's names or keywords, not only with its text."""
    keywords = policy.keywords or {}
    own = set(tokens(" ".join([*names_of(policy), *keywords.get("zh", []), *keywords.get("en", [])])))
    return bool(own & set(tokens(text)))


def _query(ctx: Context) -> str:
    return ctx.entity("policy_topic") or ctx.text


class ActionAnswerPolicy(CareAction):
    action_name = "action_answer_policy"
    hears_named_questions = True
    hears_fact_updates = True
    hears_place_follow_ups = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        other = named_other_than_policy(ctx)
        if other is not None:
            return describe(ctx, dispatcher, other)
        answered = amount_asked(ctx, dispatcher) or overview_asked(ctx, dispatcher)
        if answered is not None:
            return answered
        policy, related = find_policy(ctx, _query(ctx))
        if policy is not None and not named_policies(ctx) and policy.key != ctx.slot("policy_key") \
                and not described_by(policy, _query(ctx)):
            # "is there help with a wheelchair": found only by "help" and "walk" in a policy's text
            related, policy = [policy, *related], None
        if policy is None:
            dispatcher.utter_message(text=say("actions.policy_not_found", ctx.lang))
            if related:
                dispatcher.utter_message(text=say("actions.policy_also", ctx.lang,
                                                  titles=listing([p.title[ctx.lang] for p in related], ctx.lang)))
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
    hears_fact_updates = True  # "没评估过" after a verdict reads like "and then?"
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        """The policy named in the message; else the one talked about last ("tell me more"
        means that one); else what the model's topic words find. "How much a month" about the
        one in question is its amount."""
        answered = amount_asked(ctx, dispatcher)
        if answered is not None:
            return answered
        named = named_policies(ctx)
        policy = named[0] if named else policy_in_discussion(ctx)
        if policy is None:
            other = named_other_than_policy(ctx)
            if other is not None:
                return describe(ctx, dispatcher, other)
            policy, _ = find_policy(ctx, ctx.entity("policy_topic") or "")
        if policy is None:
            policy = described_policy(ctx)
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


def _candidates_from_slot(ctx: Context) -> list[Policy]:
    keys = ctx.slot("policy_candidates") or []
    if not keys or ctx.district is None:
        policy, _ = find_policy(ctx, None)
        return [policy] if policy is not None else []
    return policies_with_keys(ctx, keys)


class ActionPrepareEligibility(CareAction):
    """Pick the policy in question and take the facts already said before the form asks for
    the missing ones."""

    action_name = "action_prepare_eligibility"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        new = noted_facts(ctx)
        # "他能领啥": every policy, none asked for (the form then asks nothing)
        candidates = [] if asks_what_all(ctx.text) else candidates_for(ctx)
        facts = facts_for(ctx, new)
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
            said = {name: v for name, v in stated.items() if name not in told}
            if parsed is not None:
                said[fact] = parsed
            policy = best_policy(_candidates_from_slot(ctx), facts_for(ctx, said))
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
        """The verdict on the policy asked about; with none ("他能领啥"), what the elder can get."""
        facts = facts_for(ctx)
        policy = best_policy(_candidates_from_slot(ctx), facts)
        if policy is None:
            return say_overview(ctx, dispatcher, facts)
        return say_verdict(ctx, dispatcher, policy, facts, not_assessed(ctx))
