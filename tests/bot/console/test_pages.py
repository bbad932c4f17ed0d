"""The console's pages over HTTP (the browser tests, ``test_browser.py``, drive the same pages in
Chromium): the queue, a conversation's screen, the forms that act on it, and the live events'
stream, each only for the consultant's districts."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, select

from bot.console import stream
from bot.hub.app import create_app
from careline import clock
from careline.catalogue import say
from careline.cli_hub import server_options
from careline.secrets import secret
from careline.stack import free_port
from knowledge import db
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Consultant, Conversation, District, Elder, Handoff, Message, OutboxMessage
from knowledge.phones import display_phone
from tests.bot.console.conftest import Clock, Console, Desk, add_consultants, console_settings, form_token


@contextlib.contextmanager
def _signed_in(console: Console, username: str = "alice") -> Iterator[httpx.Client]:
    with console.client() as client:
        assert console.login(client, username).status_code == 303
        yield client


def _without_nonce(html: str) -> str:
    """A page without what differs between two answers anyway: its nonce, its own address."""
    return re.sub(r'/console/conversations/[^"?]*', "", re.sub(r'nonce="[^"]+"', "", html))


def test_the_queue_shows_emergencies_first_then_the_longest_waiting(console: Console, desk: Desk) -> None:
    older, _ = desk.waiting(channel="telegram")
    newer, _ = desk.waiting(channel="phone", language="en", elder="wang")
    emergency, _ = desk.waiting(channel="terminal", urgency=Urgency.EMERGENCY)
    elsewhere, _ = desk.waiting(district_id=desk.other_district())
    with _signed_in(console) as client:
        page = client.get("/console/", params={"lang": "en"})
    assert page.status_code == 200
    order = [int(n) for n in re.findall(r'<tr class="[^"]*" data-conversation="(\d+)"', page.text)]
    assert order == [emergency, older, newer], "another district's conversation is not shown"
    assert elsewhere not in order
    rows = page.text.split('data-conversation="')
    first = rows[1]
    assert 'data-emergency="1"' in first and "Terminal" in first and "Emergency" in first
    assert "Telegram" in rows[2] and "Phone" in rows[3] and "English" in rows[3]
    assert "想找工作人员" in rows[2] and "0 min" in rows[2] and "Maple Town" in rows[2]
    assert "王秀英 · Maple Town" in rows[3]
    assert f'action="/console/conversations/{older}/claim"' in page.text
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", policy).group(1)
    assert f'<script nonce="{nonce}">' in page.text and "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


def test_the_waiting_time_follows_the_clock(console: Console, desk: Desk) -> None:
    desk.waiting()
    console.clock.advance(minutes=75)
    with _signed_in(console) as client:
        assert "1 小时 15 分钟" in client.get("/console/queue").text


def test_claim_from_the_queue_then_the_second_consultant_is_told_who_has_it(console: Console, desk: Desk) -> None:
    conversation_id, _ = desk.waiting()
    with _signed_in(console, "alice") as alice, _signed_in(console, "maple-chen") as chen:
        alice_token, chen_token = form_token(alice.get("/console/").text), form_token(chen.get("/console/").text)
        won = alice.post(f"/console/conversations/{conversation_id}/claim", data={"csrf_token": alice_token})
        assert won.status_code == 303 and won.headers["location"] == f"/console/conversations/{conversation_id}"
        lost = chen.post(f"/console/conversations/{conversation_id}/claim", data={"csrf_token": chen_token},
                         params={"lang": "en"})
        assert lost.status_code == 409
        assert "Alice Wong has already taken this conversation." in lost.text
        assert "Alice Wong is handling this conversation." in lost.text
        bare = chen.post(f"/console/conversations/{conversation_id}/claim", headers={"Accept": "text/html"})
        assert bare.status_code == 403
        queue = chen.get("/console/queue").text
    assert 'id="taken"' in queue and "Alice Wong" in queue
    with console.sessions() as session:
        alice_id = session.scalar(select(Consultant.id).where(Consultant.username == "alice"))
        assert session.scalar(select(Handoff.consultant_id).where(Handoff.conversation_id == conversation_id)) \
            == alice_id


def test_reply_note_and_resolve_from_the_forms_and_everything_typed_stays_text(console: Console,
                                                                               desk: Desk) -> None:
    conversation_id, _ = desk.waiting(channel="telegram")
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        path = f"/console/conversations/{conversation_id}"
        assert client.post(f"{path}/claim", data={"csrf_token": token}).status_code == 303
        said = client.post(f"{path}/say", data={"csrf_token": token, "text": "<script>alert(1)</script> 您好"})
        assert said.status_code == 303
        assert client.post(f"{path}/note", data={"csrf_token": token, "text": "<b>call</b> her daughter"}) \
            .status_code == 303
        empty = client.post(f"{path}/say", data={"csrf_token": token, "text": "  "})
        assert empty.status_code == 422 and "请输入要发送的内容。" in empty.text
        screen = client.get(path)
        assert "&lt;script&gt;alert(1)&lt;/script&gt; 您好" in screen.text and "<script>alert" not in screen.text
        assert "&lt;b&gt;call&lt;/b&gt; her daughter" in screen.text and "内部备注（咨询人看不到）" in screen.text
        live = client.get(f"{path}/live").text
        assert "&lt;script&gt;alert(1)" in live and "<script>alert" not in live
        bad = client.post(f"{path}/resolve", data={"csrf_token": token, "outcome": "made-up"}, params={"lang": "en"})
        assert bad.status_code == 422 and "Please choose an outcome" in bad.text
        done = client.post(f"{path}/resolve", data={"csrf_token": token, "outcome": "answered"})
        assert done.status_code == 303
        assert "This conversation is resolved." in client.get(f"{path}/live").text  # the language is remembered
    with console.sessions() as session:
        sent = session.scalars(select(OutboxMessage).where(OutboxMessage.conversation_id == conversation_id)).all()
        assert [row.body["text"] for row in sent] == ["<script>alert(1)</script> 您好", say(
            "hub.satisfaction_buttons", "zh")], "the reply, then the rating question; never the note"
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert (handoff.status, handoff.outcome) == ("resolved", "answered")
        note = session.scalar(select(Message).where(Message.conversation_id == conversation_id,
                                                    Message.text.like("%her daughter")))
        assert note.sender == "note"
    local = clock.from_utc(note.created_at, console.settings.timezone)
    assert f'{note.created_at.isoformat()}Z">{local:%H:%M}</time>' in screen.text, "times in the districts' zone"
    assert local != note.created_at


def test_a_caller_who_hung_up_is_marked_to_be_called_back_or_leaves_the_queue(console: Console, desk: Desk) -> None:
    emergency, emergency_call = desk.waiting(channel="phone", urgency=Urgency.EMERGENCY)
    gone, gone_call = desk.waiting(channel="phone")
    taken, taken_call = desk.waiting(channel="phone", language="en")
    phone = {"Authorization": f"Bearer {secret('channel_phone', console.settings)}"}
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        assert client.post(f"/console/conversations/{taken}/claim", data={"csrf_token": token}).status_code == 303
        for call in (emergency_call, gone_call, taken_call):
            ended = httpx.post(f"{console.url}/api/calls/{call}/end", headers=phone, timeout=10,
                               json={"reason": "caller", "outcome": "handoff", "turns": 2})
            assert ended.status_code == 200, ended.text
        queue = client.get("/console/queue", params={"lang": "en"}).text
        rows = {int(n): row for n, row in re.findall(r'data-conversation="(\d+)"(.*?)</tr>', queue, re.S)}
        assert gone not in rows, "a caller who hung up while waiting is not waiting any more"
        assert 'data-hung-up="1"' in rows[emergency] and "The caller hung up: call them back" in rows[emergency]
        assert "The caller hung up: call them back" in rows[taken]
        assert "来电者已挂断，请回电" in client.get("/console/queue", params={"lang": "zh"}).text
        screen = client.get(f"/console/conversations/{emergency}", params={"lang": "en"}).text
        assert 'id="hung-up"' in screen and "The caller hung up: call them back" in screen
        mine = client.get(f"/console/conversations/{taken}/live", params={"lang": "en"}).text
        assert "You are handling this conversation." in mine and "The call has ended." in mine
        assert "通话已结束。" in client.get(f"/console/conversations/{taken}/live", params={"lang": "zh"}).text


def _waiting_call(console: Console, desk: Desk, caller: str, elder: str | None = None) -> tuple[int, str]:
    """A call that started through the phone line's door from ``caller`` and waits for a
    consultant of the fixture district; its conversation's id and name."""
    name = f"call-{uuid.uuid4().hex[:8]}"
    phone = {"Authorization": f"Bearer {secret('channel_phone', console.settings)}"}
    started = httpx.post(f"{console.url}/api/calls", headers=phone, timeout=10,
                         json={"conversation": name, "caller": caller})
    assert started.status_code == 200, started.text
    with db.transaction(console.sessions) as session:
        conversation = session.scalar(select(Conversation).where(Conversation.external_id == name))
        conversation.district_id = desk.district_id
        if elder is not None:
            conversation.elder_id = session.scalar(select(Elder.id).where(Elder.key == elder))
        open_handoff(session, conversation, Urgency.EMERGENCY, "emergency", "en", "")
        return conversation.id, name


