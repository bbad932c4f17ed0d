"""The console in a real browser (Debian's Chromium through Playwright): signing in, the queue
updating itself when an emergency arrives through the terminal channel, two consultants racing
to claim, the conversation's screen, a reply reaching the person's channel, hand back, resolve,
the satisfaction question answered on Telegram (a button) and in the terminal (a digit) showing
on the dashboard, and what a person typed staying text. The hub runs without the dialogue engine (its holding
reply is enough here; ``test_hand_back.py`` hands back to the real engine)."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import Engine, select

from bot.console.security import ConsoleAuth
from bot.hub.app import create_app
from careline.secrets import LINK_CODES, secret
from knowledge import db, links
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Consultant, Conversation, District, Elder, Handoff
from tests.bot.console.conftest import PASSWORD, Clock, Console, Desk, add_consultants, console_settings
from tests.bot.hub.conftest import serve
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def backend() -> str:
    """One backend is enough in the browser: the service's tests run the race on both."""
    return "sqlite"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, console: Console) -> Iterator[Callable[..., Page]]:
    """Pages in their own browser contexts (their own cookies), closed before the hub stops."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        context = browser.new_context(viewport=VIEWPORT, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


#: counts the tones the page starts through the Web Audio API
TONE_COUNTER = """
window.tonesPlayed = 0;
const Original = window.AudioContext;
window.AudioContext = class extends Original {
  createOscillator() {
    const oscillator = super.createOscillator();
    const start = oscillator.start.bind(oscillator);
    oscillator.start = (...when) => { window.tonesPlayed += 1; return start(...when); };
    return oscillator;
  }
};
"""


def sign_in(page: Page, console: Console, username: str = "alice") -> None:
    page.goto(f"{console.url}/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{console.url}/console/")
    live(page)


def live(page: Page) -> None:
    """Wait until the page's live updates are connected (and its first refresh is in)."""
    page.wait_for_selector("body[data-live=ready]", state="attached")


def terminal(console: Console, conversation: str, text: str) -> int:
    """A message from the terminal channel, as the terminal sends it; the conversation's id."""
    token = secret("channel_terminal", console.settings)
    response = httpx.post(f"{console.url}/api/messages", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                          json={"conversation": conversation, "text": text, "language": "zh",
                                "district_key": "maple-town"})
    assert response.status_code == 200, response.text
    with console.sessions() as session:
        return session.scalar(select(Conversation.id).where(Conversation.channel == "terminal",
                                                            Conversation.external_id == conversation))


