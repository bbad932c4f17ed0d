"""The REST channel every CareLine gateway talks to.

Rasa's own REST channel drops message metadata and answers with silence when an action fails
or hangs. This one passes ``metadata`` (language, elder, district, channel) to the tracker, and
never leaves a person without an answer: when the action server is down the reply is a kind
"I'm connecting you to staff", and when the bot takes longer than ``timeout`` seconds the reply
is "one moment" while the turn finishes in the background.

Rasa's ``--auth-token`` guards its HTTP API but not channel webhooks, so this channel checks its
callers itself: every message must carry the ``token`` of credentials.yml (the RASA_API secret)
as ``Authorization: Bearer``, or gets 401 and reaches no conversation. Its health check is open.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.texts import t  # plain texts, no dependencies: the engine venv can import them
from careline.bearer import bearer_matches

_CJK = re.compile(r"[\u4e00-\u9fff]")


def language_of(text: str, metadata: dict[str, Any]) -> str:
    lang = metadata.get("language")
    if lang in ("zh", "en"):
        return lang
    return "zh" if _CJK.search(text or "") or not text else "en"


class CareLineRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "careline"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> CareLineRestInput:
        credentials = credentials or {}
        return cls(timeout=float(credentials.get("timeout", 10)), token=str(credentials.get("token") or ""))

    def __init__(self, timeout: float = 10.0, token: str = "") -> None:
        self.timeout = timeout
        self.token = token  # empty: every message is refused
        self._background: set[asyncio.Task[Any]] = set()

    def get_metadata(self, request: Request) -> dict[str, Any]:
        metadata = (request.json or {}).get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("careline_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not bearer_matches(request.headers.get("authorization"), self.token):
                return response.json({"error": "unauthorized"}, status=401)
            payload = request.json if isinstance(request.json, dict) else {}
            sender_id = str(payload.get("sender") or "default")
            text = payload.get("message")
            text = text if isinstance(text, str) else ""
            metadata = self.get_metadata(request)
            lang = language_of(text, metadata)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata)
            task = asyncio.ensure_future(on_new_message(message))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=self.timeout)
            except TimeoutError:
                return response.json([{"recipient_id": sender_id, "text": t("one_moment", lang),
                                       "custom": {"holding": True}}])
            except Exception:  # the turn failed: what it said so far is not an answer
                collector.messages.clear()
            if not collector.messages:  # never answer with silence
                return response.json([{"recipient_id": sender_id, "text": t("trouble", lang),
                                       "custom": {"trouble": True}}])
            return response.json(collector.messages)

        return hook
