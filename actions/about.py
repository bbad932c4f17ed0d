"""What a named home service, activity, meal service or service point is: its price, its next
session, its phone number, address and opening hours, without starting a booking."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.context import Context
from actions.formatting import hours_text, moment, money, opening_state
from careline.catalogue import say
from knowledge.activities import upcoming_sessions
from knowledge.models import ServicePoint
from knowledge.naming import NameMatch
from knowledge.point_kinds import KINDS, asked_in

DESCRIBED = ("home_service", "activity", "meal_service", "service_point")
PRICED = ("home_service", "activity", "meal_service")

_PRICE_WORDS = re.compile(r"多少钱|几块钱|价格|价钱|收费|费用|贵不贵|要钱|免费吗|"
                          r"how much|price|cost|charge|fee|expensive|free\b", re.IGNORECASE)
_POINT_WORDS = re.compile(r"电话|号码|地址|在哪|哪里|怎么走|几点|开门|关门|营业|开放|上班|phone|number|address|"
                          r"where is|where's|how do i get|open|close|hours", re.IGNORECASE)


def asks_price(text: str) -> bool:
    return bool(_PRICE_WORDS.search(text))


_NEAR_WORDS = re.compile(r"最近|附近|离|旁边|周边|near|closest|close to|around", re.IGNORECASE)


def asks_point_details(text: str) -> bool:
    """A question about a point itself, not a search near it ("离玉林食堂最近的卫生站在哪")."""
    return bool(_POINT_WORDS.search(text)) and not _NEAR_WORDS.search(text)


def _home_service(ctx: Context, row: Any) -> str:
    from actions.pending import price_text

    return say("actions.about_home_service", ctx.lang, name=row.name[ctx.lang], description=row.description[ctx.lang],
             price=price_text(row.price, row.subsidised_price, ctx.lang),
             hours=hours_text(row.available_hours, ctx.lang))


def _activity(ctx: Context, row: Any) -> str:
    fee = (say("actions.about_activity_fee", ctx.lang, fee=money(row.fee, ctx.lang)) if row.fee
           else say("actions.about_activity_free", ctx.lang))
    sessions = [v for v in upcoming_sessions(ctx.session, row.district_id, ctx.now, activity_id=row.id, limit=10)
                if v.free > 0]
    place = row.service_point or row.place
    following = say("actions.about_activity_next", ctx.lang,
                    when=moment(sessions[0].session.starts_at, ctx.lang, ctx.today),
                  where=place.name[ctx.lang] if place else "", free=sessions[0].free) if sessions else ""
    return say("actions.about_activity", ctx.lang, title=row.title[ctx.lang], description=row.description[ctx.lang],
             fee=fee, next=following)


def _meal(ctx: Context, row: Any) -> str:
    from actions.meals import meal_days_text
    from actions.pending import price_text

    delivery = say("actions.meal_delivery", ctx.lang, fee=money(row.delivery_fee, ctx.lang)) if row.delivery else ""
    return say("actions.about_meal", ctx.lang, name=row.name[ctx.lang], days=meal_days_text(row, ctx.lang),
             time=row.serving_time, where=row.service_point.name[ctx.lang],
             price=price_text(row.price, row.subsidised_price, ctx.lang), delivery=delivery)


def _point(ctx: Context, row: Any) -> str:
    state = opening_state(row.opening_hours, ctx.now, ctx.lang)
    return say("actions.about_point", ctx.lang, name=row.name[ctx.lang], address=row.address[ctx.lang],
             hours=say("actions.about_point_hours", ctx.lang, hours=hours_text(row.opening_hours, ctx.lang),
                       state=state),
             phone=say("actions.about_point_phone", ctx.lang, phone=row.phone) if row.phone else "")


_ANSWERS = {"home_service": _home_service, "activity": _activity, "meal_service": _meal, "service_point": _point}


def describe(ctx: Context, dispatcher: CollectingDispatcher, match: NameMatch) -> list[dict[str, Any]]:
    """Say what the named thing is and costs, or where and when it is open."""
    dispatcher.utter_message(text=_ANSWERS[match.kind](ctx, match.row))
    return []


def asked_about(ctx: Context) -> NameMatch | None:
    """A price asked of a named home service, activity or meal, or a phone number, address or
    opening hours asked of a named service point, whatever the model made of the question."""
    if asks_price(ctx.text):
        found = ctx.named(PRICED, "activity_type", "home_service_type", min_score=86.0)
        if found:
            return found[0]
    if asks_point_details(ctx.text):
        found = ctx.named(("service_point",), "place", min_score=88.0)
        if found:
            return found[0]
        return _the_only_one_of_its_kind(ctx)
    return None


def _the_only_one_of_its_kind(ctx: Context) -> NameMatch | None:
    """"社区医院地址在哪" / "what time does the day centre open": a kind of point said where its
    district has one point of that kind is that point (a name that only says a kind names nothing
    where there are several)."""
    kind = asked_in(ctx.text)
    if kind not in KINDS or ctx.district is None:
        return None
    points = list(ctx.session.scalars(select(ServicePoint).where(ServicePoint.district_id == ctx.district.id,
                                                                 ServicePoint.active.is_(True),
                                                                 ServicePoint.kind == kind).limit(2)))
    if len(points) != 1:
        return None
    return NameMatch("service_point", points[0], 100.0, points[0].name.get(ctx.lang, ""))


def price_line(ctx: Context, match: NameMatch) -> str:
    """The price alone of a named home service (said before the booking form asks the time)."""
    from actions.pending import price_text

    row = match.row
    return say("actions.about_price", ctx.lang, name=row.name[ctx.lang],
             price=price_text(row.price, row.subsidised_price, ctx.lang))


def named_other_than_policy(ctx: Context, min_score: float = 86.0) -> NameMatch | None:
    """The home service, activity, meal or point the message names, when it names one more
    clearly than any policy (a price or a phone number asked where the model heard a policy
    question)."""
    found = ctx.named((*DESCRIBED, "policy"), "policy_topic", "activity_type", "home_service_type", "place")
    if not found or found[0].kind == "policy" or found[0].score < min_score:
        return None
    return found[0]