def pending(console: Console, conversation: str) -> list[str]:
    token = secret("channel_terminal", console.settings)
    response = httpx.get(f"{console.url}/api/conversations/{conversation}/pending",
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return [reply["text"] for reply in response.json()["replies"]]


def queue_order(page: Page) -> list[int]:
    return [int(n) for n in page.locator("#queue tbody tr[data-conversation]").evaluate_all(
        "rows => rows.map(row => row.dataset.conversation)")]


def test_sign_in_then_an_emergency_comes_to_the_top_of_the_open_queue_without_reload(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:
    waiting, _ = desk.waiting()
    page = new_page()
    page.add_init_script(TONE_COUNTER)
    sign_in(page, console)
    expect(page.locator("#signed-in")).to_contain_text("Alice Wong")
    assert queue_order(page) == [waiting]
    expect(page.locator("#emergency-alert")).to_be_hidden()
    page.evaluate("window.notReloaded = true")
    live(page)

    emergency = terminal(console, "fall-1", "救命 我摔倒了")

    page.wait_for_function(f"() => document.querySelector('#queue tbody tr')?.dataset.conversation === '{emergency}'")
    assert queue_order(page) == [emergency, waiting]
    first = page.locator("#queue tbody tr").first
    expect(first).to_have_class(re.compile(r"\bemergency\b"))
    expect(first).to_contain_text("紧急情况")
    expect(first).to_contain_text("终端")
    expect(first).to_contain_text("救命 我摔倒了")
    expect(page.locator("#emergency-alert")).to_be_visible()
    expect(page.locator("#emergency-alert")).to_contain_text("紧急")
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_function("() => window.tonesPlayed === 1")


def test_two_consultants_race_to_claim_one_gets_it_the_other_sees_who(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:
    conversation_id, _ = desk.waiting()
    alice, chen = new_page(), new_page()
    sign_in(alice, console, "alice")
    sign_in(chen, console, "maple-chen")
    for page in (alice, chen):  # both have the conversation open, its claim button in front of them
        page.goto(f"{console.url}/console/conversations/{conversation_id}")
        live(page)
        expect(page.locator("#status-line")).to_have_text("正在等工作人员接手。")
    alice.get_by_role("button", name="接手", exact=True).click()
    chen.get_by_role("button", name="接手", exact=True).click()
    for page in (alice, chen):
        expect(page.locator("#status-line")).not_to_have_text("正在等工作人员接手。")
    with console.sessions() as session:
        holder = session.scalar(select(Consultant).join(Handoff, Handoff.consultant_id == Consultant.id)
                                .where(Handoff.conversation_id == conversation_id, Handoff.status == "taken"))
        assert holder is not None and holder.username in ("alice", "maple-chen")
        name = holder.name
    winner, loser = (alice, chen) if holder.username == "alice" else (chen, alice)
    expect(winner.locator("#status-line")).to_have_text("您正在处理这个对话。")
    expect(loser.locator("#refusal")).to_have_text(f"{name}已经接手了这个对话。")
    expect(loser.locator("#status-line")).to_have_text(f"{name}正在处理这个对话。")


def test_the_conversation_page_reply_reaches_the_terminal_and_hand_back_works(
        console: Console, new_page: Callable[..., Page]) -> None:
    conversation_id = terminal(console, "fall-2", "救命 我摔倒了")
    page = new_page()
    sign_in(page, console)
    page.get_by_role("button", name=f"接手对话 {conversation_id}").click()
    expect(page.locator("#status-line")).to_have_text("您正在处理这个对话。")
    transcript = page.locator("#transcript")
    expect(transcript).to_contain_text("救命 我摔倒了")
    live(page)
    page.evaluate("window.notReloaded = true")

    terminal(console, "fall-2", "<script>window.pwned = 1</script>我在厨房")  # the person again, live
    expect(transcript.locator("li.user").last).to_have_text(re.compile(r"<script>window\.pwned = 1</script>我在厨房"))
    assert page.evaluate("window.notReloaded") is True and page.evaluate("window.pwned") is None

    page.get_by_label("回复咨询人").fill("<b>别动</b>，我们马上到")
    page.get_by_role("button", name="发送").click()
    expect(transcript.locator("li.consultant").last).to_have_text(re.compile(r"<b>别动</b>，我们马上到"))
    assert pending(console, "fall-2") == ["<b>别动</b>，我们马上到"]

    page.get_by_label("内部备注").fill("她女儿的电话在资料里")
    page.get_by_role("button", name="添加备注").click()
    expect(transcript.locator("li.note").last).to_contain_text("内部备注（咨询人看不到）")
    assert pending(console, "fall-2") == [], "a note never reaches the person"

    page.get_by_role("button", name="交回机器人").click()
    expect(page.locator("#status-line")).to_have_text("机器人正在处理这个对话。")
    told = pending(console, "fall-2")
    assert len(told) == 1 and told[0], "the person is told the bot has the conversation again"
    with console.sessions() as session:
        assert session.scalar(select(Handoff.status).where(Handoff.conversation_id == conversation_id)) \
            == "handed_back"


def test_resolve_from_the_page_with_an_outcome_in_english(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:
    conversation_id, _ = desk.waiting(channel="telegram", language="en")
    page = new_page()
    sign_in(page, console)
    page.get_by_role("link", name="English").click()
    expect(page.locator("#queue caption")).to_have_text("Waiting conversations")  # in the table, for screen readers
    live(page)
    page.get_by_role("button", name=f"Take conversation {conversation_id}").click()
    expect(page.locator("#status-line")).to_have_text("You are handling this conversation.")
    page.get_by_label("Outcome").select_option(label="Referred")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#status-line")).to_have_text("This conversation is resolved.")
    with console.sessions() as session:
        handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id))
        assert (handoff.status, handoff.outcome) == ("resolved", "referred")
    page.goto(f"{console.url}/console/")
    expect(page.locator("#queue-empty")).to_have_text("No conversation is waiting now.")


@pytest.fixture
def telegram_console(maple_committing: Engine, tmp_path: Path, telegram_api: TelegramAPI) -> Iterator[Console]:
    """The console on a hub that serves Telegram (the stand-in, long polling)."""
    settings = console_settings(maple_committing, tmp_path, telegram_token=telegram_api.token,
                                telegram_base_url=telegram_api.base_url,
                                telegram_base_file_url=telegram_api.base_file_url, outbox_max_backoff=1.0)
    add_consultants(maple_committing, settings)
    app = create_app(settings)
    clock = Clock()
    app.state.console = ConsoleAuth(settings, now=clock)
    with serve(app) as url:
        yield Console(url, settings, db.session_factory(maple_committing), clock, app)


def test_a_reply_typed_in_the_page_reaches_the_person_on_telegram(
        telegram_console: Console, telegram_api: TelegramAPI, browser: Browser) -> None:
    console = telegram_console
    user = telegram_api.user(random.randint(10**8, 10**9), "Mei", "zh-hans")
    with db.transaction(console.sessions) as session:
        district_id = session.scalar(select(District.id).where(District.key == "maple-town"))
        conversation = Conversation(channel="telegram", external_id=str(user.id), language="zh", status="pending",
                                    priority=0, district_id=district_id)
        session.add(conversation)
        session.flush()
        open_handoff(session, conversation, Urgency.REQUESTED, "requested", "zh", "想找工作人员")
        conversation_id = conversation.id
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, console)
        page.get_by_role("button", name=f"接手对话 {conversation_id}").click()
        expect(page.locator("#status-line")).to_have_text("您正在处理这个对话。")
        page.get_by_label("回复咨询人").fill("王阿姨，我是社区的 Alice <您好>")
        page.get_by_role("button", name="发送").click()
        expect(page.locator("#transcript li.consultant")).to_have_count(1)
        [reply] = telegram_api.wait_for(user.id, 1, 30, since=0)
        assert "王阿姨，我是社区的 Alice <您好>" in reply.text
    finally:
        context.close()


def test_the_console_works_from_the_keyboard(console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:
    conversation_id, _ = desk.waiting()
    page = new_page()
    page.goto(f"{console.url}/console/login")
    expect(page.get_by_label("用户名")).to_be_focused()  # autofocus
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{console.url}/console/")
    live(page)
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == f"接手对话 {conversation_id}":
            break
    else:
        pytest.fail("the claim button is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#status-line")).to_have_text("您正在处理这个对话。")
    page.get_by_label("回复咨询人").focus()
    page.keyboard.type("您好")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "send"


def resolve_in_page(page: Page, console: Console, conversation_id: int) -> None:
    page.goto(f"{console.url}/console/conversations/{conversation_id}")
    live(page)
    page.get_by_role("button", name="接手", exact=True).click()
    expect(page.locator("#status-line")).to_have_text("您正在处理这个对话。")
    page.get_by_label("回复咨询人").fill("已经帮您联系了社区医生，他马上到。")
    page.get_by_role("button", name="发送").click()
    page.get_by_label("结果").select_option(label="紧急情况已处理")
    page.get_by_role("button", name="结束对话").click()
    expect(page.locator("#status-line")).to_have_text("这个对话已经结束。")


def dashboard_shows(page: Page, console: Console, consultant: str, rating: str, ratings: str = "1") -> None:
    page.get_by_role("link", name="统计").click()
    expect(page).to_have_url(f"{console.url}/console/dashboard")
    row = page.locator("#by-consultant tr", has=page.get_by_role("rowheader", name=consultant))
    expect(row.locator("[data-figure=satisfaction]")).to_have_text(rating)
    expect(row.locator("[data-figure=ratings]")).to_have_text(ratings)
    expect(page.locator("#overall [data-figure=handled]")).to_have_text("1")


def test_resolve_a_telegram_conversation_the_rating_button_pressed_in_telegram_shows_on_the_dashboard(
        telegram_console: Console, telegram_api: TelegramAPI, browser: Browser) -> None:
    console = telegram_console
    user = telegram_api.user(random.randint(10**8, 10**9), "Mei", "zh-hans")
    with db.transaction(console.sessions) as session:
        elder_id = session.scalar(select(Elder.id).where(Elder.key == "wang"))
        code = links.issue_code(session, elder_id, dt.timedelta(hours=1), key=secret(LINK_CODES, console.settings))
    telegram_api.send_command(user, "link", code)
    telegram_api.wait_for(user.id, 1, 30, lambda m: "绑定成功" in (m.text or ""))
    telegram_api.send_text(user, "救命 我摔倒了")

    def handed_off() -> int | None:
        with console.sessions() as session:
            return session.scalar(select(Handoff.conversation_id).join(
                Conversation, Conversation.id == Handoff.conversation_id).where(Conversation.channel == "telegram",
                                                                              Conversation.elder_id == elder_id))

    conversation_id = telegram_api.wait_until(handed_off, 30, "the emergency's hand-off")
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, console)
        resolve_in_page(page, console, conversation_id)
        [question] = telegram_api.wait_for(user.id, 1, 30, lambda m: bool(m.buttons), since=0)
        assert question.text == "这次工作人员帮得怎么样？请点一个分数：1 很不满意，5 非常满意。"
        assert [b.text for b in question.buttons] == ["1", "2", "3", "4", "5"]
        query = telegram_api.press_button(user, question, text="4")
        try:  # a quick second tap, if the keyboard is still there: a second callback query
            again: str | None = telegram_api.press_button(user, question, text="2")
        except LookupError:
            again = None
        telegram_api.wait_for_answer(query, 30)  # the channel answers the callback query, as Telegram expects
        telegram_api.wait_for(user.id, 1, 30, lambda m: m.text == "谢谢您的评分！以后有需要随时找我们。", since=0)
        if again is not None:
            telegram_api.wait_for_answer(again, 30)
            telegram_api.wait_for(user.id, 1, 30, lambda m: m.text == "您的评分已经记下了，谢谢！", since=0)
        assert telegram_api.message(user.id, question.message_id).buttons == [], "the keyboard is taken away"
        dashboard_shows(page, console, "Alice Wong", "4")
    finally:
        context.close()


