"""Saying whether an elder can get a policy, and what they can get at all.

A verdict names the elder as the person knows them ("您母亲符合…"), says the amount that applies
to this elder when the data can tell (the band of the range), and, when a care-level rule decides
for an elder never assessed, how to get assessed instead of "not eligible". A fact said just
after a verdict ("他现在一个人住了") is kept and the verdict given again; "一个月多少钱" after it is
answered with the amount.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.base import ask_district, asked_district_before
from actions.context import Context
from actions.elder_facts import FACT_SLOTS, facts_for, not_assessed
from actions.formatting import amount_text, listing
from actions.staff_offers import offer_staff
from actions.stated_facts import stated_facts
from careline.catalogue import N_, say
from knowledge.eligibility import Eligibility, Verdict, amount_for, district_overview, evaluate
from knowledge.facts import FACTS, rule_symbols
from knowledge.models import Policy, ServicePoint

#: the marker a verdict's message carries, so that a fact said after it can change it
VERDICT = "verdict"
#: a verdict about every policy at once ("他能领啥"), not one
ALL_POLICIES = "*"
#: a fact said within this many messages of a verdict changes it
FOLLOW_UP_MESSAGES = 3
LISTED = 6  # policies named in an overview
MAYBE_FACTS = 2  # facts whose answer would open more policies, said after an overview

_WHAT_ALL = re.compile(
    r"(?:能|可以|可|能够)(?:领|拿|享受|申请|办|得到|报)(?:到)?(?:点|些)?(?:啥|什么|哪些|哪几|哪样)|"
    r"有(?:啥|什么|哪些)(?:补贴|补助|福利|政策|待遇|优惠|好处|津贴|照顾)|符合(?:哪些|什么|啥)|"
    r"\bwhat (?:can|could|would|does|do|might) (?:he|she|i|we|they|my \w+|mum|mom|dad) (?:get|claim|receive|"
    r"apply for|qualify for|be entitled to)\b|\bwhat (?:is|are|'s) (?:he|she|i|we|they|my \w+) entitled to\b|"
    r"\bwhat (?:benefits|subsidies|allowances|help|support|entitlements)\b.*\b(?:can|could|is|are|does|do)\b|"
    r"\b(?:anything|everything) (?:he|she|i|we|they|my \w+) (?:can|could|is entitled to|qualifies for)\b",
    re.IGNORECASE)
_AMOUNT = re.compile(r"多少钱|多少|几块|几百|金额|能领多少|给多少|"
                     r"\bhow much\b|\bamount\b|\bhow many yuan\b|\bwhat(?:'s| is) it worth\b", re.IGNORECASE)
_ASSESSMENT_WORDS = re.compile(r"评估|assess", re.IGNORECASE)
ASSESSMENT_SERVICE = "care_assessment"  # the service key of points that assess (docs/bundle-format.md)


def asks_what_all(text: str) -> bool:
    """"他能领啥", "what can my mum get": every policy the elder can get, not one."""
    return bool(_WHAT_ALL.search(text))


def asks_amount(text: str) -> bool:
    return bool(_AMOUNT.search(text))


def policies_with_keys(ctx: Context, keys: list[str]) -> list[Policy]:
    """The district's active policies of ``keys``, in that order."""
    if not keys or ctx.district is None:
        return []
    found = {p.key: p for p in ctx.session.scalars(select(Policy).where(
        Policy.district_id == ctx.district.id, Policy.key.in_(keys), Policy.active.is_(True)))}
    return [found[k] for k in keys if k in found]


def best_policy(candidates: list[Policy], facts: dict[str, Any]) -> Policy | None:
    """The candidate the person qualifies for, else one still open, else the first."""
    rank = {Verdict.ELIGIBLE: 0, Verdict.UNKNOWN: 1, Verdict.NOT_ELIGIBLE: 2}
    return min(candidates, key=lambda p: rank[evaluate(p, facts).verdict]) if candidates else None


def amount_words(policy: Policy, facts: dict[str, Any], lang: str) -> tuple[str | None, bool]:
    """The amount as said, and whether it is this elder's own (a band, or the one amount)
    rather than the whole range."""
    own = amount_for(policy, facts)
    if own is not None:
        return amount_text(own, lang), True
    return amount_text(policy.amount, lang), False


def _decided_by_care_level(result: Eligibility) -> bool:
    return any(c.met is False and "care_level" in rule_symbols(c.rule) for c in result.criteria)


