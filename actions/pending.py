"""What the assistant has read back and is waiting for a yes to, and how a yes is carried out.

The ``pending`` slot holds a small dict: ``{"kind": "activity", "session_id": 7}``,
``{"kind": "meal", "meal_service_id": 2, "date": "2026-11-24", "delivery": true}``,
``{"kind": "cancel", "booking_id": 5}``, ``{"kind": "home_service", "home_service_id": 3,
"when": "2026-11-24T10:00"}``, ``{"kind": "volunteer", "when": …}``, or a question still open:
``{"kind": "choose_cancel", "options": [5, 9]}``, ``{"kind": "volunteer_when"}``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Context
from actions.formatting import describe_booking, moment
from careline.catalogue import N_, say
from knowledge import booking
from knowledge.booking import Refusal
from knowledge.models import ActivitySession, HomeService, MealService
from knowledge.wording import price_text

__all__ = ["Carried", "carry_out", "price_text", "refusal_text"]

#: What each refusal says; any other ends by offering a person (see :mod:`actions.staff_offers`).
_REFUSALS = {Refusal.FULL: N_("actions.refused_full"), Refusal.PAST: N_("actions.refused_past"),
             Refusal.ALREADY_BOOKED: N_("actions.refused_already_booked"),
             Refusal.NOT_SERVED: N_("actions.refused_not_served"), Refusal.TOO_LATE: N_("actions.refused_too_late"),
             Refusal.NO_DELIVERY: N_("actions.refused_no_delivery")}


@dataclass(frozen=True)
class Carried:
    """What to say after a yes, and whether it ends by offering a person."""
    text: str
    offers_staff: bool = False


def _refused(refusal: Refusal, ctx: Context, deadline: str | None = None) -> Carried:
    return Carried(refusal_text(refusal, ctx, deadline), refusal not in _REFUSALS)


def refusal_text(refusal: Refusal, ctx: Context, deadline: str | None = None) -> str:
    key = _REFUSALS.get(refusal, N_("actions.refused_other"))
    return say(key, ctx.lang, who=ctx.who(), deadline=deadline or "")


def carry_out(pending: dict[str, Any], ctx: Context) -> Carried:
    """Do what was confirmed; returns what to say."""
    if ctx.elder is None:
        return Carried(say("actions.need_elder", ctx.lang), offers_staff=True)
    via = ctx.slot("channel") or "rest"
    source = ctx.tracker.sender_id
    kind = pending.get("kind")
    if kind == "activity":
        outcome = booking.book_session(ctx.session, ctx.elder.id, int(pending["session_id"]), ctx.now,
                                       via=via, source=source)
        if not outcome.ok:
            return _refused(outcome.refusal, ctx)
        slot = ctx.session.get(ActivitySession, int(pending["session_id"]))
        where = slot.activity.service_point or slot.activity.place
        return Carried(say("actions.booked_activity", ctx.lang, title=slot.activity.title[ctx.lang],
                           when=moment(slot.starts_at, ctx.lang, ctx.today),
                           where=where.name[ctx.lang] if where else ""))
    if kind == "meal":
        day_ = dt.date.fromisoformat(pending["date"])
        meal = ctx.session.get(MealService, int(pending["meal_service_id"]))
        outcome = booking.book_meal(ctx.session, ctx.elder.id, meal.id, day_, ctx.now,
                                    delivery=bool(pending.get("delivery")), via=via, source=source)
        if not outcome.ok:
            return _refused(outcome.refusal, ctx, deadline=meal.order_by)
        from actions.formatting import day as say_day

        how = say("actions.meal_how_delivery", ctx.lang) if pending.get("delivery") else say(
            "actions.meal_how_pickup", ctx.lang, where=meal.service_point.name[ctx.lang])
        return Carried(say("actions.booked_meal", ctx.lang, day=say_day(day_, ctx.lang, ctx.today),
                           name=meal.name[ctx.lang], how=how))
    if kind == "cancel":
        outcome = booking.cancel_booking(ctx.session, int(pending["booking_id"]), ctx.now, elder_id=ctx.elder.id,
                                         via=via, source=source)
        if not outcome.ok:
            return _refused(outcome.refusal, ctx)
        return Carried(say("actions.cancelled", ctx.lang, what=describe_booking(outcome.booking, ctx.lang, ctx.today)))
    if kind == "home_service":
        when = dt.datetime.fromisoformat(pending["when"])
        service = ctx.session.get(HomeService, int(pending["home_service_id"]))
        outcome = booking.request_home_service(ctx.session, ctx.elder.id, service.id, when, ctx.now,
                                               via=via, source=source)
        if not outcome.ok:
            return _refused(outcome.refusal, ctx)
        return Carried(say("actions.home_service_requested", ctx.lang, name=service.name[ctx.lang],
                           when=moment(when, ctx.lang, ctx.today)))
    if kind == "volunteer":
        when = dt.datetime.fromisoformat(pending["when"])
        outcome = booking.request_volunteer_visit(ctx.session, ctx.elder.id, when, ctx.now, via=via, source=source)
        return Carried(say("actions.volunteer_requested", ctx.lang)) if outcome.ok else _refused(outcome.refusal, ctx)
    return Carried(say("actions.refused_other", ctx.lang), offers_staff=True)


def answer_yes(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The yes to what waits: a person offered, or what was read back (carried out now)."""
    from actions.staff_offers import accept, offered_staff, staff_offer

    if offered_staff(ctx):
        return accept(ctx, dispatcher)
    carried = carry_out(ctx.slot("pending"), ctx)
    if carried.offers_staff:
        from actions.base import confirm_buttons

        dispatcher.utter_message(text=carried.text, buttons=confirm_buttons(ctx.lang))
        return [SlotSet("pending", staff_offer(ctx, "actions.refused_other"))]
    dispatcher.utter_message(text=carried.text)
    return [SlotSet("pending", None)]
