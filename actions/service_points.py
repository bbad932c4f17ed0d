"""The nearest service points of the kind asked for to the place the person names, else to the
elder's home."""

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
from knowledge.places import MIN_SCORE as PLACE_MIN_SCORE
from knowledge.places import PlaceMatch, find_places, names_of, only_a_kind
from knowledge.point_kinds import ANY, HAIRCUT, OFFERED_AS, SERVED_BY, asked_in, words_in
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


def kind_name(kind: str | None, lang: str) -> str:
    """The kind asked for as the reply names it; any kind, a haircut or a meal: "service point"."""
    if kind in KIND_NAMES:
        return say(KIND_NAMES[kind], lang)
    return say("actions.kind_any", lang)


FOLLOW_UP_WORDS = 8  # "what about near the metro", "那五院旁边呢": the kind asked for last time


def _is_follow_up(text: str) -> bool:
    return len(text) <= 16 if has_cjk(text) else len(text.split()) <= FOLLOW_UP_WORDS


def is_place_follow_up(ctx: Context) -> bool:
    """A short message naming only a place, after a search for service points."""
    if ctx.slot("service_type") not in SERVED_BY or ctx.district is None or not _is_follow_up(ctx.text):
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


# A place found in the whole message must be named clearly to win over the elder's home: said in
# characters or words (90), or misheard whole (86), not a loose likeness.
NAMED_OVER_HOME = 86.0


def _place_in_message(ctx: Context, district_id: int | None, min_score: float) -> PlaceMatch | None:
    """The place the whole message names, unless it is only heard inside a word for a kind of
    point (梨园 in 福利院, the same sounds)."""
    found = find_places(ctx.session, ctx.text, district_id, limit=1, min_score=min_score) if ctx.text else []
    if not found:
        return None
    for word in words_in(ctx.text):
        if any(m.key == found[0].key for m in find_places(ctx.session, word, district_id, min_score=min_score)):
            return None
    return found[0]


def _asked(ctx: Context, said_types: list[str]) -> str | None:
    """What kind of point the person asks for (a kind, ANY or a need, knowledge/point_kinds.py):
    from the message's own words; else from the model's service type, a hint that also covers
    its misheard forms (是堂); else a haircut the model heard; else, for a short follow-up, what
    the last search asked for. None: nothing said, any kind."""
    said = asked_in(ctx.text)
    if said is not None:
        return said
    for value in said_types:
        hinted = value if value in SERVED_BY else asked_in(value)
        if hinted is not None:
            return hinted
    if HAIRCUT in ctx.tracker.get_latest_entity_values("home_service_type"):
        return HAIRCUT
    if ctx.slot("service_type") in SERVED_BY and _is_follow_up(ctx.text):
        return str(ctx.slot("service_type"))
    return None


class ActionFindServicePoint(CareAction):
    action_name = "action_find_service_point"
    hears_named_questions = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        said_types = [str(t) for t in ctx.tracker.get_latest_entity_values("service_type")]
        asked = _asked(ctx, said_types)
        # a place the model took for a service type (贵花村 tagged as service_type) is still a place;
        # a word for a kind of point the model took for a place (服务站) is not
        said_places = [str(p) for p in ctx.tracker.get_latest_entity_values("place")]
        said_places += [t for t in said_types if t not in SERVED_BY and asked_in(t) is None]
        said_places = [p for p in said_places if not only_a_kind(p)]
        district_id = ctx.district.id if ctx.district else None
        home = ctx.elder.place if ctx.elder is not None else None
        origin = None
        if said_places:
            best = _best_place(ctx, said_places, district_id)
            if best is None:
                dispatcher.utter_message(text=say("actions.place_unknown", ctx.lang, place=said_places[0]))
                return []
            origin = (best.latitude, best.longitude, best.name[ctx.lang])
        else:
            # a place named in the message, even one the model did not tag, beats the elder's home
            named = _place_in_message(ctx, district_id, NAMED_OVER_HOME if home is not None else PLACE_MIN_SCORE)
            if named is not None:
                origin = (named.latitude, named.longitude, named.name[ctx.lang])
            elif home is not None:
                origin = (home.latitude, home.longitude, home.name[ctx.lang])
        if origin is None:
            dispatcher.utter_message(text=say("actions.place_ask", ctx.lang))
            return [SlotSet("service_type", asked)]
        kind = asked if asked in KIND_NAMES else None
        found = nearest_points(ctx.session, origin[0], origin[1], kinds=SERVED_BY.get(asked or ANY),
                               services=OFFERED_AS.get(asked or ANY, ()), district_id=district_id, limit=3,
                               max_distance_m=30_000)
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
        return [SlotSet("service_type", asked)]
