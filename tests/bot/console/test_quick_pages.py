"""The quick actions' and canned replies' pages over HTTP (``test_browser.py`` drives them in
Chromium): a read-back that books nothing, a confirmation that needs the CSRF token, refusals in
plain words, and a consultant of another district who cannot reach anything by changing ids."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import httpx
from sqlalchemy import select

from knowledge import accounts, db
from knowledge.models import Booking, CannedReply, District, Elder
from tests.bot.console.conftest import PASSWORD, Console, Desk, form_token
from tests.security.test_routes import doors

NEW_DOORS = {("GET", "/console/conversations/conversation_id/book"),
             ("POST", "/console/conversations/conversation_id/book"),
             ("GET", "/console/conversations/conversation_id/cancel"),
             ("POST", "/console/conversations/conversation_id/cancel"),
             ("GET", "/console/conversations/conversation_id/policy"),
             ("POST", "/console/conversations/conversation_id/policy"),
             ("GET", "/console/replies"), ("POST", "/console/replies"), ("GET", "/console/replies/reply_id"),
             ("POST", "/console/replies/reply_id"), ("POST", "/console/replies/reply_id/delete")}


@contextlib.contextmanager
def _signed_in(console: Console, username: str = "alice") -> Iterator[tuple[httpx.Client, str]]:
    with console.client() as client:
        assert console.login(client, username).status_code == 303
        yield client, form_token(client.get("/console/").text)


def _outsider(console: Console, desk: Desk) -> str:
    """A consultant with a console account for another district only."""
    other = desk.other_district()
    with db.transaction(console.sessions) as session:
        key = session.get(District, other).key
        hasher = accounts.password_hasher(console.settings.console_password_time_cost,
                                          console.settings.console_password_memory_kib)
        accounts.add(session, hasher, "outsider", PASSWORD, [key])
    return "outsider"


def _bookings(console: Console) -> list[tuple[str, str]]:
    with console.sessions() as session:
        return [(b.kind, b.status) for b in session.scalars(
            select(Booking).join(Elder).where(Elder.key == "wang").order_by(Booking.id))]


def test_the_new_doors_are_walked_by_the_route_checks(console: Console) -> None:
    """tests/security/test_routes.py (no session) and test_csrf_everywhere.py (no token) walk
    every route the app serves; these are among them."""
    assert {(d.method, d.path) for d in doors(console.app.routes)} >= NEW_DOORS
    with console.client() as client:
        for method, path in NEW_DOORS:
            assert client.request(method, path.replace("conversation_id", "1").replace("reply_id", "1"),
                                  headers={"Accept": "text/html"}).status_code == 401


def test_book_from_a_read_back_only_the_confirmation_writes(console: Console, desk: Desk) -> None:
    conversation_id, _ = desk.waiting(elder="wang")
    path = f"/console/conversations/{conversation_id}"
    with _signed_in(console) as (client, token):
        assert client.post(f"{path}/claim", data={"csrf_token": token}).status_code == 303
        screen = client.get(path).text
        assert f'href="{path}/book"' in screen and f'href="{path}/policy"' in screen
        choices = client.get(f"{path}/book")
        assert choices.status_code == 200 and "替王秀英预约" in choices.text and "老年午餐" in choices.text
        choice = re.search(r'data-choice="(meal:\d+:[\d-]+:pickup)"', choices.text).group(1)
        read_back = client.get(f"{path}/book", params={"choice": choice})
        assert read_back.status_code == 200 and "请核对，确认后才会预约" in read_back.text
        for shown in ("老年午餐", "12元（有补贴的老人6元）", "王秀英"):
            assert shown in read_back.text
        assert _bookings(console) == [], "reading back books nothing"
        assert client.post(f"{path}/book", data={"choice": choice}).status_code == 403, "no CSRF token"
        assert _bookings(console) == []
        done = client.post(f"{path}/book", data={"choice": choice, "csrf_token": token})
        assert done.status_code == 303 and done.headers["location"] == path
        assert _bookings(console) == [("meal", "active")]
        twice = client.post(f"{path}/book", data={"choice": choice, "csrf_token": token}, params={"lang": "en"})
        assert twice.status_code == 409 and "王秀英 is already booked for this; nothing was booked twice." in twice.text
        told = client.get(f"{path}/book", params={"choice": choice, "lang": "zh"}).text
        assert "现在不能预约：王秀英已经预约过这一项了" in told and 'id="confirm"' not in told
        assert client.get(f"{path}/book", params={"choice": "meal:x"}).status_code == 422
        assert _bookings(console) == [("meal", "active")]

        listed = client.get(f"{path}/cancel").text
        booking_id = re.search(r'data-booking="(\d+)"', listed).group(1)
        check = client.get(f"{path}/cancel", params={"booking": booking_id}).text
        assert "请核对，确认后才会取消" in check and "老年午餐" in check
        assert _bookings(console) == [("meal", "active")]
        assert client.post(f"{path}/cancel", data={"booking": booking_id, "csrf_token": token}).status_code == 303
        assert _bookings(console) == [("meal", "cancelled")]

        policies = client.get(f"{path}/policy").text
        policy_id = re.search(r'<option value="(\d+)"[^>]*>高龄津贴', policies).group(1)
        preview = client.get(f"{path}/policy", params={"policy": policy_id}).text
        assert "将发给咨询人的内容（中文）" in preview and "高龄津贴：" in preview
        assert client.post(f"{path}/policy", data={"policy": policy_id, "csrf_token": token}).status_code == 303
        assert "高龄津贴：" in client.get(f"{path}/live").text


def test_a_consultant_of_another_district_reaches_nothing_by_changing_ids(console: Console, desk: Desk) -> None:
    conversation_id, _ = desk.waiting(elder="wang")
    path = f"/console/conversations/{conversation_id}"
    with console.sessions() as session:
        reply = session.scalar(select(CannedReply).where(CannedReply.language == "zh").limit(1))
        reply_id, reply_title = reply.id, reply.title
    with _signed_in(console, _outsider(console, desk)) as (client, token):
        for page in (f"{path}/book", f"{path}/cancel", f"{path}/policy", f"{path}?reply={reply_id}",
                     f"{path}/book?choice=activity:1", f"{path}/cancel?booking=1", f"{path}/policy?policy=1"):
            assert client.get(page).status_code == 404, page
        for action, data in (("book", {"choice": "activity:1"}), ("cancel", {"booking": "1"}),
                             ("policy", {"policy": "1"})):
            assert client.post(f"{path}/{action}", data={**data, "csrf_token": token}).status_code == 404
        assert client.get(f"/console/replies/{reply_id}").status_code == 404
        assert client.post(f"/console/replies/{reply_id}", data={"csrf_token": token, "title": "x", "text": "y",
                                                                  "language": "zh", "district": "1"}).status_code == 404
        assert client.post(f"/console/replies/{reply_id}/delete", data={"csrf_token": token}).status_code == 404
        listing = client.get("/console/replies").text
        assert reply_title not in listing
        maple = str(desk.district_id)
        added = client.post("/console/replies", data={"csrf_token": token, "district": maple, "language": "zh",
                                                      "title": "越权", "text": "越权"})
        assert added.status_code == 422 and "请选择您负责的一个区县。" in added.text
    with console.sessions() as session:
        assert session.get(CannedReply, reply_id).title == reply_title
        assert session.scalar(select(CannedReply).where(CannedReply.title == "越权")) is None
    assert _bookings(console) == []


def test_canned_replies_are_kept_in_the_console_and_fill_the_reply_box_as_text(console: Console,
                                                                                desk: Desk) -> None:
    conversation_id, _ = desk.waiting(elder="wang")
    with _signed_in(console) as (client, token):
        page = client.get("/console/replies")
        assert page.status_code == 200 and "问候" in page.text and "区县数据包" in page.text
        added = client.post("/console/replies", data={"csrf_token": token, "district": str(desk.district_id),
                                                      "language": "zh", "title": "<i>地址</i>",
                                                      "text": "<script>window.pwned=1</script>中心在镇上"})
        assert added.status_code == 303
        listing = client.get("/console/replies").text
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;中心在镇上" in listing and "<script>window" not in listing
        reply_id = re.search(r'data-reply="(\d+)">\s*<td[^>]*>&lt;i&gt;地址', listing).group(1)
        screen = client.get(f"/console/conversations/{conversation_id}", params={"reply": reply_id}).text
        assert ">&lt;script&gt;window.pwned=1&lt;/script&gt;中心在镇上</textarea>" in screen
        assert "&lt;i&gt;地址&lt;/i&gt;" in screen
        edited = client.post(f"/console/replies/{reply_id}", data={
            "csrf_token": token, "district": str(desk.district_id), "language": "en", "title": "Address",
            "text": "The centre is in town."})
        assert edited.status_code == 303
        missing = client.get(f"/console/conversations/{conversation_id}", params={"reply": reply_id})
        assert missing.status_code == 404, "an English reply is not offered in a Mandarin conversation"
        empty = client.post(f"/console/replies/{reply_id}", data={
            "csrf_token": token, "district": str(desk.district_id), "language": "en", "title": " ", "text": "x"})
        assert empty.status_code == 422 and "标题和内容都要填写。" in empty.text
        assert client.post(f"/console/replies/{reply_id}/delete", data={"csrf_token": token}).status_code == 303
        assert f'data-reply="{reply_id}"' not in client.get("/console/replies").text
    assert [e.action for e in console.audit() if e.action.startswith("reply_")] == \
        ["reply_add", "reply_edit", "reply_delete"]