def _end_call(console: Console, name: str) -> None:
    phone = {"Authorization": f"Bearer {secret('channel_phone', console.settings)}"}
    ended = httpx.post(f"{console.url}/api/calls/{name}/end", headers=phone, timeout=10,
                       json={"reason": "caller", "outcome": "emergency", "turns": 1})
    assert ended.status_code == 200, ended.text


def _consultant_lines(console: Console, conversation_id: int) -> int:
    with console.sessions() as session:
        return len(session.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                         Message.sender == "consultant")).all())


def test_a_call_shows_the_number_to_call_back_and_a_reply_after_it_ended_is_refused_with_it(
        console: Console, desk: Desk) -> None:
    conversation, name = _waiting_call(console, desk, "+1 (415) 555-0134")  # a caller nobody knows
    path = f"/console/conversations/{conversation}"
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        assert client.post(f"{path}/claim", data={"csrf_token": token}).status_code == 303
        live = client.get(path, params={"lang": "en"}).text
        assert 'href="tel:+14155550134"' in live and "+1 415-555-0134" in live and "On the line" in live
        said = client.post(f"{path}/say", data={"csrf_token": token, "text": "Help is on its way."})
        assert said.status_code == 303, "while the caller is on the line the reply goes to them"
        _end_call(console, name)
        refused = client.post(f"{path}/say", data={"csrf_token": token, "text": "Are you still there?"})
        assert refused.status_code == 409
        assert "hung up" in refused.text and "+1 415-555-0134" in refused.text
        assert "Are you still there?" in refused.text, "the consultant's words are kept in the box"
        zh = client.post(f"{path}/say", params={"lang": "zh"}, data={"csrf_token": token, "text": "喂"})
        assert "已挂断" in zh.text and "+1 415-555-0134" in zh.text
        ended = client.get(path, params={"lang": "en"}).text
        assert 'href="tel:+14155550134"' in ended and "Ended at" in ended
    assert _consultant_lines(console, conversation) == 1, "only the reply sent during the call is in the transcript"


