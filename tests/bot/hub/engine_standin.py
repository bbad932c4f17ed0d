"""A counting stand-in of the dialogue engine's REST channel, for tests about how often and in
what order the hub asks the engine (the real engine cannot say how often it was asked).

It is a real HTTP server on a free loopback port that speaks the CareLine REST channel's
protocol (``POST /webhooks/careline/webhook`` with sender, message, metadata and an optional
message_id; a JSON list of replies back), answers after ``delay`` seconds with "you said: …", and
records every turn it took: who, what, and when it started and ended. ``down`` makes it answer
503 (what a proxy says when no engine is behind it), which the hub treats as unreachable;
``holding`` makes it answer "one moment" as the REST channel does when a turn is slow.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Turn:
    sender: str
    message: str
    message_id: str | None
    started: float
    ended: float


class EngineStandIn:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.down = False
        self.holding = False
        self.turns: list[Turn] = []
        self.arrived = 0
        """Requests that reached the engine (counted as they arrive; ``turns`` as they are answered)."""
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server interface
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if standin.down:
                    self._answer(503, {"error": "no engine"})
                    return
                started = time.monotonic()
                with standin._lock:
                    standin.arrived += 1
                time.sleep(standin.delay)
                sender, message = str(body.get("sender")), str(body.get("message"))
                with standin._lock:
                    standin.turns.append(Turn(sender, message, body.get("message_id"), started, time.monotonic()))
                if standin.holding:
                    self._answer(200, [{"recipient_id": sender, "text": "one moment", "custom": {"holding": True}}])
                    return
                self._answer(200, [{"recipient_id": sender, "text": f"you said: {message}"}])

            def _answer(self, status: int, payload: Any) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> EngineStandIn:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def said(self, sender: str | None = None) -> list[str]:
        """The messages the engine took, in the order it finished them."""
        with self._lock:
            return [t.message for t in self.turns if sender is None or t.sender == sender]

    def overlapping(self) -> list[tuple[str, str]]:
        """Pairs of one sender's turns that ran at the same time (the engine never sees that from
        one conversation when the hub keeps its turns one at a time)."""
        with self._lock:
            turns = list(self.turns)
        return [(a.message, b.message) for i, a in enumerate(turns) for b in turns[i + 1:]
                if a.sender == b.sender and a.started < b.ended and b.started < a.ended]
