"""From a message reaching the hub to its appearance in an open console: p50/p95, with 20
conversations waiting and 5 consultants connected. Prints figures; asserts nothing.

What runs: the hub's HTTP app (uvicorn, in this process) over a throw-away SQLite database of the
sample districts, the dialogue engine not running (nothing measured here waits for it). Five
consultants are signed in: one in Debian's Chromium (Playwright) with the queue open in one tab
and a conversation she holds in another; four as programs that keep ``/console/events`` open and,
on each event, fetch the queue fragment as the page's own script does.

What is measured (wall clock of this machine, in ms): from just before the terminal channel's
``POST /api/messages`` is sent to
- *queue, Chromium*: the new emergency's row being in the queue page's DOM (a MutationObserver
  notes the moment);
- *queue, SSE*: each of the four programs holding the queue fragment with that row;
- *transcript, Chromium*: the person's message being in the open conversation's transcript;
  for comparison, the time the hub took to answer that message's POST (the channel's side).
After each new emergency the administrator claims and resolves it, so about 20 stay waiting.

    .venv/bin/python bench/console_bench.py [--samples 30]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.hub.app import create_app  # noqa: E402
from careline.paths import SAMPLE_BUNDLES  # noqa: E402
from careline.secrets import secret  # noqa: E402
from careline.settings import Settings  # noqa: E402
from careline.stack import free_port  # noqa: E402
from knowledge import accounts, db  # noqa: E402
from knowledge.bundle import import_path  # noqa: E402
from knowledge.handoffs import Urgency, open_handoff  # noqa: E402
from knowledge.models import Conversation, District  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "bench password, not a secret"
DISTRICT = "qinglin-county"
WAITING = 20
SSE_CONSULTANTS = 4

#: notes when a queue row or a transcript text first shows in the page
OBSERVER = """
window.__seen = {};
new MutationObserver(function () {
  document.querySelectorAll("#queue tr[data-conversation], #transcript li").forEach(function (item) {
    var found = item.textContent.match(/bench-[0-9a-f]{8}/);
    if (found && !(found[0] in window.__seen)) { window.__seen[found[0]] = Date.now(); }
  });
}).observe(document, {childList: true, subtree: true});
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(len(ordered) * q) - 1))]


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def prepare(folder: Path) -> Settings:
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), SAMPLE_BUNDLES, dt.date.today()).ok
    settings = Settings(database_url=url, var_dir=folder / "var", rasa_url=f"http://127.0.0.1:{free_port()}",
                        language="zh", console_password_time_cost=1, console_password_memory_kib=1024,
                        log_level="WARNING")
    hasher = accounts.password_hasher(1, 1024)
    with db.transaction(db.session_factory(engine)) as session:
        for index in range(1 + SSE_CONSULTANTS):
            accounts.add(session, hasher, f"bench{index}", PASSWORD, [DISTRICT], name=f"Consultant {index}")
        accounts.add(session, hasher, "bench-admin", PASSWORD, [DISTRICT], is_admin=True)
        district_id = session.scalar(select(District.id).where(District.key == DISTRICT))
        for index in range(WAITING):
            conversation = Conversation(channel="terminal", external_id=f"waiting-{index}", language="zh",
                                        status="pending", priority=0, district_id=district_id)
            session.add(conversation)
            session.flush()
            open_handoff(session, conversation, Urgency.REQUESTED, "requested", "zh", f"想找工作人员 {index}")
    engine.dispose()
    return settings


