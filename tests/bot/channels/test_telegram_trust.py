"""Who the Telegram channel trusts: the webhook door, private chats only, edited messages, link
codes tried too often (counted in the database, shared by several hubs).

The real python-telegram-bot runs against the Bot API stand-in, with the hub and the fixture
district on SQLite and on PostgreSQL. No dialogue engine runs (none of these updates may reach
it), except in the one test marked ``dialogue``."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, func, select, update

from bot.channels.telegram.gateway import POLLING_LEASE
from bot.hub.app import create_app
from careline.settings import Settings
from careline.stack import Stack
from knowledge import db, leases, links
from knowledge.models import AccountElder, Booking, ChannelAccount, Elder, FamilyMember, LinkCode, Message
from tests.bot.conftest import LINK_KEY, RunningHub, elder_id, hub_settings, link_code
from tests.careline.test_cli import careline
from tests.standins.telegram_api import TelegramAPI, User

NO_ENGINE = "http://127.0.0.1:9"
FAMILY_ID = 700000321  # the bundle's wang-son, who is linked to wang and li without a code
WAIT = 20.0


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _settings(engine: Engine, api: TelegramAPI, tmp: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"database_url": _url(engine), "rasa_url": NO_ENGINE, "var_dir": tmp,
                              "outbox_max_backoff": 1.0, "language": "zh", "secrets": {"link_codes": LINK_KEY},
                              "telegram_token": api.token, "telegram_base_url": api.base_url,
                              "telegram_base_file_url": api.base_file_url}
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def district(maple_committing: Engine) -> Engine:
    """The fixture district (its own database), with wang-son's Telegram id in the bundle."""
    with db.transaction(db.session_factory(maple_committing)) as session:
        session.execute(update(FamilyMember).where(FamilyMember.key == "wang-son").values(telegram_user_id=FAMILY_ID))
    return maple_committing


@pytest.fixture
def telegram_api() -> Iterator[TelegramAPI]:
    with TelegramAPI() as api:
        yield api


@pytest.fixture
def polling_hub(district: Engine, telegram_api: TelegramAPI, tmp_path: Path) -> Iterator[RunningHub]:
    running = RunningHub(_settings(district, telegram_api, tmp_path))
    yield running
    running.stop()


def _accounts(engine: Engine) -> dict[str, str]:
    """external id → address of every Telegram account."""
    with db.session_factory(engine)() as session:
        return {external: address for external, address in
                session.execute(select(ChannelAccount.external_id, ChannelAccount.address))}


def _links(engine: Engine) -> int:
    with db.session_factory(engine)() as session:
        return session.scalar(select(func.count(AccountElder.id))) or 0


def _settle(api: TelegramAPI) -> None:
    """Every update was fetched by the gateway, and it had time to act on them."""
    api.wait_until(lambda: not api.pending_updates(), WAIT, "the updates fetched")
    time.sleep(1.5)


def _code(engine: Engine, key: str = "wang") -> str:
    with db.transaction(db.session_factory(engine)) as session:
        elder = session.scalar(select(Elder.id).where(Elder.key == key))
        return links.issue_code(session, elder, dt.timedelta(hours=1), key=LINK_KEY)


def _said(api: TelegramAPI, chat_id: int) -> str:
    return "\n".join(m.text or "" for m in api.sent(chat_id))


def _forged_message(user_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {"message_id": random.randint(1, 10**6), "date": int(time.time()), "text": text,
            "chat": {"id": chat_id, "type": "private", "first_name": "X"},
            "from": {"id": user_id, "is_bot": False, "first_name": "X", "language_code": "zh-hans"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}] if text.startswith("/start") else []}


# -- the webhook door ---------------------------------------------------------------------------


