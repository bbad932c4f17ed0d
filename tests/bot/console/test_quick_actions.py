"""Quick actions on SQLite and PostgreSQL: booking and cancelling for the elder with a read-back
(the assistant's rules, capacity raced by two consultants), the person told through their channel,
linked family told as for the assistant's bookings, policy summaries, canned replies of the
conversation's district and language only; every action audited, other districts out of reach."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select

from bot.console.quick import QuickActions
from bot.console.service import Refused
from bot.hub import alerts
from knowledge import booking, canned, db, links, offers
from knowledge.actors import Actor
from knowledge.audit import records_of
from knowledge.models import (
    AccountElder,
    Activity,
    ActivitySession,
    Booking,
    CannedReply,
    Elder,
    MealService,
    OutboxMessage,
)
from tests.bot.console.conftest import Desk

T = TypeVar("T")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def refused(coroutine: Coroutine[Any, Any, Any]) -> Refused:
    with pytest.raises(Refused) as caught:
        run(coroutine)
    return caught.value


def held(desk: Desk, elder: str | None = "wang", language: str = "zh", channel: str = "cli",
         actor: Actor | None = None) -> tuple[int, str, Actor]:
    """A conversation about ``elder`` that a consultant has taken: its id, its name, the consultant."""
    actor = actor or desk.consultant()
    conversation_id, name = desk.waiting(channel=channel, language=language, elder=elder)
    run(desk.service.claim(conversation_id, actor))
    return conversation_id, name, actor


def elder_id(desk: Desk, key: str) -> int:
    with desk.sessions() as session:
        return session.scalar(select(Elder.id).where(Elder.key == key))


def lunch(quick: QuickActions, conversation_id: int, actor: Actor, delivery: bool = False) -> offers.Option:
    _, options = run(quick.booking_options(conversation_id, actor, "zh"))
    return next(o for o in options.meals if o.choice.delivery is delivery)


def active_bookings(desk: Desk, elder: str) -> list[Booking]:
    with desk.sessions() as session:
        return list(session.scalars(select(Booking).where(Booking.elder_id == elder_id(desk, elder),
                                                          Booking.status == "active")))


def test_a_meal_is_read_back_then_booked_the_person_and_the_family_are_told(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, name, actor = held(desk)
    wang = elder_id(desk, "wang")
    with db.transaction(desk.sessions) as session:  # a son linked on Telegram
        account = links.account_for(session, "telegram", f"{uuid.uuid4().int % 10**9}", "555001", "zh")
        session.add(AccountElder(account_id=account.id, elder_id=wang))
        session.flush()
        family = account.address
    option = lunch(quick, conversation_id, actor)
    said = run(quick.booking_read_back(conversation_id, actor, option.choice.token, "zh"))
    assert (said.what, said.for_whom, said.problem) == ("老年午餐", "王秀英", None)
    assert said.where == option.where and said.where and not said.delivery, "eaten at the canteen"
    assert said.price == "12元（有补贴的老人6元）"
    assert active_bookings(desk, "wang") == [], "a read-back books nothing"

    message_id = run(quick.book(conversation_id, actor, option.choice.token))

    [made] = active_bookings(desk, "wang")
    with desk.sessions() as session:
        made = session.get(Booking, made.id)
        assert (made.kind, made.created_via, made.meal_slot.date) == ("meal", "console", option.choice.day)
    [told] = [r.text for r in run(desk.hub.pending("cli", name))]
    assert told.startswith("工作人员已经为您预约好了：老年午餐") and "12元" in told
    with desk.sessions() as session:
        assert [(r.action, r.elder_id) for r in records_of(session, conversation_id)][-1] == ("book", made.elder_id)
        assert records_of(session, conversation_id)[-1].detail["message_id"] == message_id
    assert alerts.fan_out(desk.sessions) >= 1
    with desk.sessions() as session:
        to_family = [m.body["text"] for m in session.scalars(select(OutboxMessage).where(
            OutboxMessage.address == family))]
    assert len(to_family) == 1 and to_family[0].startswith("通知：王秀英的预约已登记——") and "老年午餐" in to_family[0]

    again = refused(quick.book(conversation_id, actor, option.choice.token))
    assert (again.code, again.status) == ("refused_already_booked", 409)
    assert again.say("zh") == "王秀英已经预约过这一项了，没有重复预约。"
    assert "already booked" in again.say("en")
    read_again = run(quick.booking_read_back(conversation_id, actor, option.choice.token, "en"))
    assert read_again.problem is booking.Refusal.ALREADY_BOOKED, "the read-back says so before confirming"
    assert len(active_bookings(desk, "wang")) == 1


def test_a_booking_is_cancelled_after_its_read_back(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, name, actor = held(desk, language="en")
    option = lunch(quick, conversation_id, actor, delivery=True)
    run(quick.book(conversation_id, actor, option.choice.token))
    run(desk.hub.pending("cli", name))
    _, listed = run(quick.cancel_options(conversation_id, actor, "en"))
    [(booking_id, what)] = listed
    assert "Seniors' lunch" in what
    said = run(quick.cancel_read_back(conversation_id, actor, booking_id, "en"))
    assert (said.booking_id, said.problem) == (booking_id, None)
    assert len(active_bookings(desk, "wang")) == 1, "a read-back cancels nothing"

    run(quick.cancel(conversation_id, actor, booking_id))

    assert active_bookings(desk, "wang") == []
    [told] = [r.text for r in run(desk.hub.pending("cli", name))]
    assert told.startswith("Cancelled for you by our staff: Seniors' lunch")
    with desk.sessions() as session:
        assert [r.action for r in records_of(session, conversation_id)][-2:] == ["book", "cancel"]
    again = refused(quick.cancel(conversation_id, actor, booking_id))
    assert again.code == "refused_already_cancelled"


def test_two_consultants_confirming_the_last_place_at_once_one_gets_it(desk: Desk) -> None:
    """Lunch has two places a day: one is taken, two consultants (two elders) race for the last."""
    quick = QuickActions(desk.service)
    first, _, alice = held(desk, "wang")
    second, _, bob = held(desk, "li")
    option = lunch(quick, first, alice)
    smith = elder_id(desk, "smith")
    with db.transaction(desk.sessions) as session:
        meal = session.get(MealService, option.choice.item_id)
        early = dt.datetime.combine(option.choice.day, dt.time(6, 0))
        assert booking.book_meal(session, smith, meal.id, option.choice.day, early).ok
    barrier = threading.Barrier(2)
    results: dict[int, int | Refused] = {}

    def confirm(conversation_id: int, actor: Actor) -> None:
        barrier.wait()
        try:
            results[conversation_id] = run(quick.book(conversation_id, actor, option.choice.token))
        except Refused as refusal:
            results[conversation_id] = refusal

    threads = [threading.Thread(target=confirm, args=pair) for pair in ((first, alice), (second, bob))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    refusals = [r for r in results.values() if isinstance(r, Refused)]
    assert len(results) == 2 and len(refusals) == 1, results
    assert refusals[0].code == "refused_full" and refusals[0].say("zh") == "已经满了，没有预约。"
    with desk.sessions() as session:
        booked = session.scalar(select(func.count(Booking.id)).join(Booking.meal_slot).where(
            Booking.status == "active", Booking.meal_slot.has(date=option.choice.day)))
    assert booked == 2


def test_a_policy_summary_says_who_qualifies_and_whether_the_elder_does(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, name, actor = held(desk, language="zh")
    choices = run(quick.policies(conversation_id, actor, "en"))
    allowance = next(c for c in choices if c.title == "Old-age allowance")
    preview = run(quick.policy_preview(conversation_id, actor, allowance.policy_id))
    assert preview.language == "zh" and preview.text.startswith("高龄津贴：")
    assert "条件是：" in preview.text and "按登记的情况，您符合条件" in preview.text and "怎么申请：" in preview.text
    assert run(desk.hub.pending("cli", name)) == [], "a preview sends nothing"
    run(quick.send_policy(conversation_id, actor, allowance.policy_id))
    assert [r.text for r in run(desk.hub.pending("cli", name))] == [preview.text]
    with desk.sessions() as session:
        assert records_of(session, conversation_id)[-1].action == "send_policy"

    english, _, _ = held(desk, elder="li", language="en", actor=actor)  # 李建国 is 76
    text = run(quick.policy_preview(english, actor, allowance.policy_id)).text
    assert text.startswith("Old-age allowance: ") and "it is not open to you yet, because it requires" in text
    unknown, _, _ = held(desk, elder=None, actor=actor)
    assert {c.policy_id for c in run(quick.policies(unknown, actor, "zh"))} == {c.policy_id for c in choices}
    assert "符合" not in run(quick.policy_preview(unknown, actor, allowance.policy_id)).text.split("条件是")[0]


def test_canned_replies_are_those_of_the_conversations_district_and_language(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    zh, _, actor = held(desk, language="zh")
    en, _, _ = held(desk, language="en", actor=actor)
    assert sorted(c.title for c in run(quick.canned(zh, actor))) == sorted(["问候", "请稍等"])
    assert [c.title for c in run(quick.canned(en, actor))] == ["Greeting"]
    with db.transaction(desk.sessions) as session:
        english = session.scalar(select(CannedReply.id).where(CannedReply.language == "en"))
        mine = canned.add(session, actor, canned.Draft(desk.district_id, "zh", "地址", "<script>x</script>中心在镇上"))
        mine_id = mine.id
    assert run(quick.canned_text(zh, actor, mine_id)) == "<script>x</script>中心在镇上"
    assert refused(quick.canned_text(zh, actor, english)).code == "reply_not_found", "another language"
    other = desk.other_district()
    admin = desk.consultant("管理员", is_admin=True)
    with db.transaction(desk.sessions) as session:
        elsewhere = canned.add(session, admin, canned.Draft(other, "zh", "外区", "外区的回复")).id
    assert refused(quick.canned_text(zh, actor, elsewhere)).code == "reply_not_found", "another district"


def test_another_district_is_out_of_reach_whatever_the_ids(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, _, actor = held(desk)
    other = desk.other_district()
    outsider = desk.consultant("外区", district_id=other)
    token = lunch(quick, conversation_id, actor).choice.token
    li = elder_id(desk, "li")
    for attempt in (quick.booking_options(conversation_id, outsider, "zh"),
                    quick.booking_read_back(conversation_id, outsider, token, "zh"),
                    quick.book(conversation_id, outsider, token), quick.cancel_options(conversation_id, outsider, "zh"),
                    quick.policies(conversation_id, outsider, "zh"), quick.canned(conversation_id, outsider)):
        refusal = refused(attempt)
        assert (refusal.code, refusal.status) == ("not_found", 404)
    with db.transaction(desk.sessions) as session:  # an activity of the other district
        activity = Activity(district_id=other, key="far", category="talk", title={"zh": "外区讲座", "en": "Far talk"},
                            description={"zh": "-", "en": "-"}, capacity=5, duration_minutes=60)
        session.add(activity)
        session.flush()
        far = ActivitySession(activity_id=activity.id, key="s1", capacity=5, booked=0,
                              starts_at=dt.datetime(2030, 1, 2, 9, 0), ends_at=dt.datetime(2030, 1, 2, 10, 0))
        session.add(far)
        session.flush()
        far_id = far.id
        talk = session.scalar(select(ActivitySession.id).join(Activity).where(
            Activity.key == "health-talk", ActivitySession.starts_at == dt.datetime(2030, 3, 5, 14, 0)))
        theirs = booking.book_session(session, li, talk, dt.datetime(2026, 1, 1)).booking.id
    assert refused(quick.book(conversation_id, actor, f"activity:{far_id}")).code == "choice_not_found"
    assert refused(quick.cancel(conversation_id, actor, theirs)).code == "booking_not_found", "李建国's, not hers"
    assert refused(quick.book(conversation_id, actor, "meal:1:2026-02-30:pickup")).code == "bad_choice"
    assert active_bookings(desk, "wang") == []


def test_nothing_is_booked_for_a_conversation_whose_elder_is_not_known(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, _, actor = held(desk, elder=None)
    refusal = refused(quick.booking_options(conversation_id, actor, "zh"))
    assert (refusal.code, refusal.status) == ("no_elder", 409)
    assert "老人" in refusal.say("zh") and "elder" in refusal.say("en")


def test_a_home_service_is_requested_within_its_hours_only(desk: Desk) -> None:
    quick = QuickActions(desk.service)
    conversation_id, name, actor = held(desk)
    _, options = run(quick.booking_options(conversation_id, actor, "zh"))
    [haircut] = options.home_services
    assert haircut.what == "上门理发" and haircut.hours == "Mo-Fr 09:00-17:00"
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday() + 7)  # a Monday at least a week away
    saturday = f"home_service:{haircut.home_service_id}:{monday + dt.timedelta(days=5)}T10:00"
    said = run(quick.booking_read_back(conversation_id, actor, saturday, "en"))
    assert said.problem is booking.Refusal.UNAVAILABLE_TIME and said.what == "Haircut at home"
    assert refused(quick.book(conversation_id, actor, saturday)).code == "refused_unavailable_time"
    run(quick.book(conversation_id, actor, f"home_service:{haircut.home_service_id}:{monday}T10:00"))
    with desk.sessions() as session:
        [request] = session.scalars(select(Booking).where(Booking.elder_id == elder_id(desk, "wang"))).all()
        assert (request.kind, request.status, request.preferred_time) == (
            "home_service", "requested", dt.datetime.combine(monday, dt.time(10, 0)))
    [told] = [r.text for r in run(desk.hub.pending("cli", name))]
    assert told.startswith("工作人员已经为您提交了上门服务申请：上门理发") and "15元" in told
