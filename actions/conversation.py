"""Session start, language, repetition, pace, misunderstanding, hand-off and emergency."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CareAction
from actions.context import Context
from actions.replies import language_asked
from careline.catalogue import N_, say
from knowledge.handoffs import Urgency, conversation_for, open_handoff
from knowledge.naming import NameMatch

# A name this clear in a message the model did not understand is what the message is about.
NAMED_CLEARLY = 90.0

METADATA_SLOTS = {"language": "language", "elder": "elder_key", "district": "district_key",
                  "channel": "channel", "volunteer": "volunteer_key"}
KEPT_ON_NEW_SESSION = {"language", "elder_key", "district_key", "channel", "volunteer_key", "speech_rate",
                       "policy_key", "relation",
                       *(f"fact_{n}" for n in ("age", "lives_alone", "care_level", "income_status", "hukou_local",
                                               "disabled", "gender", "rural"))}


def metadata_slots(metadata: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Slots a channel sets through message metadata (language, elder, district …)."""
    events = []
    for key, slot in METADATA_SLOTS.items():
        value = (metadata or {}).get(key)
        if value in (None, ""):
            continue
        if slot == "language" and value not in ("zh", "en"):
            continue
        events.append(SlotSet(slot, str(value)))
    return events


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        for slot in KEPT_ON_NEW_SESSION:
            value = tracker.get_slot(slot)
            if value is not None:
                events.append(SlotSet(slot, value))
        events += metadata_slots(tracker.get_slot("session_started_metadata"))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreet(CareAction):
    action_name = "action_greet"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_greet")
        return metadata_slots((ctx.tracker.latest_message or {}).get("metadata"))


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        asked = language_asked((tracker.latest_message or {}).get("text") or "",
                               next(tracker.get_latest_entity_values("language"), None),
                               language_spoken_last(tracker) or tracker.get_slot("language") or "zh")
        # the hub keeps the person's choice: what they type later no longer switches it (bot/hub/language.py)
        dispatcher.utter_message(text=say("actions.language_set", asked), json_message={"language": asked})
        return [SlotSet("language", asked)]


def language_spoken_last(tracker: Tracker) -> str | None:
    """The language the assistant last answered in. The hub may have set the slot for this very
    message already (a Chinese "换个语言" in an English conversation sets it to Mandarin), so a
    bare "change language" switches away from what the person heard, not from that."""
    value, spoken = None, None
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "language":
            value = event.get("value")
        elif event.get("event") == "bot" and value in ("zh", "en"):
            spoken = value
    return spoken


class ActionRepeat(Action):
    """Say again what the assistant said last (all of its last turn)."""

    def name(self) -> str:
        return "action_repeat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        last_turn: list[dict[str, Any]] = []
        for event in reversed(tracker.events):
            if event.get("event") == "bot":
                last_turn.insert(0, event)
            elif event.get("event") == "user" and last_turn:
                break
        if not last_turn:
            dispatcher.utter_message(text=say("actions.nothing_to_repeat", tracker.get_slot("language") or "zh"))
            return []
        for event in last_turn:
            data = event.get("data") or {}
            dispatcher.utter_message(text=event.get("text"), buttons=data.get("buttons") or [])
        return []


class ActionSlower(Action):
    def name(self) -> str:
        return "action_slower"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_slower")
        return [SlotSet("speech_rate", "slow")]


#: A goodbye inside thanks ("thank you so much dear, goodbye", "谢谢你啊，那我先挂了").
_GOODBYE = re.compile(r"再见|拜拜|先挂了|我挂了|挂了啊|就这样吧|先这样|回头见|\b(?:good\s*bye|bye(?:\s*bye)?|see you|"
                      r"cheerio|ta-?ra|that'?s all|that is all|i'll let you go|take care)\b", re.IGNORECASE)


