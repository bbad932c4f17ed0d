"""The dashboard's figures from known hand-offs, replies and ratings (both backends): waiting
now, the longest wait, and today's hand-offs handled, median time to the first reply and median
satisfaction, overall, per district and per consultant, each district's "today" being its own
local day (a hand-off closed before a district's midnight is yesterday's); and the page, only
for a signed-in consultant and only over their districts."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from bot.console import figures
from bot.console.dashboard import duration
from knowledge import db
from knowledge.actors import Actor, actor_for
from knowledge.models import Consultant, Conversation, District, Handoff, Message, Satisfaction
from tests.bot.console.conftest import Console, Desk

#: 00:30 on 11 March in Shanghai (maple-town), still 16:30 on 10 March in London
NOW = dt.datetime(2026, 3, 10, 16, 30)


def at(hour: int, minute: int, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute)


class Data:
    """Hand-offs with their replies and ratings, written as the service would have."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def district(self, key: str, zone: str, name: str) -> int:
        with db.transaction(self.desk.sessions) as session:
            maple = session.get(District, self.desk.district_id)
            row = District(key=key, kind=maple.kind, name={"zh": name, "en": name}, city=maple.city,
                           description=maple.description, timezone=zone, emergency_number="999",
                           emergency_advice={}, latitude=0.0, longitude=0.0, bundle_version="test")
            session.add(row)
            session.flush()
            return row.id

    def consultant(self, name: str, district_id: int) -> int:
        with db.transaction(self.desk.sessions) as session:
            row = Consultant(district_id=district_id, key=f"c-{uuid.uuid4().hex[:8]}", name=name,
                             username=f"u-{uuid.uuid4().hex[:8]}", languages=["zh"])
            session.add(row)
            session.flush()
            return row.id

    def handoff(self, district_id: int, created: dt.datetime, status: str = "waiting", consultant: int | None = None,
                closed: dt.datetime | None = None, replies: tuple[tuple[dt.datetime, int], ...] = (),
                rating: tuple[int, dt.datetime] | None = None) -> int:
        with db.transaction(self.desk.sessions) as session:
            conversation = Conversation(channel="terminal", external_id=f"d-{uuid.uuid4().hex[:8]}", language="zh",
                                        status="open" if status in ("waiting", "taken") else "resolved", priority=0,
                                        district_id=district_id, created_at=created)
            session.add(conversation)
            session.flush()
            handoff = Handoff(conversation_id=conversation.id, urgency=3, reason="requested", language="zh",
                              summary="", status=status, consultant_id=consultant, created_at=created,
                              closed_at=closed, outcome="answered" if status == "resolved" else None)
            session.add(handoff)
            session.add(Message(conversation_id=conversation.id, sender="user", text="转人工", language="zh",
                                meta={}, created_at=created))
            for when, who in replies:
                session.add(Message(conversation_id=conversation.id, sender="consultant", kind="consultant",
                                    text="您好", language="zh", meta={"consultant_id": who}, created_at=when))
            session.flush()
            if rating is not None:
                session.add(Satisfaction(conversation_id=conversation.id, handoff_id=handoff.id,
                                         consultant_id=consultant, district_id=district_id, channel="terminal",
                                         status="answered", rating=rating[0], answered_at=rating[1], asked_at=closed))
            return handoff.id


@pytest.fixture
def known(desk: Desk) -> dict[str, int]:
    """Two districts a midnight apart: maple-town (Shanghai, already 11 March) and a London one."""
    data = Data(desk)
    maple = desk.district_id
    london = data.district(f"london-{uuid.uuid4().hex[:4]}", "Europe/London", "Riverside")
    a, b, c = data.consultant("A 王芳", maple), data.consultant("B 李强", maple), data.consultant("C Clare", london)
    data.handoff(maple, at(16, 0), "resolved", a, at(16, 10), ((at(16, 2), a),), (5, at(16, 15)))
    data.handoff(maple, at(15, 0), "resolved", b, at(15, 50), ((at(15, 10), b),), (2, at(15, 55)))  # yesterday there
    data.handoff(maple, at(16, 5), "taken", b, None, ((at(16, 8), b),))
    data.handoff(maple, at(16, 20), "handed_back", a, at(16, 25), ((at(16, 21), a),))
    data.handoff(maple, at(16, 10), "resolved", b, at(16, 20), ((at(16, 14), b),), (4, at(16, 22)))
    data.handoff(maple, at(16, 0))  # waiting 30 minutes
    data.handoff(maple, at(16, 25))  # waiting 5 minutes
    data.handoff(london, at(15, 40), "resolved", c, at(15, 50), ((at(15, 41), c),), (3, at(15, 55)))  # today there
    data.handoff(london, at(23, 50, day=9), "resolved", c, at(23, 59, day=9), ((at(23, 51, day=9), c),),
                 (1, at(23, 59, day=9)))  # yesterday in London
    return {"maple": maple, "london": london, "a": a, "b": b, "c": c}


def board(desk: Desk, actor: Actor) -> figures.Dashboard:
    with desk.sessions() as session:
        return figures.dashboard(session, actor, "en", NOW)


def minutes(m: float) -> dt.timedelta:
    return dt.timedelta(minutes=m)


def by_key(rows: list[figures.Row]) -> dict[str, figures.Figures]:
    return {row.key: row.figures for row in rows}