def test_a_withheld_number_is_called_back_on_the_elders_own_or_said_to_be_unknown(console: Console,
                                                                                  desk: Desk) -> None:
    known, known_name = _waiting_call(console, desk, "", elder="wang")
    stranger, stranger_name = _waiting_call(console, desk, "")
    with console.sessions() as session:
        wang_phone = session.scalar(select(Elder.phone).where(Elder.key == "wang"))
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        for conversation, name in ((known, known_name), (stranger, stranger_name)):
            assert client.post(f"/console/conversations/{conversation}/claim",
                               data={"csrf_token": token}).status_code == 303
            _end_call(console, name)
        own = client.post(f"/console/conversations/{known}/say", params={"lang": "en"},
                          data={"csrf_token": token, "text": "hello"})
        assert own.status_code == 409 and display_phone(wang_phone) in own.text
        unknown = client.post(f"/console/conversations/{stranger}/say", params={"lang": "en"},
                              data={"csrf_token": token, "text": "hello"})
        assert unknown.status_code == 409 and "no number" in unknown.text
        assert 'id="call-back"' not in unknown.text
    assert _consultant_lines(console, known) == _consultant_lines(console, stranger) == 0


def test_another_districts_conversation_answers_like_a_missing_one(console: Console, desk: Desk) -> None:
    elsewhere, _ = desk.waiting(district_id=desk.other_district())
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        answers = {}
        for number in (elsewhere, 2_000_000_000, "abc", "99999999999999999999"):
            page = client.get(f"/console/conversations/{number}")
            live = client.get(f"/console/conversations/{number}/live")
            claimed = client.post(f"/console/conversations/{number}/claim", data={"csrf_token": token})
            assert (page.status_code, live.status_code, claimed.status_code) == (404, 404, 404), number
            answers[number] = _without_nonce(page.text)
        assert len(set(answers.values())) == 1 and "不属于您的区县" in answers[elsewhere]
    with console.sessions() as session:
        assert session.scalar(select(Handoff.status).where(Handoff.conversation_id == elsewhere)) == "waiting"


def _read_events(client: httpx.Client, found: list[dict], stop: threading.Event,
                 ready: threading.Event, **params: str) -> None:
    with contextlib.suppress(httpx.TransportError), \
            client.stream("GET", "/console/events", params=params, timeout=httpx.Timeout(30, read=30)) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kind = None
        for line in response.iter_lines():
            if line.startswith(":"):
                found.append({"comment": line})
                ready.set()
            elif line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                found.append({"kind": kind, **json.loads(line.removeprefix("data: "))})
            if stop.is_set():
                return


