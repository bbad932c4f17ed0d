"""The base of every CareLine action: a database context, errors turned into a kind reply."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.context import Context, channel_switched_language, language_of, open_context
from bot.emergency import asks_emergency_number
from careline.catalogue import say

log = logging.getLogger(__name__)


class CareAction(Action, ABC):
    """Subclasses implement :meth:`act`; a database failure never leaves the user in silence."""

    action_name = ""
    resets_fallbacks = True
    # An offer action hears "对，报吧" / "yes, book it" as the yes to what it read back.
    hears_confirmation = False
    # Hears "no, Friday" / "明天" / "送到家里" as a change to what was read back (actions/corrections.py).
    hears_corrections = False
    # Hears "那竹林村呢" / "what about Cherry Lane" after a service point search as the same search
    # near another place, whatever the model made of it.
    hears_place_follow_ups = False
    # Answers from one district's data: with several districts and none known, asks which once.
    needs_district = False
    # Hears "推拿多少钱" / "what's the phone number of the care complex" as a question about the
    # named thing, whatever the model made of it (actions/about.py).
    hears_named_questions = False
    # Hears "他现在一个人住了" / "she's never been assessed" said just after a verdict as a fact
    # that changes it: the fact is kept and the verdict given again (actions/verdicts.py).
    hears_fact_updates = False
    # Answers "急救电话是多少" / "what number is the ambulance, just so I know" with the district's
    # emergency number, whatever the model made of it (no alarm: nothing in it is danger).
    hears_emergency_number_questions = True

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        """Answer, inside one database transaction; return the events to apply."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            with open_context(tracker) as ctx:
                if self.hears_confirmation and confirms_pending(ctx):
                    from actions.pending import answer_yes

                    return answer_yes(ctx, dispatcher)
                again = None
                if self.hears_emergency_number_questions and asks_emergency_number(ctx.text) \
                        and not waits_for_yes(ctx):
                    from actions.conversation import answer_emergency_number

                    again = answer_emergency_number(ctx, dispatcher)
                elif self.needs_district and should_ask_district(ctx):
                    return ask_district(ctx, dispatcher, self.name())
                asker = district_question(ctx.tracker)
                if again is None and asker is not None and ctx.district is not None and ctx.district_inferred:
                    again = replay_for_district(ctx, dispatcher, asker)
                if again is None and self.hears_named_questions and not waits_for_yes(ctx):
                    from actions.about import asked_about, describe

                    asked = asked_about(ctx)
                    if asked is not None:
                        again = describe(ctx, dispatcher, asked)
                if again is None and self.hears_corrections and waits_for_yes(ctx):
                    from actions.corrections import offer_again

                    again = offer_again(ctx, dispatcher)
                if again is None and self.hears_place_follow_ups:
                    from actions.service_points import ActionFindServicePoint, is_place_follow_up

                    if is_place_follow_up(ctx):
                        again = ActionFindServicePoint().act(ctx, dispatcher)
                if again is None and self.hears_fact_updates and not waits_for_yes(ctx):
                    from actions.verdicts import update_after_verdict

                    again = update_after_verdict(ctx, dispatcher)
                events = again if again is not None else self.act(ctx, dispatcher)
                events = [*remember_relation(ctx), *events]
                if ctx.district_inferred and ctx.district is not None:
                    events = [SlotSet("district_key", ctx.district.key), *events]
                if waits_for_yes(ctx) and not any(e.get("name") == "pending" for e in events):
                    # anything else, understood or not, drops the read-back: a later yes must not
                    # book what the person may have tried to change
                    events = [*events, SlotSet("pending", None)]
        except SQLAlchemyError:
            log.exception("database error in %s", self.name())
            # "connecting you to staff": the hub opens the hand-off these words promise (bot/hub/promises.py)
            dispatcher.utter_message(text=say("actions.trouble", language_of(tracker)), json_message={"trouble": True})
            return [SlotSet("pending", None)]
        if self.resets_fallbacks and tracker.get_slot("fallbacks"):
            events = [*events, SlotSet("fallbacks", 0.0)]
        switched = channel_switched_language(tracker)
        if switched and not any(e.get("name") == "language" for e in events):
            events = [SlotSet("language", switched), *events]
        return events


