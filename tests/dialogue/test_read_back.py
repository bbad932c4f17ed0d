"""What people do while the assistant reads a booking back: change the day or time, talk about
something else, pick from a list by number; and requests that say everything in one breath."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from knowledge.models import ActivitySession, Booking, Elder, MealSlot
from tests.dialogue.conftest import Elders, Servers, texts
from tests.dialogue.test_conversations import MAPLE_EN, MAPLE_ZH, _bookings, _handoffs, _rows


def _weekday_after(servers: Servers, days: int, weekday: int) -> dt.date:
    """The first date ``days`` or more from the servers' today falling on ``weekday`` (Monday 0)."""
    day = servers.now().date() + dt.timedelta(days=days)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _requests(servers: Servers, elder: str) -> list[Booking]:
    return [b for b in _bookings(servers, elder) if b.kind == "home_service"]


def test_home_service_with_day_and_time_in_one_message(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    before = len(_requests(servers, smith))
    offer = texts(servers.say(sender, "could someone come and cut my hair next tuesday at 2pm", elder=smith,
                              **MAPLE_EN))
    assert "Haircut at home" in offer and "2 pm" in offer and "Is that right?" in offer, offer
    assert "15 yuan (5 yuan with a subsidy)" in offer, offer  # whether Mr Smith has a subsidy is not known
    assert "trouble" not in offer.lower() and "connecting" not in offer, offer
    texts(servers.say(sender, "yes", elder=smith, **MAPLE_EN))
    requests = _requests(servers, smith)
    assert len(requests) == before + 1
    assert requests[-1].preferred_time.hour == 14 and requests[-1].preferred_time.weekday() == 1


def test_changing_the_time_during_the_read_back_reads_back_the_new_time(servers: Servers, sender: str,
                                                                        elders: Elders) -> None:
    wang = elders.new("wang")
    before = len(_requests(servers, wang))
    first = texts(servers.say(sender, "我想请人上门理发，下周三上午十点", elder=wang, **MAPLE_ZH))
    assert "上门理发" in first and "对吗" in first, first
    changed = texts(servers.say(sender, "改成下午两点吧", elder=wang, **MAPLE_ZH))
    assert "下午2点" in changed and "对吗" in changed, changed
    texts(servers.say(sender, "对", elder=wang, **MAPLE_ZH))
    requests = _requests(servers, wang)
    assert len(requests) == before + 1
    assert requests[-1].preferred_time.hour == 14 and requests[-1].preferred_time.weekday() == 2


def test_another_day_said_during_the_read_back_books_that_day(servers: Servers, sender: str, elders: Elders) -> None:
    li = elders.new("li")
    wanted = _weekday_after(servers, 21, 3)  # a Thursday three weeks on: tai chi runs Tuesdays and Thursdays
    offer = texts(servers.say(sender, "帮我报个太极拳", elder=li, **MAPLE_ZH))
    assert "对吗" in offer, offer
    changed = texts(servers.say(sender, f"不是这个，要{wanted.month}月{wanted.day}号那场", elder=li, **MAPLE_ZH))
    assert f"{wanted.month}月{wanted.day}日" in changed and "对吗" in changed, changed
    texts(servers.say(sender, "对", elder=li, **MAPLE_ZH))
    days = _rows(servers, select(ActivitySession.starts_at).join(Booking, Booking.session_id == ActivitySession.id)
                 .join(Elder).where(Elder.key == li, Booking.status == "active").order_by(Booking.id))
    assert [d.date() for d in days][-1:] == [wanted]


def test_a_yes_after_talking_of_something_else_books_nothing(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    before = len(_bookings(servers, smith))
    assert "Is that right?" in texts(servers.say(sender, "book me in for tai chi", elder=smith, **MAPLE_EN))
    texts(servers.say(sender, "what is the old age allowance", elder=smith, **MAPLE_EN))
    texts(servers.say(sender, "yes", elder=smith, **MAPLE_EN))
    assert len(_bookings(servers, smith)) == before


def test_cancelling_by_the_number_in_the_list(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    for text in ("book lunch for me next monday", "yes", "book lunch for me next tuesday", "yes"):
        texts(servers.say(sender, text, elder=smith, **MAPLE_EN))
    listing = texts(servers.say(sender, "what have I booked", elder=smith, **MAPLE_EN))
    assert "1." in listing and "2." in listing, listing
    ask = texts(servers.say(sender, "cancel number 2", elder=smith, **MAPLE_EN))
    assert "Cancel Seniors' lunch" in ask and "is that right?" in ask, ask
    active = [b.id for b in _bookings(servers, smith) if b.status == "active"]
    assert "Cancelled" in texts(servers.say(sender, "yes", elder=smith, **MAPLE_EN))
    still = [b.id for b in _bookings(servers, smith) if b.status == "active"]
    assert len(still) == len(active) - 1


def test_anonymous_caller_is_asked_who_before_anything_is_read_back(servers: Servers, sender: str) -> None:
    reply = texts(servers.say(sender, "帮我报个太极拳", **MAPLE_ZH))
    assert "哪位老人" in reply and "对吗" not in reply, reply


def test_refusing_one_language_asks_for_the_other(servers: Servers, sender: str) -> None:
    assert "普通话" in texts(servers.say(sender, "我听不懂英文，说中文", **MAPLE_EN))
    assert "English" in texts(servers.say(sender, "I don't understand Chinese", **MAPLE_ZH))


def test_volunteer_visit_keeps_the_time_asked_for(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    offer = texts(servers.say(sender, "can a volunteer come and keep me company next friday at 3pm", elder=smith,
                              **MAPLE_EN))
    assert "3 pm" in offer and "10 am" not in offer, offer


def test_a_fall_that_is_over_is_not_an_emergency(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    for text in ("I fell last week and hurt my hip, it's fine now, but I'd like grab rails in the bathroom",
                 "去年摔断了腿，现在好了，想装个扶手"):
        reply = texts(servers.say(sender, text, elder=smith, **MAPLE_EN))
        assert "120" not in reply, (text, reply)
    assert _handoffs(servers, sender) == []


def test_a_change_said_with_a_yes_word_is_read_back_not_booked(servers: Servers, sender: str, elders: Elders) -> None:
    wang = elders.new("wang")
    wednesday, thursday = _weekday_after(servers, 7, 2), _weekday_after(servers, 8, 3)
    before = len(_bookings(servers, wang))
    offer = texts(servers.say(sender, f"订{wednesday.month}月{wednesday.day}号的午饭", elder=wang, **MAPLE_ZH))
    assert "对吗" in offer, offer
    changed = texts(servers.say(sender, f"好，改成{thursday.month}月{thursday.day}号嘛", elder=wang, **MAPLE_ZH))
    assert f"{thursday.month}月{thursday.day}日" in changed and "对吗" in changed, changed
    assert len(_bookings(servers, wang)) == before
    texts(servers.say(sender, "对", elder=wang, **MAPLE_ZH))
    assert len(_bookings(servers, wang)) == before + 1
    days = _rows(servers, select(MealSlot.date).join(Booking, Booking.meal_slot_id == MealSlot.id).join(Elder)
                 .where(Elder.key == wang).order_by(Booking.id))
    assert days[-1] == thursday


def test_an_english_weekday_and_hour_are_kept(servers: Servers, sender: str, elders: Elders) -> None:
    smith = elders.new("smith")
    today = servers.now().date()
    monday = today + dt.timedelta(days=7 - today.weekday())  # "Monday" is the next one after today
    offer = texts(servers.say(sender, "could a volunteer visit me on Monday at 10", elder=smith, **MAPLE_EN))
    assert f"Monday {monday.day} {monday.strftime('%B')} at 10 am" in offer, offer