def sign_in(client: httpx.Client, username: str) -> str:
    """Sign ``client`` in; the session's CSRF token."""
    page = client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    answer = client.post("/console/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303, answer.text
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/console/").text).group(1)


class Watchers:
    """Four consultants as programs: the live events open, the queue fragment fetched on each."""

    def __init__(self, url: str, cookies: list[httpx.Cookies]) -> None:
        self.url, self.cookies = url, cookies
        self.targets: dict[str, float] = {}
        self.seen: list[float] = []
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.connected = 0
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        for cookies_of_one in cookies:
            asyncio.run_coroutine_threadsafe(self.watch(cookies_of_one), self.loop)

    async def watch(self, cookies: httpx.Cookies) -> None:
        found: set[str] = set()
        async with httpx.AsyncClient(base_url=self.url, cookies=cookies, timeout=None) as client, \
                client.stream("GET", "/console/events") as stream:
            self.connected += 1
            if self.connected == len(self.cookies):
                self.ready.set()
            async for line in stream.aiter_lines():
                if not line.startswith("event: queue"):
                    continue
                html = (await client.get("/console/queue")).text
                now = time.time() * 1000
                with self.lock:
                    for target, started in self.targets.items():
                        if target not in found and target in html:
                            found.add(target)
                            self.seen.append(now - started)

    def expect(self, mark: str, started: float) -> None:
        with self.lock:
            self.targets[mark] = started

    def count(self) -> int:
        with self.lock:
            return len(self.seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=30, help="new emergencies, and as many transcript messages")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        settings = prepare(Path(tmp))
        with serve(settings) as url:
            token = secret("channel_terminal", settings)
            terminal = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            admin = httpx.Client(base_url=url, timeout=30)
            admin_csrf = sign_in(admin, "bench-admin")
            clients = [httpx.Client(base_url=url, timeout=30) for _ in range(SSE_CONSULTANTS)]
            for index, client in enumerate(clients, start=1):
                sign_in(client, f"bench{index}")
            watchers = Watchers(url, [client.cookies for client in clients])
            watchers.ready.wait(30)
            held = terminal.post("/api/messages", json={"conversation": "held", "text": "救命 我摔倒了",
                                                        "language": "zh", "district_key": DISTRICT})
            assert held.status_code == 200, held.text

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.add_init_script(OBSERVER)
                queue = context.new_page()
                queue.goto(f"{url}/console/login")
                queue.locator("#username").fill("bench0")
                queue.locator("#password").fill(PASSWORD)
                queue.locator("button[type=submit]").click()
                queue.wait_for_selector("body[data-live=ready]", state="attached")
                held_id = int(re.findall(r'data-conversation="(\d+)"', queue.content())[0])  # the emergency is first
                queue.get_by_role("button", name=f"接手对话 {held_id}").click()
                conversation = queue  # the claim redirects to the conversation's screen
                conversation.wait_for_selector("body[data-live=ready]", state="attached")
                queue = context.new_page()
                queue.goto(f"{url}/console/")
                queue.wait_for_selector("body[data-live=ready]", state="attached")
                time.sleep(1)

                chromium_queue: list[float] = []
                chromium_transcript: list[float] = []
                answered: list[float] = []
                for sample in range(args.samples):
                    name, mark = f"new-{sample}", f"bench-{uuid.uuid4().hex[:8]}"
                    started = time.time() * 1000
                    watchers.expect(mark, started)
                    answer = terminal.post("/api/messages", json={"conversation": name, "text": f"救命 我摔倒了 {mark}",
                                                                  "language": "zh", "district_key": DISTRICT})
                    assert answer.status_code == 200, answer.text
                    chromium_queue.append(_wait(queue, mark) - started)
                    conversation_id = _conversation_id(settings, name)
                    deadline = time.monotonic() + 10
                    while watchers.count() < (sample + 1) * SSE_CONSULTANTS and time.monotonic() < deadline:
                        time.sleep(0.01)
                    for action, data in (("claim", {}), ("resolve", {"outcome": "answered"})):
                        admin.post(f"/console/conversations/{conversation_id}/{action}",
                                   data={"csrf_token": admin_csrf, **data})
                    mark = f"bench-{uuid.uuid4().hex[:8]}"
                    started = time.time() * 1000
                    said = terminal.post("/api/messages", json={"conversation": "held", "text": f"我在厨房 {mark}",
                                                                "language": "zh", "district_key": DISTRICT})
                    answered.append(time.time() * 1000 - started)
                    assert said.status_code == 200, said.text
                    chromium_transcript.append(_wait(conversation, mark) - started)
                    time.sleep(0.2)
                browser.close()
            sse = list(watchers.seen)

    print(f"console live latency: {WAITING} conversations waiting, 5 consultants connected "
          f"(1 Chromium, {SSE_CONSULTANTS} SSE programs), {args.samples} samples each; target p95 < 250 ms")
    for label, values in (("new emergency -> queue row, Chromium", chromium_queue),
                          (f"new emergency -> queue row, SSE + fragment ({SSE_CONSULTANTS} consultants)", sse),
                          ("person's message -> open transcript, Chromium", chromium_transcript),
                          ("(for comparison: the hub answering that message's POST)", answered)):
        if values:
            print(f"  {label:<62} p50 {statistics.median(values):6.0f} ms   p95 {pct(values, 0.95):6.0f} ms   "
                  f"(n={len(values)})")
        else:
            print(f"  {label:<62} no samples")


def _conversation_id(settings: Settings, name: str) -> int:
    engine = db.make_engine(settings.database_url)
    try:
        with db.session_factory(engine)() as session:
            return session.scalar(select(Conversation.id).where(Conversation.channel == "terminal",
                                                                Conversation.external_id == name))
    finally:
        engine.dispose()


def _wait(page, key: str, timeout: float = 10.0) -> float:  # type: ignore[no-untyped-def]
    """When (ms since the epoch) the page first showed ``key``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen = page.evaluate("key => window.__seen[key] || null", key)
        if seen is not None:
            return float(seen)
        time.sleep(0.01)
    raise SystemExit(f"{key} did not show in the console within {timeout} s")


if __name__ == "__main__":
    main()
