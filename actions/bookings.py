"""Yes, no and short answers; the elder's bookings; cancelling one."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CareAction, confirm_buttons
from actions.context import Context
from actions.formatting import describe_booking
from actions.pending import answer_yes
from actions.replies import number_in
from actions.staff_offers import STAFF, decline, offer_staff, offered_staff
from actions.when import parse_when
from careline.catalogue import N_, say
from knowledge.booking import list_bookings
from knowledge.models import Booking


class ActionAffirm(CareAction):
    action_name = "action_affirm"
    hears_corrections = True  # "好，改成星期六嘛" is a change, not a yes
    hears_fact_updates = True  # "对，她现在一个人住了" after a verdict

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        pending = ctx.slot("pending")
        if offered_staff(ctx):
            return answer_yes(ctx, dispatcher)
        if not isinstance(pending, dict) or pending.get("kind") in (None, "choose_cancel", "volunteer_when", STAFF):
            dispatcher.utter_message(response="utter_nothing_pending")
            return [SlotSet("pending", None)] if pending else []
        return answer_yes(ctx, dispatcher)


class ActionDeny(CareAction):
    action_name = "action_deny"
    hears_corrections = True
    hears_fact_updates = True  # "不对，他现在一个人住了" after a verdict

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        if offered_staff(ctx):
            return decline(ctx, dispatcher)
        pending = ctx.slot("pending")
        if pending and not (isinstance(pending, dict) and pending.get("kind") == STAFF):
            dispatcher.utter_message(text=say("actions.confirm_dropped", ctx.lang))
        else:
            dispatcher.utter_message(response="utter_nothing_pending")
        return [SlotSet("pending", None)]


def _open_bookings(ctx: Context) -> list[Booking] | None:
    """The elder's open bookings, or None when no elder is known."""
    if ctx.elder is None:
        return None
    return list_bookings(ctx.session, ctx.elder.id, ctx.now)


def _numbered(ctx: Context, items: list[Booking]) -> list[str]:
    """The intro line and one numbered line per booking (at most eight: it may be spoken)."""
    return [say("actions.bookings_intro", ctx.lang, who=ctx.who()),
            *(f"{n}. {describe_booking(b, ctx.lang, ctx.today)}" for n, b in enumerate(items[:8], start=1))]


class ActionMyBookings(CareAction):
    action_name = "action_my_bookings"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        items = _open_bookings(ctx)
        if items is None:
            return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
        if not items:
            dispatcher.utter_message(text=say("actions.bookings_none", ctx.lang, who=ctx.who()))
            return []
        dispatcher.utter_message(text="\n".join(_numbered(ctx, items)))
        return []


def _offer_cancel(ctx: Context, dispatcher: CollectingDispatcher, item: Booking) -> list[dict[str, Any]]:
    what = describe_booking(item, ctx.lang, ctx.today)
    dispatcher.utter_message(text=say("actions.cancel_confirm", ctx.lang, what=what), buttons=confirm_buttons(ctx.lang))
    return [SlotSet("pending", {"kind": "cancel", "booking_id": item.id})]


class ActionOfferCancel(CareAction):
    """Find the booking meant (by activity, meal or day); ask which if several; confirm first."""

    action_name = "action_offer_cancel"
    hears_confirmation = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        items = _open_bookings(ctx)
        if items is None:
            return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
        if not items:
            dispatcher.utter_message(text=say("actions.nothing_to_cancel", ctx.lang, who=ctx.who()))
            return [SlotSet("pending", None)]
        numbered = chosen_by_number(ctx, items)
        if numbered is not None:
            return _offer_cancel(ctx, dispatcher, numbered)
        narrowed = _narrow(ctx, items)
        if len(narrowed) == 1:
            return _offer_cancel(ctx, dispatcher, narrowed[0])
        lines = [*_numbered(ctx, narrowed), say("actions.cancel_which", ctx.lang)]
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet("pending", {"kind": "choose_cancel", "options": [b.id for b in narrowed[:8]]})]


def chosen_by_number(ctx: Context, items: list[Booking] | None = None) -> Booking | None:
    """The booking picked by its number ("cancel number 2", "取消第一个") in the list just asked
    to choose from, or else in the list of bookings as "my bookings" numbers them."""
    pending = ctx.slot("pending") if isinstance(ctx.slot("pending"), dict) else {}
    if pending.get("kind") == "choose_cancel":
        options = [int(o) for o in pending.get("options") or []]
        number = number_in(ctx.entity("number") or ctx.text)
    elif ctx.entity("number") and items is not None:
        options = [b.id for b in items[:8]]
        number = number_in(ctx.entity("number") or "")
    else:
        return None
    if number is None or not 1 <= number <= len(options):
        return None
    return ctx.session.get(Booking, options[number - 1])


def _narrow(ctx: Context, items: list[Booking]) -> list[Booking]:
    from knowledge.activities import _match_score

    said = ctx.entity("activity_type")
    meal = ctx.entity("meal")
    when = parse_when(ctx.entity("date") or ctx.text, ctx.now)
    chosen = items
    if said:
        chosen = [b for b in chosen if b.session is not None and _match_score(
            said, [b.session.activity.title["zh"], b.session.activity.title["en"], b.session.activity.category]) >= 80]
    if meal:
        chosen = [b for b in chosen if b.meal_slot is not None and b.meal_slot.meal_service.meal == meal]
    if when is not None:
        from knowledge.booking import booking_starts_at

        chosen = [b for b in chosen if (booking_starts_at(b) or ctx.now).date() == when.date]
    return chosen or items


class ActionInform(CareAction):
    """A short answer outside a form: picks an option, gives a time, or names a place."""

    action_name = "action_inform"
    hears_named_questions = True
    hears_fact_updates = True
    hears_confirmation = True
    hears_corrections = True
    hears_place_follow_ups = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        pending = ctx.slot("pending") if isinstance(ctx.slot("pending"), dict) else {}
        if pending.get("kind") == "choose_cancel":
            item = chosen_by_number(ctx)
            if item is not None:
                return _offer_cancel(ctx, dispatcher, item)
            dispatcher.utter_message(text=say("actions.cancel_which", ctx.lang))
            return []
        if pending.get("kind") == "volunteer_when":
            from actions.home_services import offer_volunteer

            return offer_volunteer(ctx, dispatcher)
        if ctx.entity("place"):
            from actions.service_points import ActionFindServicePoint

            return ActionFindServicePoint().act(ctx, dispatcher)
        if ctx.entity("date") or ctx.entity("activity_type"):
            from actions.activities import ActionListActivities

            return ActionListActivities().act(ctx, dispatcher)
        dispatcher.utter_message(response="utter_default")
        return []
