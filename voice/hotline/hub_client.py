"""The call's side of the hub's channel API: the phone line is a channel like any other.

Every request carries the ``channel_phone`` token; the call's conversation is named by the SIP
Call-ID. :meth:`HubClient.start` tells the hub the caller's number (the hub finds the elder, the
hotline never sees who it is), :meth:`HubClient.send` posts what the caller said or pressed and
returns the replies, :meth:`HubClient.pending` collects replies that came later (the answer after
"one moment", a consultant's words, a hand-back), :meth:`HubClient.link_code` asks for the
family link code of the elder whose phone calls, :meth:`HubClient.state` says who owns the
conversation and the caller's place in the consultants' queue, :meth:`HubClient.end` that the
call ended (the hub records it, and a caller who is gone leaves the consultants' queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from bot.hub.messages import Reply
from careline.secrets import CHANNEL_PHONE, secret
from careline.settings import Settings


class HubUnavailable(Exception):
    """The hub did not answer, or refused the request."""


@dataclass(frozen=True)
class CallerInfo:
    language: str
    known: bool


@dataclass(frozen=True)
class ConversationState:
    status: str
    waiting: bool
    position: int | None


@dataclass(frozen=True)
class LinkCodeAnswer:
    outcome: str
    """``issued``, ``wrong_year``, ``locked`` or ``cannot_check``."""
    code: str | None
    hours: float
    tries_left: int


def hub_base_url(settings: Settings) -> str:
    if settings.voice_hub_url:
        return settings.voice_hub_url.rstrip("/")
    from careline.cli_hub import hub_url

    return hub_url(settings)


class HubClient:
    def __init__(self, settings: Settings, conversation: str, client: httpx.AsyncClient | None = None) -> None:
        self.conversation = conversation
        self._own = client is None
        # a connection idle for longer than the hub server keeps it (uvicorn: 5 s) is not reused:
        # the server may close it just as a request goes out, and a message must not be sent twice
        self._client = client or httpx.AsyncClient(
            base_url=hub_base_url(settings), timeout=httpx.Timeout(settings.hub_bot_timeout + 15, connect=5),
            limits=httpx.Limits(keepalive_expiry=2.0),
            headers={"Authorization": f"Bearer {secret(CHANNEL_PHONE, settings)}"})

    async def aclose(self) -> None:
        if self._own:
            await self._client.aclose()

    async def _request(self, method: str, path: str, body: dict[str, Any] | None = None,
                       idempotent: bool = False, timeout: float | None = None) -> dict[str, Any]:
        # reads (and what changes nothing the second time) may be asked again; a message is sent once
        attempts = 2 if method == "GET" or idempotent else 1
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        for attempt in range(attempts):
            try:
                response = await self._client.request(method, path, json=body, **extra)
                break
            except httpx.TransportError as error:
                if attempt + 1 == attempts:
                    raise HubUnavailable(type(error).__name__) from error
            except httpx.HTTPError as error:
                raise HubUnavailable(type(error).__name__) from error
        if response.status_code != 200:
            raise HubUnavailable(f"HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as error:
            raise HubUnavailable("not JSON") from error
        return data if isinstance(data, dict) else {}

    async def start(self, caller: str) -> CallerInfo:
        data = await self._request("POST", "/api/calls", {"conversation": self.conversation, "caller": caller[:64]})
        return CallerInfo(str(data.get("language") or "zh"), bool(data.get("known")))

    async def send(self, text: str, language: str, *, kind: str = "speech", payload: str | None = None,
                   confidence: float | None = None) -> list[Reply]:
        body: dict[str, Any] = {"conversation": self.conversation, "text": text[:5000], "kind": kind,
                                "language": language}
        if payload:
            body["payload"] = payload
        if confidence is not None:
            body["confidence"] = round(min(max(confidence, 0.0), 1.0), 3)
        data = await self._request("POST", "/api/messages", body)
        return [Reply.from_body(r) for r in data.get("replies") or [] if isinstance(r, dict)]

    async def pending(self) -> list[Reply]:
        data = await self._request("GET", f"/api/conversations/{quote(self.conversation, safe='')}/pending")
        return [Reply.from_body(r) for r in data.get("replies") or [] if isinstance(r, dict)]

    async def link_code(self, birth_year: int) -> LinkCodeAnswer:
        """The caller's family link code, if ``birth_year`` is the elder's (the hub checks it)."""
        data = await self._request("POST", f"/api/calls/{quote(self.conversation, safe='')}/link-code",
                                   {"birth_year": birth_year})
        code = data.get("code")
        return LinkCodeAnswer(str(data.get("outcome") or ""), str(code) if isinstance(code, str) else None,
                              float(data.get("hours") or 0), int(data.get("tries_left") or 0))

    async def state(self) -> ConversationState:
        data = await self._request("GET", f"/api/conversations/{quote(self.conversation, safe='')}/state")
        position = data.get("position")
        return ConversationState(str(data.get("status") or "pending"), bool(data.get("waiting")),
                                 int(position) if isinstance(position, int) else None)

    async def end(self, reason: str, outcome: str, turns: int, timeout: float = 5.0) -> None:
        """The call ended: ``reason`` as the line said (``caller``, ``local``, ``no_media``,
        ``shutdown``, ``transfer``), the session's ``outcome`` and the caller's number of turns.
        A second end changes nothing at the hub, so it is safe to ask again."""
        await self._request("POST", f"/api/calls/{quote(self.conversation, safe='')}/end",
                            {"reason": reason, "outcome": outcome[:24], "turns": max(0, turns)},
                            idempotent=True, timeout=timeout)