def test_polling_mode_has_no_webhook_route(district: Engine, telegram_api: TelegramAPI, tmp_path: Path) -> None:
    app = create_app(_settings(district, telegram_api, tmp_path))
    attacker = 555000111
    forged = {"update_id": 1, "message": _forged_message(FAMILY_ID, attacker, "/start")}
    with TestClient(app) as client:
        answer = client.post("/telegram/webhook", json=forged,
                             headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
        assert answer.status_code == 404
        assert client.post("/telegram/webhook", json=forged).status_code == 404
        time.sleep(1.5)
    assert str(FAMILY_ID) not in _accounts(district), "the family member's alerts were not moved"
    assert _links(district) == 0


def test_webhook_mode_refuses_to_start_without_a_secret(district: Engine, telegram_api: TelegramAPI,
                                                        tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        _settings(district, telegram_api, tmp_path, telegram_mode="webhook",
                  telegram_webhook_url="http://127.0.0.1:9/telegram/webhook")
    assert "CARELINE_TELEGRAM_WEBHOOK_SECRET" in str(refused.value) and "密钥" in str(refused.value)
    done = careline("hub", "--lang", "en", env={"CARELINE_DATABASE_URL": _url(district),
                                                "CARELINE_TELEGRAM_TOKEN": telegram_api.token,
                                                "CARELINE_TELEGRAM_MODE": "webhook",
                                                "CARELINE_TELEGRAM_WEBHOOK_SECRET": ""}, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "webhook mode needs CARELINE_TELEGRAM_WEBHOOK_SECRET" in done.stderr and "必须设置密钥" in done.stderr
    assert not telegram_api.attempts("setWebhook"), "nothing was started"


def test_the_webhook_refuses_updates_without_the_secret(district: Engine, telegram_api: TelegramAPI,
                                                        tmp_path: Path) -> None:
    secret = "s3cret-for-the-webhook_0123456789"
    settings = _settings(district, telegram_api, tmp_path, telegram_mode="webhook", telegram_webhook_secret=secret,
                         telegram_webhook_url="http://127.0.0.1:9/telegram/webhook")
    attacker = 555000222
    telegram_api.user(FAMILY_ID, "Wei", "zh-hans")
    forged = {"update_id": 7, "message": _forged_message(FAMILY_ID, attacker, "/start")}
    with TestClient(create_app(settings)) as client:
        assert [c.params.get("secret_token") for c in telegram_api.deliveries("setWebhook")] == [secret]
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": ""},
                        {"X-Telegram-Bot-Api-Secret-Token": secret[:-1]},
                        {"X-Telegram-Bot-Api-Secret-Token": secret + "x"}):
            assert client.post("/telegram/webhook", json=forged, headers=headers).status_code == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": secret}
        assert client.post("/telegram/webhook", content=b"{not json", headers=right).status_code == 400
        assert client.post("/telegram/webhook", json=[1, 2], headers=right).status_code == 422
        time.sleep(1.5)
        assert _accounts(district) == {} and _links(district) == 0, "nothing changed"
        own = {"update_id": 8, "message": _forged_message(FAMILY_ID, FAMILY_ID, "/start")}
        assert client.post("/telegram/webhook", json=own, headers=right).status_code == 200
        telegram_api.wait_until(lambda: "王秀英" in _said(telegram_api, FAMILY_ID), WAIT, "the welcome back")
    assert _accounts(district) == {str(FAMILY_ID): str(FAMILY_ID)}


# -- private chats, the chat of the user, new messages only ---------------------------------------


def test_a_group_chat_is_never_linked_nor_answered(polling_hub: RunningHub, district: Engine,
                                                   telegram_api: TelegramAPI) -> None:
    api = telegram_api
    son = api.user(FAMILY_ID, "Wei", "zh-hans")
    group = api.group(-100200300, "Family")
    code = _code(district, "smith")
    api.send_command(son, "/start", chat=group)
    api.send_command(son, "/link", code, chat=group)
    api.send_text(son, "我妈明天有什么活动", chat=group)
    _settle(api)
    assert api.sent(group.id) == [], "nothing is said in a group"
    assert _accounts(district) == {} and _links(district) == 0
    with db.session_factory(district)() as session:
        assert session.scalar(select(LinkCode.used_at).where(LinkCode.code_hash == links.code_hash(code, LINK_KEY))) \
            is None, "the code still works"
    api.send_command(son, "/start")
    api.wait_until(lambda: "王秀英" in _said(api, son.id), WAIT, "the welcome back in private")
    assert _accounts(district) == {str(FAMILY_ID): str(FAMILY_ID)}


def test_an_update_pairing_a_user_with_another_chat_moves_no_alerts(polling_hub: RunningHub, district: Engine,
                                                                    telegram_api: TelegramAPI) -> None:
    api = telegram_api
    son = api.user(FAMILY_ID, "Wei", "zh-hans")
    api.send_command(son, "/start")
    api.wait_until(lambda: "王秀英" in _said(api, son.id), WAIT, "the welcome back")
    stranger = api.user(555000333, "Eve", "en")
    api.push_update({"message": _forged_message(FAMILY_ID, stranger.id, "/start")})
    _settle(api)
    assert _accounts(district)[str(FAMILY_ID)] == str(FAMILY_ID)
    assert api.sent(stranger.id) == []


def test_an_edited_link_command_tries_no_code(polling_hub: RunningHub, district: Engine,
                                              telegram_api: TelegramAPI) -> None:
    api = telegram_api
    user = api.user(random.randint(10**8, 10**9), "Ming", "zh-hans")
    sent = api.send_text(user, "/help")
    api.wait_until(lambda: "/link" in _said(api, user.id), WAIT, "the help")
    code = _code(district)
    edited = {**sent.to_dict(), "text": f"/link {code}", "edit_date": int(time.time()),
              "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}
    api.push_update({"edited_message": edited})
    _settle(api)
    assert "绑定成功" not in _said(api, user.id)
    with db.session_factory(district)() as session:
        assert session.scalar(select(func.count(AccountElder.id))) == 0
        assert session.scalar(select(func.count(Message.id)).where(Message.text.contains(code))) == 0


# -- link codes tried too often -------------------------------------------------------------------


def _wrong(code: str) -> str:
    return "/link 000000" if code != "000000" else "/link 000001"


def test_wrong_codes_are_counted_across_hubs_per_account_and_overall(
        district: Engine, tmp_path: Path) -> None:
    """Two hubs on one database and one bot: one polls at a time, so the first handles the
    first wrong codes, then stops, and the second, taking over, must still count them (a count in
    one process's memory would start again from nothing)."""
    limits = {"link_attempts_per_account": 3, "link_attempts_overall": 5}
    with TelegramAPI() as api:

        def person(name: str) -> User:
            return api.user(random.randint(10**8, 10**9), name, "en")

        def wait(user: User, fragment: str, count: int) -> None:
            api.wait_until(lambda: sum((m.text or "").count(fragment) for m in api.sent(user.id)) >= count,
                           WAIT, f"{fragment!r} x{count}")

        first = RunningHub(_settings(district, api, tmp_path / "one", **limits))
        second = RunningHub(_settings(district, api, tmp_path / "two", **limits))
        running = [first, second]
        try:
            code = _code(district, "smith")
            guesser = person("Mallory")
            for n in range(2):
                api.send_text(guesser, _wrong(code))
                wait(guesser, "isn't right", n + 1)
            running.remove(first)
            first.stop()  # the second hub takes over polling
            api.send_text(guesser, _wrong(code))
            wait(guesser, "isn't right", 3)
            api.send_text(guesser, f"/link {code}")
            wait(guesser, "Too many tries", 1)
            assert not any("Linked" in (m.text or "") for m in api.sent(guesser.id))
            for _ in range(2):
                other = person("Oscar")
                api.send_text(other, _wrong(code))
                wait(other, "isn't right", 1)
            late = person("Ann")
            api.send_text(late, f"/link {code}")
            wait(late, "Too many tries", 1)
        finally:
            for hub in running:
                hub.stop()
    assert _links(district) == 0


def test_a_renewal_still_on_its_way_when_a_hub_stops_does_not_keep_the_lease(
        district: Engine, telegram_api: TelegramAPI, tmp_path: Path) -> None:
    """A stopping hub cancels its polling task, but not the thread renewing its lease: a renewal
    that lands after the release would make the next hub wait a whole lease (60 s)."""
    running = RunningHub(_settings(district, telegram_api, tmp_path))
    try:
        gateway = running.runtime.telegram
        telegram_api.wait_until(lambda: gateway.polling, WAIT, "polling")
        gateway._release_polling_lease()  # what stop() does …
        assert gateway._hold_polling_lease() is False  # … and then the late renewal
        with db.transaction(db.session_factory(district)) as session:
            assert leases.hold(session, POLLING_LEASE, "the-next-hub", dt.timedelta(seconds=60))
    finally:
        running.stop()


# -- an edited "yes" books nothing (the real dialogue engine) ---------------------------------------


@pytest.mark.dialogue
def test_an_edited_yes_books_nothing(servers: Stack, telegram_api: TelegramAPI, tmp_path: Path) -> None:
    api = telegram_api
    running = RunningHub(hub_settings(servers, tmp_path, telegram_token=api.token, telegram_base_url=api.base_url,
                                      telegram_base_file_url=api.base_file_url))
    try:
        user = api.user(random.randint(10**8, 10**9), "Ming", "zh-hans")
        api.send_text(user, f"/link {link_code(servers, 'li')}")
        api.wait_until(lambda: "绑定成功" in _said(api, user.id), 60, "linked")
        api.send_text(user, "我妈想请人上门理发")
        api.wait_until(lambda: "几点" in _said(api, user.id), 60, "asked when")
        when = api.send_text(user, "下周三上午十点")
        [offer] = api.wait_for(user.id, 1, 60, lambda m: bool(m.buttons))
        sessions = db.session_factory(db.make_engine(servers.database_url))

        def bookings() -> int:
            with sessions() as session:
                return session.scalar(select(func.count(Booking.id)).where(
                    Booking.elder_id == elder_id(servers, "li"), Booking.created_via == "telegram")) or 0

        before, replies = bookings(), len(api.sent(user.id))
        api.push_update({"edited_message": {**when.to_dict(), "text": "是", "edit_date": int(time.time())}})
        _settle(api)
        time.sleep(3)
        assert bookings() == before
        assert len(api.sent(user.id)) == replies, "an edit gets no answer"
        assert offer.buttons, "the offer still stands"
    finally:
        running.stop()
