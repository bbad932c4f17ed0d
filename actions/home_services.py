"""Home services (cleaning, bathing, haircut, visits), the time bank and volunteer visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.about import asks_price
from actions.base import CareAction, ask_district, confirm_buttons, should_ask_district
from actions.context import Context, open_context
from actions.formatting import hours_text, listing, moment, person_name
from actions.pending import price_text
from actions.staff_offers import offer_staff
from actions.volunteering import ActionVolunteerJoin, wants_to_volunteer
from actions.when import When, parse_when
from careline.catalogue import N_, say
from knowledge import hours
from knowledge.models import HomeService
from knowledge.naming import find_named


def _services(ctx: Context) -> list[HomeService]:
    if ctx.district is None:
        return []
    return list(ctx.session.scalars(select(HomeService).where(
        HomeService.district_id == ctx.district.id, HomeService.active.is_(True)).order_by(HomeService.key)))


def find_home_service(ctx: Context, said: str) -> HomeService | None:
    """The home service ``said`` (a slot value: a key, a kind or the words the model heard)
    names; else the one the whole message names."""
    services = _services(ctx)
    for service in services:
        if said in (service.key, service.kind):
            return service
    if ctx.district is None:
        return None
    named = find_named(ctx.session, said, ctx.district.id, kinds=("home_service",)) if said else []
    if not named:
        named = ctx.named(("home_service",), "home_service_type")
    return named[0].row if named else None


def _visit_time(ctx: Context, when: When | None, service: HomeService | None) -> tuple[str | None, str | None]:
    """The visit time as ISO minutes, or the text key saying why it cannot be that time."""
    if when is None:
        return None, N_("actions.home_service_when_unclear")
    at = when.at(default_hour=10)
    if at <= ctx.now:
        return None, N_("actions.refused_past")
    if service is not None and not hours.is_open(service.available_hours, at):
        return None, N_("actions.home_service_unavailable")
    return at.isoformat(timespec="minutes"), None


def _refusal(ctx: Context, key: str, service: HomeService | None) -> str:
    return say(key, ctx.lang, hours=hours_text(service.available_hours, ctx.lang) if service is not None else "")


class ValidateHomeServiceForm(FormValidationAction):
    def name(self) -> str:
        return "validate_home_service_form"

    def validate_home_service_type(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        """The service; a day and time said in the same breath are checked and kept, so that
        the form does not ask for them again."""
        with open_context(tracker) as ctx:
            service = find_home_service(ctx, str(value or ""))
            if service is None:
                names = listing([s.name[ctx.lang] for s in _services(ctx)], ctx.lang)
                dispatcher.utter_message(text=say("actions.home_service_unknown", ctx.lang, what=value, names=names))
                return {"home_service_type": None}
            if asks_price(ctx.text):  # "上门洗澡多少钱": the price, then the form asks the time
                dispatcher.utter_message(text=say("actions.about_price", ctx.lang, name=service.name[ctx.lang],
                                                price=price_text(service.price, service.subsidised_price, ctx.lang)))
            when = ctx.when_said
            if when is None or when.hour is None:
                return {"home_service_type": service.key}
            at, problem = _visit_time(ctx, when, service)
            if problem is not None:
                dispatcher.utter_message(text=_refusal(ctx, problem, service))
            return {"home_service_type": service.key, "service_when": at}

    def validate_service_when(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        with open_context(tracker) as ctx:
            service = find_home_service(ctx, tracker.get_slot("home_service_type") or "")
            at, problem = _visit_time(ctx, parse_when(str(value or ""), ctx.now), service)
            if problem is not None:
                dispatcher.utter_message(text=_refusal(ctx, problem, service))
            return {"service_when": at}


def offer_home_service(ctx: Context, dispatcher: CollectingDispatcher, service: HomeService,
                       when: dt.datetime) -> list[dict[str, Any]]:
    """Read back the visit; it is requested only on a yes."""
    if ctx.elder is None:
        return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
    dispatcher.utter_message(
        text=say("actions.home_service_confirm", ctx.lang, who=ctx.who(), name=service.name[ctx.lang],
               when=moment(when, ctx.lang, ctx.today),
               price=price_text(service.price, service.subsidised_price, ctx.lang)),
        buttons=confirm_buttons(ctx.lang))
    return [SlotSet("pending", {"kind": "home_service", "home_service_id": service.id,
                                "when": when.isoformat(timespec="minutes")})]


def offer_home_service_again(ctx: Context, dispatcher: CollectingDispatcher, service: HomeService,
                             before: dt.datetime) -> list[dict[str, Any]]:
    """The same visit at the day or time now said; a day alone keeps the hour read back before."""
    when = ctx.when_said
    if when is None:
        dispatcher.utter_message(text=say("actions.home_service_when_unclear", ctx.lang))
        return []
    if when.hour is None:
        when = When(when.date, before.hour, before.minute)
    elif not ctx.entity("date") and when.date == ctx.today and before.date() != ctx.today:
        when = When(before.date(), when.hour, when.minute)  # "make it 2 pm": same day, new hour
    at, problem = _visit_time(ctx, when, service)
    if at is None:
        dispatcher.utter_message(text=_refusal(ctx, problem or N_("actions.home_service_when_unclear"), service))
        return []
    return offer_home_service(ctx, dispatcher, service, dt.datetime.fromisoformat(at))


class ActionOfferHomeService(CareAction):
    action_name = "action_offer_home_service"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        service = find_home_service(ctx, ctx.slot("home_service_type") or "")
        when_text = ctx.slot("service_when")
        reset = [SlotSet("home_service_type", None), SlotSet("service_when", None)]
        if service is None or not when_text:
            return [*reset, *offer_staff(ctx, dispatcher, N_("actions.refused_other"))]
        return [*reset, *offer_home_service(ctx, dispatcher, service, dt.datetime.fromisoformat(when_text))]


class ActionTimeBankHours(CareAction):
    action_name = "action_time_bank_hours"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        volunteer = ctx.volunteer()
        if volunteer is None:
            return offer_staff(ctx, dispatcher, N_("actions.time_bank_unknown"))

        def fmt(value: Any) -> str:
            return f"{value:g}" if isinstance(value, float) else f"{float(value):g}"

        dispatcher.utter_message(text=say(
            "actions.time_bank_hours", ctx.lang, name=person_name(volunteer.name, ctx.lang),
            earned=fmt(volunteer.hours_earned), spent=fmt(volunteer.hours_spent),
            left=fmt(volunteer.hours_earned - volunteer.hours_spent)))
        return []


def offer_volunteer(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    when = ctx.when_said
    if when is None or when.at(default_hour=10) <= ctx.now:
        if when is not None:
            dispatcher.utter_message(text=say("actions.refused_past", ctx.lang))
        dispatcher.utter_message(text=say("actions.volunteer_when", ctx.lang))
        return [SlotSet("pending", {"kind": "volunteer_when"})]
    at = when.at(default_hour=10)
    dispatcher.utter_message(text=say("actions.volunteer_confirm", ctx.lang, who=ctx.who(),
                                    when=moment(at, ctx.lang, ctx.today)), buttons=confirm_buttons(ctx.lang))
    return [SlotSet("pending", {"kind": "volunteer", "when": at.isoformat(timespec="minutes")})]


class ActionOfferVolunteerVisit(CareAction):
    action_name = "action_offer_volunteer_visit"
    hears_confirmation = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        if wants_to_volunteer(ctx.text):  # "I'd like to volunteer": to give help, not to get it
            if should_ask_district(ctx):
                return ask_district(ctx, dispatcher, ActionVolunteerJoin.action_name)
            return ActionVolunteerJoin().act(ctx, dispatcher)
        if ctx.elder is None:
            return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
        return offer_volunteer(ctx, dispatcher)
