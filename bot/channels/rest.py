"""The REST channel every CareLine gateway talks to.

Rasa's own REST channel drops message metadata and answers with silence when an action fails
or hangs. This one passes ``metadata`` (language, elder, district, channel) to the tracker, and
never leaves a person without an answer: when the action server is down the reply is a kind
"I'm connecting you to staff" (marked ``trouble``: the hub opens that hand-off), and when the bot
takes longer than ``timeout`` seconds the reply is "one moment" while the turn finishes in the
background.

Rasa's ``--auth-token`` guards its HTTP API but not channel webhooks, so this channel checks its
callers itself: every message must carry the ``token`` of credentials.yml (the RASA_API secret)
as ``Authorization: Bearer``, or gets 401 and reaches no conversation. Its health check is open.

Late replies. A caller that names its message (``message_id``, as the hub does) may send it
again (``repeat``: true): the engine takes it once. While its turn still runs, the repeat waits for it like the
first request (and answers "one moment" again after ``timeout``); once the turn is done, the
repeat is answered with that turn's replies, read from the tracker (so it works after this
process restarted, and on any server sharing the tracker store). Only a message the tracker has
never seen (the engine died mid-turn, or never got it) starts a turn. This is how "one moment"
is followed by the real answer: the hub asks again until it gets it.

A message asking for another language and for something else in one breath is two turns, the
change of language first (:mod:`bot.channels.language_requests`); its repeat is answered with both.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.language_requests import split_language_request
from careline.bearer import bearer_matches
from careline.catalogue import say

_CJK = re.compile(r"[\u4e00-\u9fff]")
_MESSAGE_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


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
        self._running: dict[tuple[str, str], tuple[asyncio.Task[Any], CollectingOutputChannel]] = {}

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
            return await self.answer(request, on_new_message)

        return hook

    async def answer(self, request: Request,
                     on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        """The replies to one message, "one moment" when its turn is slow (see the module's
        docstring for a message sent again under its id)."""
        payload = request.json if isinstance(request.json, dict) else {}
        sender_id = str(payload.get("sender") or "default")
        text = payload.get("message")
        text = text if isinstance(text, str) else ""
        metadata = self.get_metadata(request)
        lang = language_of(text, metadata)
        message_id = payload.get("message_id")
        message_id = message_id if isinstance(message_id, str) and _MESSAGE_ID.match(message_id) else None
        running = self._running.get((sender_id, message_id)) if message_id else None
        if message_id and running is None and payload.get("repeat") is True:
            finished = await _finished_turn(request, sender_id, message_id)
            if finished is not None:
                return response.json(finished or [_trouble(sender_id, lang)])
            running = self._running.get((sender_id, message_id))  # a repeat that came meanwhile started it
        if running is None:
            running = self._start(on_new_message, text, sender_id, metadata, message_id)
        task, collector = running
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=self.timeout)
        except TimeoutError:
            return response.json([{"recipient_id": sender_id, "text": say("actions.one_moment", lang),
                                   "custom": {"holding": True}}])
        except Exception:  # the turn failed: what it said so far is not an answer
            collector.messages.clear()
        if not collector.messages:  # never answer with silence
            return response.json([_trouble(sender_id, lang)])
        return response.json(collector.messages)

    def _start(self, on_new_message: Callable[[UserMessage], Awaitable[Any]], text: str, sender_id: str,
               metadata: dict[str, Any], message_id: str | None) -> tuple[asyncio.Task[Any], CollectingOutputChannel]:
        """Start a turn in the background; a named one can be found again while it runs."""
        collector = CollectingOutputChannel()
        parts = split_language_request(text)
        if parts is None:
            message = UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata,
                                  message_id=message_id)
            task = asyncio.ensure_future(on_new_message(message))
        else:
            turns = [UserMessage(said, collector, sender_id, input_channel=self.name(), metadata=metadata,
                                 message_id=turn_id)
                     for said, turn_id in zip(parts, (message_id, _rest_id(message_id)), strict=True)]
            task = asyncio.ensure_future(_in_turn(on_new_message, turns))
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        if message_id:
            key = (sender_id, message_id)
            self._running[key] = (task, collector)
            task.add_done_callback(lambda _: self._running.pop(key, None))
        return task, collector


async def _in_turn(on_new_message: Callable[[UserMessage], Awaitable[Any]], turns: list[UserMessage]) -> None:
    """Turns one after the other (a change of language, then the request said with it)."""
    for turn in turns:
        await on_new_message(turn)


def _rest_id(message_id: str | None) -> str | None:
    """The id of the second turn of a split message, found again by :func:`_finished_turn`."""
    return f"{message_id}.rest" if message_id and len(message_id) <= 59 else None


def _trouble(sender_id: str, lang: str) -> dict[str, Any]:
    return {"recipient_id": sender_id, "text": say("actions.trouble", lang), "custom": {"trouble": True}}


async def _finished_turn(request: Request, sender_id: str, message_id: str) -> list[dict[str, Any]] | None:
    """What the engine said in the finished turn of ``message_id``, from the tracker; None when
    the tracker has no such message (a turn is stored only once it is over)."""
    agent = getattr(request.app.ctx, "agent", None)
    if agent is None or agent.tracker_store is None:
        return None
    tracker = await agent.tracker_store.retrieve_full_tracker(sender_id)
    if tracker is None:
        return None
    said: list[dict[str, Any]] | None = None
    for event in tracker.events:
        if isinstance(event, UserUttered):
            if said is not None and not (event.message_id and event.message_id == _rest_id(message_id)):
                break
            if event.message_id == message_id:
                said = []
        elif said is not None and isinstance(event, BotUttered):
            data = {key: value for key, value in (event.data or {}).items() if value}
            said.append({"recipient_id": sender_id, "text": event.text, **data})
    return said