def remember_relation(ctx: Context) -> list[dict[str, Any]]:
    """The relation the message names ("我妈…", "my dad…"), kept for the conversation."""
    from actions.relations import relation_said

    said = relation_said(ctx.text)
    return [SlotSet("relation", said)] if said is not None and said != ctx.slot("relation") else []


ASKED_DISTRICT = "district"


def _bot_asks(event: dict[str, Any]) -> dict[str, Any] | None:
    custom = ((event.get("data") or {}).get("custom") or {})
    return custom if isinstance(custom, dict) and custom.get("asked") == ASKED_DISTRICT else None


def district_question(tracker: Tracker) -> str | None:
    """The action that asked "which district?" in the bot's last turn, if it did."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            continue
        if event.get("event") == "bot":
            asked = _bot_asks(event)
            return str(asked.get("for")) if asked else None
        if event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            continue
    return None


def asked_district_before(tracker: Tracker) -> bool:
    """Asked already in this session: the question is asked once."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "bot" and _bot_asks(event):
            return True
    return False


def should_ask_district(ctx: Context) -> bool:
    """No district known, several to choose from, and not asked yet in this session."""
    return ctx.district is None and ctx.several_districts and district_question(ctx.tracker) is None \
        and not asked_district_before(ctx.tracker)


def ask_district(ctx: Context, dispatcher: CollectingDispatcher, asker: str) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from actions.formatting import listing
    from knowledge.models import District

    names = [d.name[ctx.lang] for d in ctx.session.scalars(select(District).order_by(District.key))]
    dispatcher.utter_message(text=say("actions.district_which", ctx.lang, names=listing(names, ctx.lang)),
                             json_message={"asked": ASKED_DISTRICT, "for": asker})
    return []


def _actions_by_name() -> dict[str, type[CareAction]]:
    found: dict[str, type[CareAction]] = {}
    stack: list[type[CareAction]] = list(CareAction.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.action_name and not getattr(cls, "__abstractmethods__", None):
            found.setdefault(cls.action_name, cls)
    return found


def replay_for_district(ctx: Context, dispatcher: CollectingDispatcher, asker: str) -> list[dict[str, Any]] | None:
    """The answer to the message that made us ask for the district, now that the reply named it."""
    from actions.context import recent_user_texts

    action = _actions_by_name().get(asker)
    earlier = recent_user_texts(ctx.tracker, limit=2)
    if action is None or len(earlier) < 2:
        return None
    dispatcher.utter_message(text=say("actions.district_noted", ctx.lang, district=ctx.district.name[ctx.lang]))
    ctx.replayed_text = earlier[1]
    try:
        return action().act(ctx, dispatcher)
    finally:
        ctx.replayed_text = None


CONFIRMABLE = {"activity", "meal", "cancel", "home_service", "volunteer"}


def waits_for_yes(ctx: Context) -> bool:
    """Something has been read back and waits for a yes."""
    pending = ctx.slot("pending")
    return isinstance(pending, dict) and pending.get("kind") in CONFIRMABLE


def confirms_pending(ctx: Context) -> bool:
    """A short yes, with nothing new in it, while something waits to be confirmed."""
    from actions.replies import yes_no
    from actions.staff_offers import offered_staff

    if not (waits_for_yes(ctx) or offered_staff(ctx)):
        return False
    from actions.corrections import names_a_change

    if names_a_change(ctx):
        return False
    entities = (ctx.tracker.latest_message or {}).get("entities") or []
    if any(e.get("entity") in ("activity_type", "home_service_type") for e in entities):  # another offer
        return False
    text = ctx.text.strip()
    short = len(text) <= 12 if any("\u4e00" <= ch <= "\u9fff" for ch in text) else len(text.split()) <= 6
    return short and yes_no(text) is True


def confirm_buttons(lang: str) -> list[dict[str, str]]:
    return [{"title": say("actions.yes", lang), "payload": "/affirm"},
            {"title": say("actions.no", lang), "payload": "/deny"}]
