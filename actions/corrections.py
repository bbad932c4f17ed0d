"""A change said while a read-back waits for its yes: "no, the one on Friday", "明天", "make it
2 pm", "送到家里". The same offer is read back again with the change; what the change does not
name (the activity, the meal, the service, delivery) stays as it was read back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.context import Context
from actions.meals import wants_delivery
from knowledge.models import ActivitySession, HomeService, MealService
from knowledge.text import has_cjk

CHANGE_ENTITIES = ("date", "time", "meal")


def names_a_change(ctx: Context) -> bool:
    """The latest message names a day, a time, a meal, or delivery."""
    if any(ctx.entity(name) for name in CHANGE_ENTITIES) or wants_delivery(ctx.text):
        return True
    return has_cjk(ctx.text) and ctx.when_said is not None


def offer_again(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]] | None:
    """The pending offer read back again with the change said; None when there is nothing to change."""
    pending = ctx.slot("pending")
    if not isinstance(pending, dict) or not names_a_change(ctx):
        return None
    kind = pending.get("kind")
    if kind == "activity":
        from actions.activities import offer_activity

        slot = ctx.session.get(ActivitySession, int(pending["session_id"]))
        if slot is None or ctx.entity("activity_type") or ctx.when_said is None:
            return None
        return offer_activity(ctx, dispatcher, slot.activity)
    if kind == "meal":
        from actions.meals import offer_meal

        service = ctx.session.get(MealService, int(pending["meal_service_id"]))
        if service is None:
            return None
        return offer_meal(ctx, dispatcher, meal=service.meal, day_meant=dt.date.fromisoformat(pending["date"]),
                          delivery=bool(pending.get("delivery")))
    if kind == "home_service":
        from actions.home_services import offer_home_service_again

        home_service = ctx.session.get(HomeService, int(pending["home_service_id"]))
        if home_service is None or ctx.when_said is None:
            return None
        return offer_home_service_again(ctx, dispatcher, home_service, dt.datetime.fromisoformat(pending["when"]))
    if kind == "volunteer" and ctx.when_said is not None:
        from actions.home_services import offer_volunteer

        return offer_volunteer(ctx, dispatcher)
    return None