def _terminal(console: Console, conversation: str, text: str, district: str) -> httpx.Response:
    """A message through the terminal channel's API, as the terminal sends it."""
    token = secret("channel_terminal", console.settings)
    response = httpx.post(f"{console.url}/api/messages", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                          json={"conversation": conversation, "text": text, "language": "zh", "district_key": district})
    assert response.status_code == 200, response.text
    return response


def _conversation_id(console: Console, channel: str, external_id: str) -> int:
    with console.sessions() as session:
        return session.scalar(select(Conversation.id).where(Conversation.channel == channel,
                                                            Conversation.external_id == external_id))


def test_the_live_stream_carries_only_the_consultants_districts_and_a_heartbeat(
        console: Console, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.5)
    with desk.sessions() as session:
        other = session.get(District, desk.other_district()).key
    found: list[dict] = []
    stop, ready = threading.Event(), threading.Event()
    with _signed_in(console) as client:
        reader = threading.Thread(target=_read_events, args=(client, found, stop, ready), daemon=True)
        reader.start()
        assert ready.wait(20)
        _terminal(console, "far-away", "救命 我摔倒了", other)
        _terminal(console, "close-by", "救命 我摔倒了", "maple-town")
        mine = _conversation_id(console, "terminal", "close-by")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (
                any(e.get("kind") == "queue" for e in found)
                and sum("heartbeat" in e.get("comment", "") for e in found) >= 2):
            time.sleep(0.1)
        stop.set()
        reader.join(10)
    events = [e for e in found if "kind" in e]
    assert {e["conversation_id"] for e in events} == {mine}, events
    assert {"kind": "queue", "conversation_id": mine, "change": "handoff", "urgency": 9} in events
    assert ("message", "user") in [(e["kind"], e.get("sender")) for e in events]
    assert sum("heartbeat" in e.get("comment", "") for e in found) >= 2
    with console.client() as anonymous:
        assert anonymous.get("/console/events").status_code == 401


def test_a_live_stream_ends_by_itself_and_the_browser_is_told_to_come_back(
        console: Console, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "MAX_STREAM_SECONDS", 1.0)
    monkeypatch.setattr(stream, "HEARTBEAT_SECONDS", 0.3)
    with _signed_in(console) as client:
        started = time.monotonic()
        with client.stream("GET", "/console/events", timeout=httpx.Timeout(30, read=10)) as response:
            lines = list(response.iter_lines())
        took = time.monotonic() - started
    assert took < 5, took
    assert lines[0] == f"retry: {stream.RETRY_MS}" and ": heartbeat" in lines


def test_an_open_live_stream_does_not_hold_up_the_hubs_shutdown(maple_committing: Engine, tmp_path: Path) -> None:
    """Served the way ``careline hub`` serves it, a hub stops soon although a console is listening."""
    settings = console_settings(maple_committing, tmp_path, hub_bot_timeout=1.0, hub_host="127.0.0.1",
                                hub_port=free_port())
    add_consultants(maple_committing, settings)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), **server_options(settings)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    console = Console(f"http://127.0.0.1:{settings.hub_port}", settings, db.session_factory(maple_committing),
                      Clock(), server.config.app)
    found: list[dict] = []
    stop, ready = threading.Event(), threading.Event()
    with _signed_in(console) as client:
        reader = threading.Thread(target=_read_events, args=(client, found, stop, ready), daemon=True)
        reader.start()
        assert ready.wait(20)
        started = time.monotonic()
        server.should_exit = True
        thread.join(30)
        took = time.monotonic() - started
        stop.set()
    assert not thread.is_alive() and took < 12, took


def test_transfer_from_the_form_to_a_colleague_of_the_district(console: Console, desk: Desk) -> None:
    conversation_id, _ = desk.waiting()
    with console.sessions() as session:
        chen = session.scalar(select(Consultant.id).where(Consultant.username == "maple-chen"))
    path = f"/console/conversations/{conversation_id}"
    with _signed_in(console) as client:
        token = form_token(client.get("/console/").text)
        assert client.post(f"{path}/claim", data={"csrf_token": token}).status_code == 303
        screen = client.get(path).text
        assert re.search(rf'<option value="{chen}">', screen), "colleagues to transfer to"
        for wrong in ("", "abc", "2000000000"):
            refused = client.post(f"{path}/transfer", data={"csrf_token": token, "to": wrong})
            assert refused.status_code == 422 and "没有这位工作人员" in refused.text
        moved = client.post(f"{path}/transfer", data={"csrf_token": token, "to": str(chen)})
        assert moved.status_code == 303
        assert "正在处理这个对话" in client.get(f"{path}/live").text
    with console.sessions() as session:
        assert session.scalar(select(Handoff.consultant_id).where(Handoff.conversation_id == conversation_id)) == chen