def assessment_help(ctx: Context) -> str:
    """How to get a care level: the district's assessment (a policy or service that is one),
    else a point that assesses, else what to ask where."""
    if ctx.district is None:
        return say("actions.assessment_general", ctx.lang)
    policies = ctx.session.scalars(select(Policy).where(Policy.district_id == ctx.district.id,
                                                        Policy.active.is_(True)).order_by(Policy.key))
    for policy in policies:
        names = [policy.title.get("zh", ""), policy.title.get("en", ""),
                 *(policy.aliases or {}).get("zh", []), *(policy.aliases or {}).get("en", [])]
        if any(_ASSESSMENT_WORDS.search(n) for n in names) \
                and not any("care_level" in rule_symbols(c["rule"]) for c in policy.criteria):
            return say("actions.assessment_policy", ctx.lang, title=policy.title[ctx.lang],
                       how=policy.how_to_apply[ctx.lang])
    points = ctx.session.scalars(select(ServicePoint).where(ServicePoint.district_id == ctx.district.id,
                                                            ServicePoint.active.is_(True)).order_by(ServicePoint.key))
    for point in points:
        if ASSESSMENT_SERVICE in (point.services or []):
            phone = say("actions.assessment_phone", ctx.lang, phone=point.phone) if point.phone else ""
            return say("actions.assessment_point", ctx.lang, name=point.name[ctx.lang],
                       address=point.address[ctx.lang], phone=phone)
    return say("actions.assessment_general", ctx.lang)


def say_verdict(ctx: Context, dispatcher: CollectingDispatcher, policy: Policy, facts: dict[str, Any],
                unassessed: bool = False) -> list[dict[str, Any]]:
    """Whether the elder can get ``policy``, why, how much, and what next."""
    who = ctx.who_elder()
    result = evaluate(policy, facts)
    title = policy.title[ctx.lang]
    reasons = listing(result.reasons(ctx.lang), ctx.lang)
    marker = {VERDICT: policy.key}
    if result.verdict is Verdict.ELIGIBLE:
        lines = [say("actions.elig_yes", ctx.lang, who=who, title=title, reasons=reasons)]
        amount, own = amount_words(policy, facts, ctx.lang)
        if amount and own:
            lines.append(say("actions.elig_amount", ctx.lang, who=who, amount=amount))
        elif amount:
            lines.append(say("actions.policy_amount", ctx.lang, amount=amount))
        dispatcher.utter_message(text=_joined(lines, ctx.lang), json_message=marker)
        dispatcher.utter_message(text=say("actions.policy_apply", ctx.lang, how=policy.how_to_apply[ctx.lang]))
    elif result.verdict is Verdict.NOT_ELIGIBLE and unassessed and _decided_by_care_level(result):
        dispatcher.utter_message(text=say("actions.elig_needs_assessment", ctx.lang, who=who, title=title,
                                          reasons=reasons), json_message=marker)
        dispatcher.utter_message(text=assessment_help(ctx))
    elif result.verdict is Verdict.NOT_ELIGIBLE:
        dispatcher.utter_message(text=say("actions.elig_no", ctx.lang, who=who, title=title, reasons=reasons),
                                 json_message=marker)
        others = [p for p in ctx.session.scalars(select(Policy).where(
            Policy.district_id == policy.district_id, Policy.active.is_(True), Policy.id != policy.id))
            if evaluate(p, facts).verdict is Verdict.ELIGIBLE and p.criteria]
        if others:
            dispatcher.utter_message(text=say("actions.elig_alternatives", ctx.lang, who=who, titles=listing(
                [p.title[ctx.lang] for p in others[:3]], ctx.lang)))
    else:
        dispatcher.utter_message(text=say("actions.elig_unknown", ctx.lang, title=title), json_message=marker)
    return [SlotSet("policy_key", policy.key)]


