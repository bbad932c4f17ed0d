"""Upcoming activities, and booking one (read back first, booked only on a yes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.about import describe
from actions.base import CareAction, confirm_buttons
from actions.context import Context
from actions.formatting import moment
from actions.staff_offers import offer_staff
from actions.when import When, parse_when, week_said
from careline.catalogue import N_, say
from knowledge.activities import SessionView, find_activities, upcoming_sessions
from knowledge.booking import booked_sessions
from knowledge.models import Activity


def _where(view: SessionView, lang: str) -> str:
    place = view.activity.service_point or view.activity.place
    return place.name[lang] if place else ""


#: Sessions listed at most: one day's, or a whole week's when a week is asked about.
LISTED_DAY, LISTED_WEEK = 5, 10


def _day_window(ctx: Context) -> tuple[dt.datetime, dt.datetime | None, dt.date | None]:
    week = week_said(ctx.text, ctx.today) if ctx.text else None
    if week is not None:
        return max(dt.datetime.combine(week[0], dt.time()), ctx.now), dt.datetime.combine(week[1], dt.time()), None
    said = ctx.entity("date")
    when = parse_when(said or ctx.text, ctx.now) if (said or ctx.text) else None
    if when is None:
        return ctx.now, None, None
    start = dt.datetime.combine(when.date, dt.time())
    return max(start, ctx.now), start + dt.timedelta(days=1), when.date


class ActionListActivities(CareAction):
    action_name = "action_list_activities"
    hears_named_questions = True
    hears_corrections = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        if ctx.district is None:
            dispatcher.utter_message(text=say("actions.activities_none", ctx.lang))
            return []
        start, end, day = _day_window(ctx)
        if day is not None and day < ctx.today:
            dispatcher.utter_message(text=say("actions.activity_past", ctx.lang))
            start, end = ctx.now, None
        if end is None:
            end = ctx.now + dt.timedelta(days=7)
        named = ctx.named(("activity",), "activity_type")
        wanted = {m.row.id for m in named} if named else None
        listed = LISTED_WEEK if ctx.text and week_said(ctx.text, ctx.today) else LISTED_DAY
        views = [v for v in upcoming_sessions(ctx.session, ctx.district.id, start, until=end, limit=50)
                 if wanted is None or v.activity.id in wanted][:listed]
        if not views:
            dispatcher.utter_message(text=say("actions.activities_none", ctx.lang))
            return []
        lines = [say("actions.activities_intro", ctx.lang)]
        for view in views:
            key = N_("actions.activity_line") if view.free else N_("actions.activity_line_full")
            lines.append(say(key, ctx.lang, when=moment(view.session.starts_at, ctx.lang, ctx.today),
                           title=view.activity.title[ctx.lang], where=_where(view, ctx.lang), free=view.free))
        lines.append(say("actions.activities_book_hint", ctx.lang))
        dispatcher.utter_message(text="\n".join(lines))
        return []


def offer_activity(ctx: Context, dispatcher: CollectingDispatcher,
                   activity: Activity | None = None) -> list[dict[str, Any]]:
    """Read back the session meant (the activity said, or ``activity``, on the day said); refuse
    kindly if past or full, and offer the next free one instead."""
    if ctx.district is None:
        dispatcher.utter_message(text=say("actions.activities_none", ctx.lang))
        return []
    if ctx.elder is None:
        named = ctx.named(("activity",), "activity_type")
        if named:  # what it is and when, before saying who it can be booked for
            describe(ctx, dispatcher, named[0])
        return offer_staff(ctx, dispatcher, N_("actions.need_elder"))
    if activity is None:
        said = ctx.entity("activity_type") or ctx.slot("activity_type")
        activities = [m.row for m in ctx.named(("activity",), "activity_type")]
        if not activities and said:
            activities = find_activities(ctx.session, ctx.district.id, said)
        if not activities:
            dispatcher.utter_message(text=say("actions.activity_not_found", ctx.lang, what=said) if said
                                     else say("actions.activity_which", ctx.lang))
            return []
        activity = activities[0]
    when = ctx.when_said
    sessions = upcoming_sessions(ctx.session, ctx.district.id, ctx.now, activity_id=activity.id, limit=60)
    already = _already_booked(ctx, sessions, when)
    if already is not None:
        dispatcher.utter_message(text=say("actions.already_booked_session", ctx.lang, who=ctx.who(),
                                        title=already.activity.title[ctx.lang],
                                        when=moment(already.session.starts_at, ctx.lang, ctx.today)))
        return [SlotSet("pending", None)]
    chosen = None
    if when is not None:
        if when.date < ctx.today:
            dispatcher.utter_message(text=say("actions.activity_past", ctx.lang))
        else:
            same_day = [v for v in sessions if v.session.starts_at.date() == when.date]
            if not same_day:
                dispatcher.utter_message(text=say("actions.activity_no_session_that_day", ctx.lang))
            elif same_day[0].free == 0:
                dispatcher.utter_message(text=say("actions.activity_full_alternatives", ctx.lang))
            else:
                chosen = same_day[0]
    elif sessions and sessions[0].free == 0:
        dispatcher.utter_message(text=say("actions.activity_full_alternatives", ctx.lang))
    if chosen is None:
        free = [v for v in sessions if v.free > 0]
        if not free:
            return offer_staff(ctx, dispatcher, N_("actions.activity_none_free"))
        chosen = free[0]
        if when is not None or (sessions and sessions[0].free == 0):
            dispatcher.utter_message(text=say("actions.activity_next_free", ctx.lang, when=moment(
                chosen.session.starts_at, ctx.lang, ctx.today)), buttons=confirm_buttons(ctx.lang))
            return [SlotSet("pending", {"kind": "activity", "session_id": chosen.session.id})]
    dispatcher.utter_message(
        text=say("actions.activity_confirm", ctx.lang, who=ctx.who(), title=chosen.activity.title[ctx.lang],
               when=moment(chosen.session.starts_at, ctx.lang, ctx.today), where=_where(chosen, ctx.lang)),
        buttons=confirm_buttons(ctx.lang))
    return [SlotSet("pending", {"kind": "activity", "session_id": chosen.session.id})]


def _already_booked(ctx: Context, sessions: list[SessionView], when: When | None) -> SessionView | None:
    """The session meant (of the day said, else the next one) when the elder is already booked
    for it: they are told so rather than offered the week after."""
    if ctx.elder is None or not sessions:
        return None
    meant = [v for v in sessions if v.session.starts_at.date() == when.date] if when is not None else sessions[:1]
    booked = booked_sessions(ctx.session, ctx.elder.id, [v.session.id for v in meant])
    return next((v for v in meant if v.session.id in booked), None)


class ActionOfferActivity(CareAction):
    action_name = "action_offer_activity"
    hears_confirmation = True
    hears_corrections = True
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        return offer_activity(ctx, dispatcher)
