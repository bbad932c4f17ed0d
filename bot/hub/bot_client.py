"""The hub's client of the dialogue engine (Rasa's CareLine REST channel)."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any
from urllib.parse import quote

import httpx

from bot.hub.messages import Button, Reply


class BotUnavailable(Exception):
    """The dialogue engine could not be reached, so it never saw the message: try again later."""


class BotSilent(Exception):
    """The engine took the message but gave no usable answer."""


class BotLate(BotSilent):
    """The engine took the message but did not answer within the hub's timeout: its turn may
    still finish. Asking again with the same message id is safe (the engine's REST channel
    knows the message by its id and answers with that turn's replies)."""


class RasaClient:
    """Sends a conversation's messages to one of several Rasa servers, always the same one for a
    conversation (so its turns keep their order without a shared lock store); when that server
    cannot be reached the next one takes the turn: trackers live in the shared tracker store."""

    def __init__(self, base_url: str, timeout: float = 30.0, token: str = "") -> None:
        self.urls = [f"{url.strip().rstrip('/')}/webhooks/careline/webhook"
                     for url in base_url.split(",") if url.strip()]
        self.url = self.urls[0]
        self.timeout = httpx.Timeout(timeout, connect=2.0)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}  # the channel refuses calls without it
        self.api_params = {"token": token} if token else {}  # Rasa's HTTP API (--auth-token) asks for it so
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _client_for_this_loop(self) -> httpx.AsyncClient:
        """A connection pool belongs to one event loop; a new loop gets a new pool."""
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client, self._loop = httpx.AsyncClient(timeout=self.timeout, headers=self.headers), loop
        return self._client

    def _order(self, sender: str) -> list[str]:
        digits = "".join(ch for ch in sender if ch.isdigit())
        first = (int(digits) if digits else sum(sender.encode())) % len(self.urls)
        return self.urls[first:] + self.urls[:first]

    async def send(self, sender: str, text: str, metadata: dict[str, Any],
                   message_id: str | None = None, repeat: bool = False) -> list[Reply]:
        """The replies to one message. With ``message_id`` the engine takes the message once,
        however often it is sent: a ``repeat`` is answered with the same turn's replies."""
        payload: dict[str, Any] = {"sender": sender, "message": text, "metadata": metadata}
        if message_id is not None:
            payload["message_id"] = message_id
            payload["repeat"] = repeat
        for url in self._order(sender):
            try:
                response = await self._client_for_this_loop().post(url, json=payload)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                unreachable: Exception = error
            except httpx.TimeoutException as error:
                raise BotLate(type(error).__name__) from error
            except httpx.HTTPError as error:
                raise BotSilent(type(error).__name__) from error
        else:
            raise BotUnavailable(type(unreachable).__name__) from unreachable
        return self._replies(response)

    def _api(self, sender: str, path: str) -> list[str]:
        """Rasa HTTP API addresses of a conversation, its own server first."""
        suffix = "/webhooks/careline/webhook"
        return [f"{url[:-len(suffix)]}/conversations/{quote(sender, safe='')}/{path}" for url in self._order(sender)]

    async def slots(self, sender: str) -> dict[str, Any]:
        """The slots of a conversation's tracker (those with a value)."""
        for api in self._api(sender, "tracker"):
            try:
                response = await self._client_for_this_loop().get(api, params={**self.api_params,
                                                                               "include_events": "NONE"})
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                unreachable: Exception = error
            except httpx.HTTPError as error:
                raise BotSilent(type(error).__name__) from error
        else:
            raise BotUnavailable(type(unreachable).__name__) from unreachable
        if response.status_code >= 400:
            raise BotSilent(f"HTTP {response.status_code}")
        slots = (response.json() or {}).get("slots") or {}
        return {k: v for k, v in slots.items() if v not in (None, "", [])}

    async def append_events(self, sender: str, events: list[dict[str, Any]]) -> None:
        """Append events to a conversation's tracker through Rasa's HTTP API (the tracker store
        is shared, so any server will do; the conversation's own is asked first)."""
        for api in self._api(sender, "tracker/events"):
            try:
                response = await self._client_for_this_loop().post(api, params=self.api_params, json=events)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as error:
                unreachable: Exception = error
            except httpx.HTTPError as error:
                raise BotSilent(type(error).__name__) from error
        else:
            raise BotUnavailable(type(unreachable).__name__) from unreachable
        if response.status_code >= 400:
            raise BotSilent(f"HTTP {response.status_code}")

    @staticmethod
    def _replies(response: httpx.Response) -> list[Reply]:
        if response.status_code in (502, 503, 504):
            raise BotUnavailable(f"HTTP {response.status_code}")
        try:
            messages = response.json() if response.status_code < 400 else None
        except ValueError:
            messages = None
        if not isinstance(messages, list):
            raise BotSilent(f"HTTP {response.status_code}")
        replies: list[Reply] = []
        for message in messages:
            if not isinstance(message, dict):
                continue
            reply = to_reply(message)
            if reply.text or reply.buttons:
                replies.append(reply)
            elif replies and replies[-1].role == "answer" and (reply.role != "answer" or reply.chosen_language):
                # Rasa sends an utterance's text and its json_message as two messages, text first:
                # the role the custom part carries (an emergency) belongs to the text before it
                replies[-1] = dataclasses.replace(replies[-1], role=reply.role,
                                                  chosen_language=reply.chosen_language)
        return replies

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None


def to_reply(message: dict[str, Any]) -> Reply:
    custom = message.get("custom") if isinstance(message.get("custom"), dict) else {}
    role = "holding" if custom.get("holding") else "trouble" if custom.get("trouble") else \
        "emergency" if custom.get("emergency") else "family_link" if custom.get("family_link") else "answer"
    buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", "")))
                    for b in message.get("buttons") or [] if isinstance(b, dict))
    chosen = custom.get("language") if custom.get("language") in ("zh", "en") else None
    return Reply(text=str(message.get("text") or ""), buttons=buttons, role=role, chosen_language=chosen)