def say_overview(ctx: Context, dispatcher: CollectingDispatcher, facts: dict[str, Any]) -> list[dict[str, Any]]:
    """What the elder can get of all the district's policies, and, briefly, what one more fact
    would open ("还要看照护等级"); the question of that fact invites the answer."""
    who = ctx.who_elder()
    marker = {VERDICT: ALL_POLICIES}
    if ctx.district is None:
        if ctx.several_districts and not asked_district_before(ctx.tracker):
            # answered once the reply names the district (actions/base.py, replay_for_district)
            return ask_district(ctx, dispatcher, "action_eligibility_result")
        dispatcher.utter_message(text=say("actions.policy_which", ctx.lang))
        return []
    found = district_overview(ctx.session, ctx.district.id, facts)
    lines = []
    if found.eligible:
        titles = [r.policy.title[ctx.lang] for r in found.eligible[:LISTED]]
        lines.append(say("actions.elig_overview", ctx.lang, who=who, titles=listing(titles, ctx.lang))
                     if len(found.eligible) <= LISTED else
                     say("actions.elig_overview_more", ctx.lang, who=who, titles=listing(titles, ctx.lang),
                         n=len(found.eligible)))
    for fact, results in list(found.one_fact_away.items())[:MAYBE_FACTS]:
        lines.append(say("actions.elig_maybe", ctx.lang, titles=listing(
            [r.policy.title[ctx.lang] for r in results[:3]], ctx.lang), question=say(FACTS[fact].question, ctx.lang)))
    if not lines:
        return [*offer_staff(ctx, dispatcher, N_("actions.elig_list_none"), json_message=marker, who=who),
                SlotSet("policy_key", None), SlotSet("policy_candidates", [])]
    if found.eligible:
        lines.append(say("actions.elig_which", ctx.lang))
    dispatcher.utter_message(text="\n".join(lines), json_message=marker)
    return [SlotSet("policy_key", None), SlotSet("policy_candidates", [])]


def _joined(lines: list[str], lang: str) -> str:
    return "".join(lines) if lang == "zh" else " ".join(lines)


def last_verdict(ctx: Context) -> str | None:
    """The policy of a verdict given within the last few messages (:data:`ALL_POLICIES` for an
    overview), or None."""
    said = 0
    for event in reversed(ctx.tracker.events):
        kind = event.get("event")
        if kind == "session_started":
            return None
        if kind == "user":
            said += 1
            if said > FOLLOW_UP_MESSAGES:
                return None
        if kind == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get(VERDICT):
                return str(custom[VERDICT])
    return None


def update_after_verdict(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]] | None:
    """A fact said just after a verdict ("他现在一个人住了", "actually she's never been assessed"):
    kept, and the verdict given again with it. None when the message is not that."""
    said = {fact: value for fact, value in stated_facts(ctx.text).items() if f"fact_{fact}" in FACT_SLOTS}
    if not said:
        return None
    about = last_verdict(ctx)
    if about is None:
        return None
    events: list[dict[str, Any]] = [SlotSet(f"fact_{fact}", value) for fact, value in said.items()]
    facts = facts_for(ctx, said)
    dispatcher.utter_message(text=say("actions.fact_noted", ctx.lang))
    if about == ALL_POLICIES:
        return [*events, *say_overview(ctx, dispatcher, facts)]
    keys = ctx.slot("policy_candidates") or []
    candidates = policies_with_keys(ctx, keys if about in keys else [about])
    if not any(set(said) & _facts_named(p) for p in candidates):
        return events  # noted; it changes nothing about this policy
    policy = best_policy(candidates, facts)
    if policy is None:
        return events
    return [*events, *say_verdict(ctx, dispatcher, policy, facts, not_assessed(ctx, said))]


def _facts_named(policy: Policy) -> set[str]:
    """The facts a policy's criteria and amount bands read."""
    rules = [c["rule"] for c in policy.criteria] + [b["rule"] for b in (policy.amount or {}).get("bands") or []]
    return {name for rule in rules for name in rule_symbols(rule)}


def answer_amount(ctx: Context, dispatcher: CollectingDispatcher, policy: Policy) -> list[dict[str, Any]]:
    """"一个月多少钱" about the policy in question: this elder's amount when the facts tell it,
    else the amounts of the policy."""
    facts = facts_for(ctx)
    title = policy.title[ctx.lang]
    amount, own = amount_words(policy, facts, ctx.lang)
    if amount is None:
        text = say("actions.amount_none", ctx.lang, title=title, summary=policy.summary[ctx.lang])
    elif own and evaluate(policy, facts).verdict is not Verdict.NOT_ELIGIBLE:
        text = say("actions.amount_for_elder", ctx.lang, title=title, who=ctx.who_elder(), amount=amount)
    else:
        text = say("actions.amount_general", ctx.lang, title=title, amount=amount)
    dispatcher.utter_message(text=text)
    return [SlotSet("policy_key", policy.key)]

