"""What ``bot.serve`` changes in the Rasa process: action replies are still checked, events are
still read back as the right classes, the model reads a sentence a language before the first
request, and the SQLite tracker store keeps every turn (in
write-ahead-log mode)."""

from __future__ import annotations

import json
import sqlite3
import subprocess

from careline.engine import ENGINE_VENV, engine_env
from tests.dialogue.conftest import Servers, texts, tracker

CHECK = """
import json
from jsonschema import ValidationError
from bot.serve import install
from rasa.core.actions.action import RemoteAction
install()
action = RemoteAction("action_x", None)
good = {"events": [{"event": "slot", "name": "language", "value": "en"}], "responses": [{"text": "hi"}]}
bad = {"events": "not a list", "responses": []}
verdicts = {"good": action._validate_action_result(good)}
try:
    action._validate_action_result(bad)
    verdicts["bad"] = "accepted"
except ValidationError as error:
    verdicts["bad"] = error.message
from rasa.shared.core.events import Event, UserUttered, ActionExecuted
verdicts["user"] = Event.resolve_by_type("user") is UserUttered
verdicts["action"] = Event.resolve_by_type("action") is ActionExecuted
verdicts["default"] = Event.resolve_by_type("no_such_event", default=UserUttered) is UserUttered
try:
    Event.resolve_by_type("no_such_event")
    verdicts["unknown"] = "accepted"
except ValueError as error:
    verdicts["unknown"] = str(error)
import asyncio
from rasa.core import run
from bot.serve import WARM_UP, _warmed
verdicts["wrapped"] = getattr(run.load_agent_on_start, "careline", False)
class Agent:
    def __init__(self, ready):
        self.ready, self.read = ready, []
    def is_ready(self):
        return self.ready
    async def parse_message(self, text):
        self.read.append(text)
async def load(ready):
    return Agent(ready)
import gc
verdicts["not_ready_read"] = asyncio.run(_warmed(load)(False)).read
verdicts["frozen_before"] = gc.get_freeze_count()
verdicts["warm_read"] = asyncio.run(_warmed(load)(True)).read == list(WARM_UP)
verdicts["frozen_after"] = gc.get_freeze_count()
print(json.dumps(verdicts))
"""


def test_action_replies_are_still_checked_and_events_still_resolved() -> None:
    done = subprocess.run([str(ENGINE_VENV / "bin" / "python"), "-c", CHECK], capture_output=True, text=True,
                          env=engine_env(), timeout=300, check=True)
    verdicts = json.loads(done.stdout.strip().splitlines()[-1])
    assert verdicts["good"] is True
    assert "Failed to validate Action server response" in verdicts["bad"]
    assert verdicts["user"] and verdicts["action"] and verdicts["default"]
    assert verdicts["unknown"] == "Unknown event name 'no_such_event'."
    # the model reads one sentence a language before the server takes its first request
    assert verdicts["wrapped"] is True and verdicts["warm_read"] is True and verdicts["not_ready_read"] == []
    # and what start-up made is then kept out of the garbage collector's full collections
    assert verdicts["frozen_before"] == 0 and verdicts["frozen_after"] > 1000


def test_tracker_store_keeps_every_turn_in_wal_mode(servers: Servers, sender: str) -> None:
    for text in ("hello", "what is the old age allowance", "thank you"):
        assert texts(servers.say(sender, text, language="en", district="qinglin-county")).strip()
    users = [e["text"] for e in tracker(servers, sender)["events"] if e["event"] == "user"]
    assert users == ["hello", "what is the old age allowance", "thank you"]
    with sqlite3.connect(servers.folder / "tracker.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = db.execute("SELECT count(*) FROM events WHERE sender_id = ? AND type_name = 'user'",
                            (sender,)).fetchone()[0]
    assert stored == 3
