import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.activities import _match_score, find_activities, meal_days, upcoming_sessions
from knowledge.models import District, MealService
from knowledge.schedule import occurrences
from tests.conftest import NOW


def _district_id(session: Session) -> int:
    return session.scalars(select(District.id).where(District.key == "maple-town")).one()


def test_repeat_rule_generates_sessions_ahead(maple: Session) -> None:
    views = upcoming_sessions(maple, _district_id(maple), NOW, limit=100)
    taichi = [v for v in views if v.activity.key == "taichi"]
    assert len(taichi) == 16  # Tuesdays and Thursdays for 8 weeks
    assert taichi[0].session.starts_at == dt.datetime(2026, 11, 24, 9, 30)
    assert {v.session.starts_at.weekday() for v in taichi} == {1, 3}
    assert all(v.free == 2 for v in taichi)


def test_past_sessions_are_not_upcoming(maple: Session) -> None:
    talks = [v for v in upcoming_sessions(maple, _district_id(maple), NOW, limit=100)
             if v.activity.key == "health-talk"]
    assert [v.session.starts_at for v in talks] == [dt.datetime(2030, 3, 5, 14, 0)]
    assert talks[0].free == 30


def test_filters_by_category_and_time_window(maple: Session) -> None:
    district = _district_id(maple)
    week = upcoming_sessions(maple, district, NOW, until=NOW + dt.timedelta(days=7))
    assert [v.session.starts_at.day for v in week] == [24, 26]
    assert upcoming_sessions(maple, district, NOW, category="talk")[0].activity.key == "health-talk"
    assert upcoming_sessions(maple, district, NOW, category="no-such-thing") == []


def test_meal_days_show_free_portions_and_cutoff(maple: Session) -> None:
    lunch = maple.scalars(select(MealService).where(MealService.key == "lunch")).one()
    days = meal_days(maple, lunch, NOW, days=7)
    assert [d.date.weekday() for d in days] == [0, 1, 2, 3, 4]
    assert days[0].orderable and days[0].free == 2
    late = meal_days(maple, lunch, NOW.replace(hour=10), days=1)
    assert late[0].orderable is False


def test_occurrences_between_dates() -> None:
    got = occurrences("FREQ=WEEKLY;BYDAY=MO", "18:05", dt.date(2026, 11, 23), dt.date(2026, 12, 7))
    assert got == [dt.datetime(2026, 11, 23, 18, 5), dt.datetime(2026, 11, 30, 18, 5),
                   dt.datetime(2026, 12, 7, 18, 5)]


def test_a_title_said_beats_a_shared_category() -> None:
    scams = _match_score("health talk", ["How to spot scams", "防诈骗讲座"], ("talk",))
    doctor = _match_score("health talk", ["Family doctor health talk", "家庭医生健康讲座"], ("talk",))
    assert doctor > scams
    assert _match_score("talk", ["How to spot scams"], ("talk",)) < 92  # a category alone never books


def test_a_title_inside_a_sentence_is_found(maple: Session) -> None:
    assert _match_score("我想报名院坝摆龙门阵", ["院坝摆龙门阵"]) >= 92
    found = find_activities(maple, _district_id(maple), "can you book me in for the tai chi please", min_score=92)
    assert [a.key for a in found] == ["taichi"]