class ActionThank(Action):
    """Thanks are answered "you're welcome, anything else?", unless they say goodbye as well: then
    goodbye, not a question to someone leaving."""

    def name(self) -> str:
        return "action_thank"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = (tracker.latest_message or {}).get("text") or ""
        dispatcher.utter_message(response="utter_goodbye" if _GOODBYE.search(text) else "utter_you_are_welcome")
        return []


def _summary(tracker: Tracker, limit: int = 3) -> str:
    said = [e.get("text") or "" for e in tracker.events if e.get("event") == "user" and e.get("text")]
    return " / ".join(s.strip()[:120] for s in said[-limit:])


def hand_off(ctx: Context, urgency: Urgency, reason: str) -> int:
    conversation = conversation_for(ctx.session, ctx.slot("channel") or "rest", ctx.tracker.sender_id,
                                    ctx.lang, ctx.elder.id if ctx.elder else None)
    return open_handoff(ctx.session, conversation, urgency, reason, ctx.lang, _summary(ctx.tracker)).id


class ActionHandoff(CareAction):
    action_name = "action_handoff"
    hears_emergency_number_questions = False

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        handoff_id = hand_off(ctx, Urgency.REQUESTED, "requested")
        dispatcher.utter_message(text=say("actions.handoff", ctx.lang), json_message={"handoff": handoff_id})
        return [SlotSet("pending", None)]


def emergency_number(ctx: Context) -> str:
    return ctx.district.emergency_number if ctx.district else "120"


def answer_emergency_number(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """"What number is the ambulance, just so I know": the district's number, calmly, no alarm."""
    dispatcher.utter_message(text=say("actions.emergency_number", ctx.lang, number=emergency_number(ctx)))
    return []


class ActionEmergency(CareAction):
    action_name = "action_emergency"
    hears_emergency_number_questions = False

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        number = emergency_number(ctx)
        advice = ctx.district.emergency_advice.get(ctx.lang, "") if ctx.district else ""
        handoff_id = hand_off(ctx, Urgency.EMERGENCY, "emergency")
        dispatcher.utter_message(text=say("actions.emergency", ctx.lang, number=number, advice=advice),
                                 json_message={"handoff": handoff_id, "emergency": True})
        return [SlotSet("pending", None)]


class ActionDefaultFallback(CareAction):
    """Not understood: ask again once, then hand over to a person (two in a row)."""

    action_name = "action_default_fallback"
    hears_named_questions = True
    hears_fact_updates = True
    resets_fallbacks = False
    hears_corrections = True  # "改到星期五" the model did not place is still a change
    hears_place_follow_ups = True
    first_reply = "utter_default"
    handoff_reply = N_("actions.handoff_after_misunderstanding")

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        named = ctx.named(min_score=NAMED_CLEARLY)
        if named:  # "老年意外险怎么理赔": a question about a thing of the district, read as nothing
            return self.about(ctx, dispatcher, named[0])
        count = int(ctx.slot("fallbacks") or 0) + 1
        if count >= 2:
            handoff_id = hand_off(ctx, Urgency.MISUNDERSTOOD, "misunderstood")
            dispatcher.utter_message(text=say(self.handoff_reply, ctx.lang),
                                     json_message={"handoff": handoff_id})
            return [SlotSet("fallbacks", 0.0), SlotSet("pending", None)]
        dispatcher.utter_message(response=self.first_reply)
        return [SlotSet("fallbacks", float(count))]


    @staticmethod
    def about(ctx: Context, dispatcher: CollectingDispatcher, named: NameMatch) -> list[dict[str, Any]]:
        if named.kind == "policy":
            from actions.policies import ActionAnswerPolicy

            return ActionAnswerPolicy().act(ctx, dispatcher)
        from actions.about import describe

        return describe(ctx, dispatcher, named)


class ActionOutOfScope(ActionDefaultFallback):
    """Something the assistant cannot help with counts as not understood: twice, and a person
    takes over."""

    action_name = "action_out_of_scope"
    first_reply = "utter_out_of_scope"
    handoff_reply = N_("actions.handoff_after_out_of_scope")
