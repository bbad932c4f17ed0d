"""Meal services (canteens, meal stations, delivery) and ordering a meal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CareAction, confirm_buttons
from actions.context import Context
from actions.formatting import day, money
from actions.staff_offers import offer_staff
from careline.catalogue import N_, say
from knowledge.activities import meal_days, meal_services, order_deadline, serves_on
from knowledge.geo import distance_m
from knowledge.models import MealService
from knowledge.schema_constants import WEEKDAY_CODES
from knowledge.wording import meal_price

#: the weekdays as a list of meal days names them (周一、三、五 / Mon/Wed/Fri)
DAY_NAMES = (N_("actions.meal_day.mon"), N_("actions.meal_day.tue"), N_("actions.meal_day.wed"),
             N_("actions.meal_day.thu"), N_("actions.meal_day.fri"), N_("actions.meal_day.sat"),
             N_("actions.meal_day.sun"))
MEALS = ("breakfast", "lunch", "dinner")


def meal_days_text(service: MealService, lang: str) -> str:
    index = sorted(WEEKDAY_CODES.index(d) for d in service.days)
    if index == list(range(7)):
        return say("actions.meal_every_day", lang)
    if index == list(range(5)):
        return say("actions.meal_weekdays", lang)
    return say("actions.meal_days", lang, days=say("actions.meal_day_joiner", lang).join(
        say(DAY_NAMES[i], lang) for i in index))


def wants_delivery(text: str) -> bool:
    lowered = text.lower()
    return any(w in lowered for w in ("送", "上门", "deliver", "bring", "to my home", "to the house"))


def _nearest_first(ctx: Context, services: list[MealService]) -> list[MealService]:
    place = ctx.elder.place if ctx.elder is not None else None
    if place is None:
        return services
    return sorted(services, key=lambda m: distance_m(place.latitude, place.longitude,
                                                     m.service_point.latitude, m.service_point.longitude))


def _named_points(ctx: Context) -> set[str]:
    """The service points the message names ("lunch at the Yunxi canteen", "镇上食堂")."""
    from knowledge.places import find_places

    district_id = ctx.district.id if ctx.district else None
    said = [p for p in (ctx.entity("place"), ctx.text) if p]
    return {m.key for part in said for m in find_places(ctx.session, part, district_id, limit=3, min_score=86)
            if m.kind == "service_point"}


def _named_first(ctx: Context, services: list[MealService]) -> list[MealService]:
    """Meal services the message names first (by their own name or alias), then those of a
    point it names."""
    points = _named_points(ctx)
    services_named = {m.row.id for m in ctx.named(("meal_service",), "place", min_score=86)}
    return sorted(services, key=lambda m: (m.id not in services_named, m.service_point.key not in points))


class ActionListMeals(CareAction):
    action_name = "action_list_meals"
    hears_named_questions = True
    hears_corrections = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        meal = ctx.entity("meal")
        services = meal_services(ctx.session, ctx.district.id, meal if meal in MEALS else None) if ctx.district else []
        services = _nearest_first(ctx, services)[:4]
        if not services:
            dispatcher.utter_message(text=say("actions.meals_none", ctx.lang))
            return []
        lines = [say("actions.meals_intro", ctx.lang)]
        for service in services:
            subsidised = say("actions.meal_subsidised", ctx.lang, price=money(service.subsidised_price, ctx.lang)) \
                if service.subsidised_price is not None else ""
            delivery = say("actions.meal_delivery", ctx.lang, fee=money(service.delivery_fee, ctx.lang)) \
                if service.delivery else ""
            lines.append(say("actions.meal_line", ctx.lang, name=service.name[ctx.lang],
                             days=meal_days_text(service, ctx.lang),
                             time=service.serving_time, where=service.service_point.name[ctx.lang],
                             price=money(service.price, ctx.lang), subsidised=subsidised, delivery=delivery))
        dispatcher.utter_message(text="\n".join(lines))
        return []


def offer_meal(ctx: Context, dispatcher: CollectingDispatcher, meal: str | None = None,
               day_meant: dt.date | None = None, delivery: bool = False) -> list[dict[str, Any]]:
    """Read back a meal order: which meal, which day, delivered or not, the price. ``meal``,
    ``day_meant`` and ``delivery`` are what an earlier read-back said, kept when a change names
    only the rest ("送到家里" keeps the dinner and the day)."""
    if ctx.elder is None:
        named = ctx.named(("meal_service",), min_score=86)
        if named:  # what it is and costs, before saying who it can be ordered for
            from actions.about import describe

            describe(ctx, dispatcher, named[0])
        return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
    meal = ctx.entity("meal") or meal
    meal = meal if meal in MEALS else "lunch"
    delivery = delivery or wants_delivery(ctx.text)
    services = meal_services(ctx.session, ctx.district.id, meal, delivery=delivery or None) if ctx.district else []
    services = _named_first(ctx, _nearest_first(ctx, services))
    if not services:
        dispatcher.utter_message(text=say("actions.meals_none", ctx.lang))
        return [SlotSet("pending", None)]
    when = ctx.when_said
    if when is not None and when.date < ctx.today:
        dispatcher.utter_message(text=say("actions.refused_past", ctx.lang))
        when = None
    target = when.date if when else day_meant
    serving = [m for m in services if target is not None and serves_on(m, target)]
    named_first = services[0].service_point.key in _named_points(ctx) or services[0].id in {
        m.row.id for m in ctx.named(("meal_service",), min_score=86)}
    service = services[0] if named_first or not serving else serving[0]
    if target is not None and (not serves_on(service, target) or ctx.now >= order_deadline(service, target)):
        reason = N_("actions.refused_not_served") if not serves_on(service, target) else N_("actions.refused_too_late")
        dispatcher.utter_message(text=say(reason, ctx.lang, deadline=service.order_by))
        target = None
    if target is None:
        upcoming = [d for d in meal_days(ctx.session, service, ctx.now, days=14) if d.orderable and d.free > 0]
        if not upcoming:
            dispatcher.utter_message(text=say("actions.refused_full", ctx.lang))
            return [SlotSet("pending", None)]
        target = upcoming[0].date
    how = say("actions.meal_how_delivery", ctx.lang) if delivery else say(
        "actions.meal_how_pickup", ctx.lang, where=service.service_point.name[ctx.lang])
    dispatcher.utter_message(
        text=say("actions.meal_confirm", ctx.lang, who=ctx.who(), day=day(target, ctx.lang, ctx.today),
               name=service.name[ctx.lang], how=how,
               price=meal_price(service, delivery, ctx.lang)),
        buttons=confirm_buttons(ctx.lang))
    return [SlotSet("pending", {"kind": "meal", "meal_service_id": service.id,
                                "date": target.isoformat(), "delivery": delivery})]


class ActionOfferMeal(CareAction):
    action_name = "action_offer_meal"
    hears_confirmation = True
    hears_corrections = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        return offer_meal(ctx, dispatcher)
