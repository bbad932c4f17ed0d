"""Not a test: makes the console's screenshots in docs/screenshots (1280×800, zh and en) with
the browser tests' fixtures. Run it by name:
``.venv/bin/python -m pytest -p no:cacheprovider tests/bot/console/screenshots.py``."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from pathlib import Path

from playwright.sync_api import Browser
from sqlalchemy import select, update

from bot.hub.messages import Inbound
from knowledge import db
from knowledge.actors import actor_for
from knowledge.models import Consultant, Handoff, utcnow
from tests.bot.console.conftest import Console, Desk
from tests.bot.console.test_browser import VIEWPORT, backend, browser, live, terminal  # noqa: F401

OUT = Path("docs/screenshots")


def test_screenshots(console: Console, desk: Desk, browser: Browser) -> None:  # noqa: F811
    a, name_a = desk.waiting(channel="telegram", elder="wang")
    b, _ = desk.waiting(channel="phone", language="en", elder="smith")
    emergency = terminal(console, "shot-1", "救命 我摔倒了，起不来")
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, desk.hub.handle(Inbound(channel="telegram", conversation=name_a, address=name_a,
                                                        text="我想问一下助餐服务怎么申请"))).result()
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _rated(console, desk)).result()
    for lang in ("zh", "en"):
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{console.url}/console/login?lang={lang}")
        page.screenshot(path=OUT / f"login-{lang}.png")
        page.locator("#username").fill("alice")
        page.locator("#password").fill("correct horse battery staple")
        page.locator("button[type=submit]").click()
        live(page)
        console.clock.offset = dt.timedelta(minutes=7)
        page.screenshot(path=OUT / f"queue-{lang}.png")
        page.set_viewport_size({"width": 768, "height": 1000})
        page.screenshot(path=f"/tmp/ui-bt/queue-768-{lang}.png", full_page=True)
        page.set_viewport_size(VIEWPORT)
        page.goto(f"{console.url}/console/conversations/{a}")
        if lang == "zh":
            page.locator("#claim").click()
            page.wait_for_selector("#reply-text")
            page.locator("#reply-text").fill("王阿姨您好，我是社区的 Alice，助餐服务我来帮您登记。")
            page.locator("#send").click()
            page.locator("#note-text").fill("她儿子是主要联系人，下午回电确认。")
            page.locator("#add-note").click()
        live(page)
        page.screenshot(path=OUT / f"conversation-{lang}.png")
        page.set_viewport_size({"width": 768, "height": 1000})
        page.screenshot(path=f"/tmp/ui-bt/conversation-768-{lang}.png", full_page=True)
        page.set_viewport_size(VIEWPORT)
        page.goto(f"{console.url}/console/dashboard")
        page.screenshot(path=OUT / f"dashboard-{lang}.png")
        page.set_viewport_size({"width": 768, "height": 1000})
        page.screenshot(path=f"/tmp/ui-bt/dashboard-768-{lang}.png", full_page=True)
        context.close()
    assert emergency and b


async def _rated(console: Console, desk: Desk) -> None:
    """Three conversations Alice answered, resolved and had rated through the terminal today."""
    with console.sessions() as session:
        alice = actor_for(session, session.scalar(select(Consultant.id).where(Consultant.username == "alice")))
    answers = ((5, "您好，助餐服务已经帮您登记了。"), (4, "上门服务明天上午九点到。"), (3, "补贴申请表我寄给您。"))
    for minutes, (rating, reply) in zip((3, 5, 2), answers, strict=True):
        conversation_id, name = desk.waiting(channel="cli")
        with db.transaction(desk.sessions) as session:  # asked for a person a few minutes ago
            session.execute(update(Handoff).where(Handoff.conversation_id == conversation_id)
                            .values(created_at=utcnow() - dt.timedelta(minutes=minutes, seconds=20)))
        await desk.service.claim(conversation_id, alice)
        await desk.service.say(conversation_id, alice, reply)
        await desk.service.resolve(conversation_id, alice, "answered")
        await desk.hub.pending("cli", name)
        await desk.hub.handle(Inbound(channel="cli", conversation=name, address=name, text=str(rating)))