def test_resolve_a_terminal_conversation_the_digit_answered_in_the_terminal_shows_on_the_dashboard(
        console: Console, new_page: Callable[..., Page]) -> None:
    conversation_id = terminal(console, "rate-1", "救命 我摔倒了")
    page = new_page()
    sign_in(page, console)
    resolve_in_page(page, console, conversation_id)
    assert pending(console, "rate-1") == ["已经帮您联系了社区医生，他马上到。",
                                          "这次工作人员帮得怎么样？请回复一个 1 到 5 的数字：1 很不满意，5 非常满意。"]
    token = secret("channel_terminal", console.settings)
    answered = httpx.post(f"{console.url}/api/messages", headers={"Authorization": f"Bearer {token}"}, timeout=30,
                          json={"conversation": "rate-1", "text": "5", "language": "zh"})
    assert [r["text"] for r in answered.json()["replies"]] == ["谢谢您的评分！以后有需要随时找我们。"]
    dashboard_shows(page, console, "Alice Wong", "5")
    expect(page.locator("#by-consultant caption")).to_have_text("按工作人员（今天）")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#by-district caption")).to_have_text("By district")
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 800})
        expect(page.locator("#overall [data-figure=ratings]")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"no sideways scrolling at {width} px"


def test_an_emergency_sent_on_telegram_comes_to_the_top_of_the_open_queue_without_reload(
        telegram_console: Console, telegram_api: TelegramAPI, browser: Browser) -> None:
    """Sent by someone no elder is linked to (so no district yet): danger now is answered and
    queued whoever writes, and the administrator's queue shows it."""
    console = telegram_console
    user = telegram_api.user(random.randint(10**8, 10**9), "Mei", "zh-hans")
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.add_init_script(TONE_COUNTER)
        sign_in(page, console, "maple-chen")
        page.evaluate("window.notReloaded = true")
        live(page)
        telegram_api.send_text(user, "救命 我摔倒了 起不来")
        page.wait_for_function("() => document.querySelector('#queue tbody tr.emergency') !== null")
        first = page.locator("#queue tbody tr").first
        expect(first).to_have_class(re.compile(r"\bemergency\b"))
        expect(first).to_contain_text("Telegram")
        expect(first).to_contain_text("救命 我摔倒了")
        expect(page.locator("#emergency-alert")).to_be_visible()
        assert page.evaluate("window.notReloaded") is True
        telegram_api.wait_until(lambda: any("120" in (m.text or "") for m in telegram_api.sent(user.id)), 20,
                                "the emergency advice")
        assert not any("/link" in (m.text or "") for m in telegram_api.sent(user.id))
    finally:
        context.close()