def test_the_figures_of_an_administrator_cover_every_district_each_on_its_own_day(desk: Desk,
                                                                                  known: dict[str, int]) -> None:
    admin = desk.consultant("管理员", is_admin=True)
    result = board(desk, admin)
    assert result.overall == figures.Figures(waiting=2, longest_wait=minutes(30), handled_today=4,
                                             median_first_reply=minutes(2), median_rating=4, ratings=3)
    districts = {row.name: row.figures for row in result.districts}
    assert districts["Riverside"] == figures.Figures(0, None, 1, minutes(1), 3, 1)
    assert districts["Maple Town"] == figures.Figures(2, minutes(30), 3, minutes(2.5), 4.5, 2)
    consultants = {row.name: row.figures for row in result.consultants}
    assert consultants["A 王芳"] == figures.Figures(0, None, 2, minutes(1.5), 5, 1)
    assert consultants["B 李强"] == figures.Figures(0, None, 1, minutes(3.5), 4, 1)
    assert consultants["C Clare"] == figures.Figures(0, None, 1, minutes(1), 3, 1)


def test_a_consultant_sees_the_figures_of_their_districts_only(desk: Desk, known: dict[str, int]) -> None:
    with desk.sessions() as session:
        actor = actor_for(session, known["a"])
    result = board(desk, actor)
    assert [row.name for row in result.districts] == ["Maple Town"]
    assert result.overall == figures.Figures(2, minutes(30), 3, minutes(2.5), 4.5, 2)
    names = [row.name for row in result.consultants]
    assert "A 王芳" in names and "B 李强" in names and "C Clare" not in names


def test_today_follows_the_districts_clock_across_its_midnight(desk: Desk, known: dict[str, int]) -> None:
    """An hour earlier it is still 10 March in Shanghai: yesterday's hand-off there is today's."""
    admin = desk.consultant("管理员", is_admin=True)
    with desk.sessions() as session:
        earlier = figures.dashboard(session, admin, "en", NOW - dt.timedelta(hours=1))
    maple = {row.name: row.figures for row in earlier.districts}["Maple Town"]
    assert (maple.handled_today, maple.median_first_reply, maple.median_rating, maple.ratings) == \
        (1, minutes(10), 2, 1)


def test_durations_read_well_in_both_languages() -> None:
    assert duration(dt.timedelta(seconds=45), "zh") == "45 秒"
    assert duration(dt.timedelta(seconds=150), "en") == "2 min 30 s"
    assert duration(dt.timedelta(hours=1, minutes=5), "zh") == "1 小时 5 分"
    assert duration(None, "en") == "—"


def test_the_dashboard_page_needs_a_session_and_shows_only_the_consultants_districts(
        console: Console, desk: Desk) -> None:
    data = Data(desk)
    elsewhere = data.district(f"far-{uuid.uuid4().hex[:4]}", "Asia/Shanghai", "Faraway")
    data.handoff(elsewhere, dt.datetime.now(dt.UTC).replace(tzinfo=None) - minutes(10))
    with console.client() as client:
        refused = client.get("/console/dashboard")
        assert refused.status_code == 401 and "Faraway" not in refused.text
        assert client.get("/console/dashboard", headers={"Accept": "text/html"}).status_code == 401
        assert console.login(client, "alice").status_code == 303
        page = client.get("/console/dashboard", params={"lang": "en"})
    assert page.status_code == 200
    assert "<caption>By district</caption>" in page.text and '<th scope="row">Maple Town</th>' in page.text
    assert "Faraway" not in page.text and 'data-district="*"' in page.text
    assert re.search(r'<a href="/console/">Queue</a>', page.text)
    assert '<span aria-current="page">Dashboard</span>' in page.text
    with console.client() as client:
        assert console.login(client, "maple-chen").status_code == 303
        page = client.get("/console/dashboard", params={"lang": "zh"})
    assert '<th scope="row">Faraway</th>' in page.text and "<caption>按区县</caption>" in page.text
    overall = page.text.split('id="overall"')[1].split("</tr>")[0]
    assert re.search(r'data-figure="waiting">(\d+)<', overall).group(1) == "1"


def test_the_queue_links_to_the_dashboard(console: Console) -> None:
    with console.client() as client:
        assert console.login(client, "alice").status_code == 303
        page = client.get("/console/", params={"lang": "zh"})
    assert '<a href="/console/dashboard">统计</a>' in page.text


def test_a_rating_given_through_the_hub_counts_on_the_dashboard(desk: Desk) -> None:
    import asyncio

    from bot.hub.messages import Inbound

    actor = desk.consultant("王芳")
    conversation_id, name = desk.waiting(channel="cli")
    asyncio.run(desk.service.claim(conversation_id, actor))
    asyncio.run(desk.service.say(conversation_id, actor, "您好"))
    asyncio.run(desk.service.resolve(conversation_id, actor, "answered"))
    asyncio.run(desk.hub.pending("cli", name))
    asyncio.run(desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text="４")))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with desk.sessions() as session:
        result = figures.dashboard(session, actor, "zh", now)
        assert session.scalar(select(Satisfaction.rating).where(Satisfaction.conversation_id == conversation_id)) == 4
    mine = {row.name: row.figures for row in result.consultants}["王芳"]
    assert (mine.handled_today, mine.median_rating, mine.ratings) == (1, 4, 1)
    assert mine.median_first_reply is not None
