"""The quick actions in a real browser (Debian's Chromium through Playwright): a meal booked for
the elder from the conversation page with its read-back and confirmation, then cancelled, a
policy summary sent, and a canned reply (with a ``<script>`` in it, which stays text) put in the
reply box, edited and sent; each reaches the person on the terminal channel, and a booking's
confirmation reaches a family member on the Telegram stand-in."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from knowledge import db
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Booking, Conversation, District, Elder
from tests.bot.console.conftest import Console, Desk
from tests.bot.console.test_browser import (  # noqa: F401  (fixtures)
    VIEWPORT,
    backend,
    browser,
    live,
    new_page,
    pending,
    sign_in,
    telegram_console,
)
from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.browser


def _bookings(console: Console) -> list[tuple[str, str]]:
    with console.sessions() as session:
        return [(b.kind, b.status) for b in session.scalars(
            select(Booking).join(Elder).where(Elder.key == "wang").order_by(Booking.id))]


def _take(page: Page, console: Console, conversation_id: int) -> None:
    page.goto(f"{console.url}/console/conversations/{conversation_id}")
    live(page)
    page.get_by_role("button", name="接手", exact=True).click()
    expect(page.locator("#status-line")).to_have_text("您正在处理这个对话。")


def _book_first_lunch(page: Page) -> None:
    page.get_by_role("link", name="替老人预约").click()
    expect(page.get_by_role("heading", name="替王秀英预约")).to_be_visible()
    page.locator("#meals tbody tr").filter(has_text="老年午餐").filter(has_not_text="送餐上门").first \
        .get_by_role("link", name=re.compile("^选择：老年午餐")).click()
    expect(page.locator("#read-back-heading")).to_have_text("请核对，确认后才会预约")
    expect(page.locator("#rb-what")).to_have_text("老年午餐")
    expect(page.locator("#rb-who")).to_have_text("王秀英")
    expect(page.locator("#rb-price")).to_have_text("12元（有补贴的老人6元）")


def test_book_cancel_and_send_a_policy_for_the_elder_from_the_conversation_page(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:  # noqa: F811
    conversation_id, name = desk.waiting(channel="terminal", elder="wang")
    page = new_page()
    sign_in(page, console)
    _take(page, console, conversation_id)

    _book_first_lunch(page)
    assert _bookings(console) == [], "the read-back books nothing"
    page.get_by_role("button", name="确认预约").click()
    expect(page).to_have_url(f"{console.url}/console/conversations/{conversation_id}")
    transcript = page.locator("#transcript")
    expect(transcript.locator("li.consultant").last).to_contain_text("工作人员已经为您预约好了：老年午餐")
    assert _bookings(console) == [("meal", "active")]
    [told] = pending(console, name)
    assert told.startswith("工作人员已经为您预约好了：老年午餐") and "12元" in told

    _book_first_lunch(page)  # the same lunch again: said plainly, nothing booked twice
    expect(page.locator("#refusal")).to_have_text("现在不能预约：王秀英已经预约过这一项了，没有重复预约。")
    expect(page.get_by_role("button", name="确认预约")).to_have_count(0)
    page.get_by_role("link", name=f"返回对话 {conversation_id}").click()

    page.get_by_role("link", name="取消老人的预约").click()
    page.get_by_role("link", name=re.compile("^取消：.*老年午餐")).click()
    expect(page.locator("#rb-what")).to_contain_text("老年午餐")
    page.get_by_role("button", name="确认取消").click()
    expect(transcript.locator("li.consultant").last).to_contain_text("工作人员已经为您取消了")
    assert _bookings(console) == [("meal", "cancelled")]
    assert pending(console, name)[0].startswith("工作人员已经为您取消了")

    page.get_by_role("link", name="发送政策说明").click()
    allowance = page.locator("#policy option", has_text="高龄津贴").first.get_attribute("value")
    page.get_by_label("选择政策").select_option(allowance)
    page.get_by_role("button", name="预览").click()
    preview = page.locator("#policy-preview")
    expect(preview).to_contain_text("高龄津贴：")
    expect(preview).to_contain_text("按登记的情况，您符合条件")
    summary = preview.inner_text()
    page.get_by_role("button", name="发送这段说明").click()
    expect(transcript.locator("li.consultant").last).to_contain_text("高龄津贴：")
    assert pending(console, name) == [summary]


def test_a_canned_reply_goes_in_the_reply_box_is_edited_and_sent_as_text(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:  # noqa: F811
    conversation_id, name = desk.waiting(channel="terminal", elder="wang")
    page = new_page()
    sign_in(page, console)
    page.get_by_role("link", name="常用回复").click()
    page.get_by_label("标题").fill("<b>地址</b>")
    page.get_by_label("内容").fill("<script>window.pwned = 1</script>服务中心在镇上")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#replies")).to_contain_text("<script>window.pwned = 1</script>服务中心在镇上")

    _take(page, console, conversation_id)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("选择常用回复").select_option(label="<b>地址</b>")
    page.get_by_role("button", name="填入回复框").click()
    box = page.get_by_label("回复咨询人")
    expect(box).to_have_value("<script>window.pwned = 1</script>服务中心在镇上")
    expect(box).to_be_focused()
    assert page.evaluate("window.notReloaded") is True, "filled in place"
    box.press("End")
    box.type("，周一到周五开门。")
    page.get_by_role("button", name="发送").click()
    sent = "<script>window.pwned = 1</script>服务中心在镇上，周一到周五开门。"
    expect(page.locator("#transcript li.consultant").last).to_have_text(re.compile(re.escape(sent)))
    assert page.evaluate("window.pwned") is None
    assert pending(console, name) == [sent]


def test_a_booking_made_in_the_console_reaches_the_family_member_on_telegram(
        telegram_console: Console, telegram_api: TelegramAPI, browser: Browser) -> None:  # noqa: F811
    console = telegram_console
    user = telegram_api.user(random.randint(10**8, 10**9), "Wei", "zh-hans")
    with db.transaction(console.sessions) as session:
        district_id = session.scalar(select(District.id).where(District.key == "maple-town"))
        wang = session.scalar(select(Elder.id).where(Elder.key == "wang"))
        conversation = Conversation(channel="telegram", external_id=str(user.id), language="zh", status="pending",
                                    priority=0, district_id=district_id, elder_id=wang)
        session.add(conversation)
        session.flush()
        open_handoff(session, conversation, Urgency.REQUESTED, "requested", "zh", "帮我妈订午饭")
        conversation_id = conversation.id
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, console)
        _take(page, console, conversation_id)
        _book_first_lunch(page)
        page.get_by_role("button", name="确认预约").click()
        expect(page.locator("#transcript li.consultant")).to_have_count(1)
        [reply] = telegram_api.wait_for(user.id, 1, 30, since=0)
        assert reply.text.startswith("工作人员已经为王秀英预约好了：老年午餐")
    finally:
        context.close()
    assert _bookings(console) == [("meal", "active")]


def test_the_quick_actions_work_from_the_keyboard_at_tablet_width(
        console: Console, desk: Desk, new_page: Callable[..., Page]) -> None:  # noqa: F811
    conversation_id, _ = desk.waiting(channel="terminal", elder="wang")
    page = new_page()
    page.set_viewport_size({"width": 768, "height": 1024})
    sign_in(page, console)
    _take(page, console, conversation_id)
    page.get_by_label("选择常用回复").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "canned-insert"
    page.keyboard.press("Enter")
    expect(page.get_by_label("回复咨询人")).to_be_focused()
    expect(page.get_by_label("回复咨询人")).not_to_have_value("")
    page.get_by_role("link", name="替老人预约").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="替王秀英预约")).to_be_visible()
    for _ in range(40):
        page.keyboard.press("Tab")
        if (page.evaluate("document.activeElement.getAttribute('aria-label')") or "").startswith("选择：老年午餐"):
            break
    else:
        pytest.fail("no meal can be chosen with Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="确认预约")).to_be_visible()
    page.get_by_role("button", name="确认预约").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#transcript li.consultant").last).to_contain_text("工作人员已经为您预约好了")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"
    assert _bookings(console) == [("meal", "active")]
