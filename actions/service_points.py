"""The nearest service points of a kind to a place the person names."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import CareAction
from actions.context import Context
from actions.formatting import distance, opening_state
from actions.staff_offers import offer_staff
from careline.catalogue import N_, say
from knowledge.nearby import nearest_points
from knowledge.places import PlaceMatch, find_places, names_of
from knowledge.text import fold, has_cjk

KIND_NAMES = {
    "mutual_aid_point": N_("actions.point_kind.mutual_aid_point"),
    "day_care_centre": N_("actions.point_kind.day_care_centre"),
    "service_centre": N_("actions.point_kind.service_centre"),
    "township_centre": N_("actions.point_kind.township_centre"),
    "canteen": N_("actions.point_kind.canteen"),
    "meal_station": N_("actions.point_kind.meal_station"),
    "health_station": N_("actions.point_kind.health_station"),
    "activity_room": N_("actions.point_kind.activity_room"),
    "nursing_home": N_("actions.point_kind.nursing_home"),
    "hotline_centre": N_("actions.point_kind.hotline_centre"),
}
# What people ask for, and the kinds of point that serve it.
KIND_GROUPS = {
    "canteen": ["canteen", "meal_station"], "meal_station": ["meal_station", "canteen"],
    "service_centre": ["service_centre", "township_centre"], "township_centre": ["township_centre", "service_centre"],
}


def kind_name(kind: str | None, lang: str) -> str:
    if kind in KIND_NAMES:
        return say(KIND_NAMES[kind], lang)
    return say("actions.kind_any", lang)


FOLLOW_UP_WORDS = 8  # "what about near the metro", "那五院旁边呢": the kind asked for last time


def _is_follow_up(text: str) -> bool:
    return len(text) <= 16 if has_cjk(text) else len(text.split()) <= FOLLOW_UP_WORDS


def is_place_follow_up(ctx: Context) -> bool:
    """A short message naming only a place, after a search for service points."""
    if ctx.slot("service_type") not in KIND_NAMES or ctx.district is None or not _is_follow_up(ctx.text):
        return False
    if any(ctx.entity(name) for name in ("policy_topic", "date", "time", "number", "meal", "relation",
                                         "activity_type", "home_service_type")):
        return False
    return bool(find_places(ctx.session, ctx.text, ctx.district.id, limit=1, min_score=86))


def _best_place(ctx: Context, said: list[str], district_id: int | None) -> PlaceMatch | None:
    """The best match among the places the model heard and the whole message: the model may tag
    "Hi" as a place, or only 新村 of 东胡新村 (where 新村 is also what people call 华溪新村); a
    name said whole in the message wins over a part of it."""
    best = None
    for query in said:
        hits = find_places(ctx.session, query, district_id, limit=1)
        if hits and (best is None or hits[0].score > best.score):
            best = hits[0]
    whole = find_places(ctx.session, ctx.text, district_id, limit=1) if ctx.text else []
    if not whole:
        return best
    text = fold(ctx.text)
    longer = any(fold(name) in text and any(fold(part) in fold(name) and len(fold(part)) < len(fold(name))
                                            for part in said)
                 for name in names_of(whole[0].row) if fold(name))
    return whole[0] if best is None or longer or whole[0].score > best.score else best


class ActionFindServicePoint(CareAction):
    action_name = "action_find_service_point"
    hears_named_questions = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        said_types = list(ctx.tracker.get_latest_entity_values("service_type"))
        kind = next((k for k in said_types if k in KIND_NAMES), None)
        if kind is None and ctx.slot("service_type") in KIND_NAMES and _is_follow_up(ctx.text):
            kind = ctx.slot("service_type")
        # a place the model took for a service type (贵花村 tagged as service_type) is still a place
        said_places = [str(p) for p in ctx.tracker.get_latest_entity_values("place")]
        said_places += [str(k) for k in said_types if k not in KIND_NAMES]
        district_id = ctx.district.id if ctx.district else None
        origin = None
        if said_places:
            best = _best_place(ctx, said_places, district_id)
            if best is None:
                dispatcher.utter_message(text=say("actions.place_unknown", ctx.lang, place=said_places[0]))
                return []
            origin = (best.latitude, best.longitude, best.name[ctx.lang])
        elif ctx.elder is not None and ctx.elder.place is not None:
            place = ctx.elder.place
            origin = (place.latitude, place.longitude, place.name[ctx.lang])
        else:
            matches = find_places(ctx.session, ctx.text, district_id) if ctx.text else []
            if matches:
                origin = (matches[0].latitude, matches[0].longitude, matches[0].name[ctx.lang])
        if origin is None:
            dispatcher.utter_message(text=say("actions.place_ask", ctx.lang))
            return [SlotSet("service_type", kind)]
        kinds = KIND_GROUPS.get(kind, [kind]) if kind else None
        found = nearest_points(ctx.session, origin[0], origin[1], kinds=kinds, district_id=district_id,
                               limit=3, max_distance_m=30_000)
        if not found:
            return offer_staff(ctx, dispatcher, N_("actions.points_none"), kind=kind_name(kind, ctx.lang))
        lines = [say("actions.points_intro", ctx.lang, place=origin[2], kind=kind_name(kind, ctx.lang))]
        for near in found:
            point = near.point
            params = dict(name=point.name[ctx.lang], distance=distance(near.distance_m, ctx.lang),
                          hours=opening_state(point.opening_hours, ctx.now, ctx.lang), phone=point.phone)
            line = N_("actions.point_line") if point.phone else N_("actions.point_line_nophone")
            lines.append(say(line, ctx.lang, **params))
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet("service_type", kind)]
