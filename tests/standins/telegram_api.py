"""A local stand-in of the Telegram Bot API, for tests that must not reach the internet.

It speaks the real HTTP protocol of ``https://api.telegram.org`` closely enough that the unchanged
python-telegram-bot library runs against it, in long-polling and in webhook mode::

    with TelegramAPI() as api:
        app = api.application_builder().build()  # token, base_url and base_file_url point here
        ...
        user = api.user(42, "Mei", "zh-hans")
        api.send_text(user, "你好")
        [reply] = await api.wait_for_async(user.id)
        assert reply.buttons[0].callback_data == "book"

What it models, and why:

* ``/bot<token>/<method>`` takes JSON, form-urlencoded and multipart bodies (python-telegram-bot sends
  form fields whose non-string values are JSON encoded, and multipart when it uploads), answers
  ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}`` with the
  same HTTP status, ``parameters.retry_after`` on 429: this is what ``telegram.request.BaseRequest``
  turns into ``RetryAfter``, ``BadRequest``, ``Forbidden``, ``InvalidToken``, ``NetworkError``.
* Updates are kept until confirmed, as on the real server: ``getUpdates`` confirms everything below
  ``offset`` and long-polls up to ``timeout`` seconds; a second poller terminates the first with 409.
  With a webhook set they are POSTed to it instead (with ``X-Telegram-Bot-Api-Secret-Token``), one at a
  time and in order, and a failed delivery stays queued and is retried.
* Message formatting is parsed like the server does (HTML, MarkdownV2, Markdown): the stored text is the
  text a person sees, with entities, and a malformed text fails with the real "can't parse entities"
  error, so a bot that forgets to escape a user's input fails in the tests rather than in production.
  Leading and trailing whitespace is trimmed, texts over 4096 characters and ``callback_data`` over
  64 bytes are refused, editing without ``reply_markup`` drops the inline keyboard, an edit that changes
  nothing is refused with "message is not modified": all behaviours of the real server.
* Faults can be injected per method (``fail``, ``slow``) or for the whole server (``down``); every HTTP
  attempt is recorded separately from the deliveries that took effect, so a test can check that a reply
  reached the user exactly once after retries.

Only loopback webhook URLs are accepted: the stand-in never sends traffic off the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import ipaddress
import itertools
import json
import logging
import random
import re
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from telegram import Bot
    from telegram.ext import ApplicationBuilder

JSON = dict[str, Any]

DEFAULT_TOKEN = "123456789:AAHcareline-standin_token_0123456789"
"""A token of the real shape (bot id, colon, secret); the bot id is the part before the colon."""

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200

_LOGGER = logging.getLogger(__name__)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# The update types a bot receives when it does not list allowed_updates (Bot API: getUpdates).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)


# --------------------------------------------------------------------------------------------------
# Records a test reads
# --------------------------------------------------------------------------------------------------


@dataclass
class User:
    """A Telegram account: a family member talking to the bot (or the bot itself)."""

    id: int
    first_name: str
    language_code: str | None = None
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSON:
        """The Bot API ``User`` object."""
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class Chat:
    """A chat: the private chat with a user (same id as the user) or a group (negative id)."""

    id: int
    type: str = "private"
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    def to_dict(self) -> JSON:
        """The Bot API ``Chat`` object."""
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class InlineButton:
    """One button of an inline keyboard, flattened for assertions."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: JSON = field(default_factory=dict, compare=False)


@dataclass
class StoredMessage:
    """A message in a chat as the stand-in keeps it: what the user sees, and how the bot asked for it.

    ``text`` is the visible text (markup parsed away, whitespace trimmed) and ``entities`` its formatting;
    ``raw_text``/``parse_mode`` are what the bot sent. ``reply_markup`` is whatever markup the bot attached
    (inline keyboard, reply keyboard, ``remove_keyboard``, ``force_reply``). ``edits`` holds the earlier
    versions, oldest first. ``upload`` holds the bytes the bot uploaded (sendVoice, sendAudio, ...).
    """

    chat: Chat
    message_id: int
    date: int
    sender: User
    seq: int
    kind: str = "text"
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: JSON | None = None
    media: JSON = field(default_factory=dict)
    upload: bytes | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: list[JSON] = field(default_factory=list)
    deleted: bool = False

    @property
    def chat_id(self) -> int:
        """The id of the chat the message is in."""
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        """Whether the bot sent this message."""
        return self.sender.is_bot

    @property
    def caption(self) -> str | None:
        """The visible caption of a media message."""
        return self.media.get("caption")

    @property
    def inline_keyboard(self) -> list[list[InlineButton]]:
        """The rows of the inline keyboard attached to the message (empty without one)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [[InlineButton(b.get("text", ""), b.get("callback_data"), b.get("url"), b) for b in row] for row in rows]

    @property
    def buttons(self) -> list[InlineButton]:
        """All inline buttons, row by row."""
        return [button for row in self.inline_keyboard for button in row]

    @property
    def keyboard(self) -> list[list[str]]:
        """The labels of the reply keyboard the message shows (empty without one)."""
        rows = (self.reply_markup or {}).get("keyboard") or []
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in rows]

    @property
    def removes_keyboard(self) -> bool:
        """Whether the message carries ``ReplyKeyboardRemove``."""
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def forces_reply(self) -> bool:
        """Whether the message carries ``ForceReply``."""
        return bool((self.reply_markup or {}).get("force_reply"))

    def button(self, text: str) -> InlineButton:
        """The inline button labelled ``text``; LookupError lists the labels when there is none."""
        for candidate in self.buttons:
            if candidate.text == text:
                return candidate
        raise LookupError(f"no inline button {text!r}; the message has {[b.text for b in self.buttons]}")

    def to_dict(self, *, with_reply: StoredMessage | None = None) -> JSON:
        """The Bot API ``Message`` object, as the server returns and delivers it.

        Like the real server, only an inline keyboard is echoed in ``reply_markup``: reply keyboards and
        ``ForceReply`` are not part of a ``Message``.
        """
        data: JSON = {
            "message_id": self.message_id,
            "from": self.sender.to_dict(),
            "chat": self.chat.to_dict(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = [dict(e) for e in self.entities]
        data.update({key: value for key, value in self.media.items() if value is not None})
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        if with_reply is not None:
            data["reply_to_message"] = with_reply.to_dict()
        return data


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass
class Call:
    """One HTTP attempt on a Bot API method (or a file download, method ``"download"``).

    ``fault`` names the injected fault that answered it (``"fail"``, ``"down"``, ``"slow"``), if any.
    ``delivered`` is true when the call took effect on the server (a message was stored, a webhook set...),
    even if the client had given up by then (``client_gone``), which is how a timed-out send can still
    reach the user.
    """

    method: str
    token: str
    params: JSON = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 0
    response: Any = None
    fault: str | None = None
    delivered: bool = False
    client_gone: bool = False
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's ``answerCallbackQuery`` for a button press."""

    callback_query_id: str
    user_id: int
    chat_id: int | None
    message_id: int | None
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int


@dataclass(frozen=True)
class ChatAction:
    """A ``sendChatAction`` ("typing", "record_voice", ...)."""

    chat_id: int
    action: str
    at: float


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the webhook: ``status`` is None when the connection failed."""

    update_id: int
    url: str
    status: int | None
    error: str | None
    secret_token: str | None
    at: float

    @property
    def ok(self) -> bool:
        """Whether the receiver answered with a 2xx status."""
        return self.status is not None and 200 <= self.status <= 299


@dataclass
class _Fault:
    method: str
    remaining: int | None
    status: int
    retry_after: int | None
    description: str | None
    matching: str | None = None

    def applies(self, params: JSON) -> bool:
        return self.matching is None or self.matching in str(params.get("text") or params.get("caption") or "")


@dataclass
class _Slow:
    method: str
    seconds: float
    remaining: int | None
    apply: bool


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes


class ApiError(Exception):
    """A Bot API error answer: raised inside the handlers, turned into the error JSON."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _Ok:
    """A successful result that also carries the ``description`` the real server adds to some answers."""

    def __init__(self, result: Any, description: str) -> None:
        self.result = result
        self.description = description


class _DropConnection(Response):
    """Sends the status line and headers, then ends the handler without a body.

    uvicorn closes the connection when an ASGI app returns without completing its response, so the
    client sees the peer go away mid-response: httpx raises ``RemoteProtocolError`` and
    python-telegram-bot ``NetworkError``, as when a proxy in front of the real server resets.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200, headers={"content-length": "1024"}, media_type="application/json")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})


class _QuietIncompleteResponse(logging.Filter):
    """Hides uvicorn's complaint about the response that ``_DropConnection`` leaves incomplete on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


# --------------------------------------------------------------------------------------------------
# Message formatting, parsed the way the server parses it
# --------------------------------------------------------------------------------------------------


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


class _EntityError(Exception):
    """A formatting error; the message becomes "Bad Request: can't parse entities: <message>"."""


class _Out:
    """The visible text being built, with its length in UTF-16 units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_length(chunk)

    def text(self) -> str:
        return "".join(self.parts)


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_CHAR_REF = re.compile(r"&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{2,8});")
_HTML_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'", "nbsp": "\xa0"}


def _parse_html(text: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML style: the supported tags only, ``&lt;``/``&gt;``/``&amp;``/``&quot;`` and
    numeric references; any other ``<`` starts a tag and fails, like the server's parser."""
    out = _Out()
    entities: list[JSON] = []
    stack: list[tuple[str, str | None, int, JSON]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            match = _HTML_CHAR_REF.match(text, i)
            decoded: str | None = None
            if match:
                ref = match.group(1)
                if ref[:2] in ("#x", "#X"):
                    decoded = chr(int(ref[2:], 16))
                elif ref.startswith("#"):
                    decoded = chr(int(ref[1:]))
                else:
                    decoded = _HTML_NAMED.get(ref)
            if match and decoded is not None:
                out.add(decoded)
                i = match.end()
            else:
                out.add("&")
                i += 1
            continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        start = i
        if text.startswith("</", i):
            end = text.find(">", i)
            if end < 0:
                raise _EntityError(f"Unclosed end tag at byte offset {_byte_offset(text, start)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _EntityError(f"Unexpected end tag at byte offset {_byte_offset(text, start)}")
            tag, entity_type, offset, attrs = stack.pop()
            if name and name != tag:
                raise _EntityError(
                    f'Unmatched end tag at byte offset {_byte_offset(text, start)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            length = out.pos - offset
            if entity_type and length > 0:
                entity: JSON = {"type": entity_type, "offset": offset, "length": length}
                if entity_type == "text_link":
                    entity["url"] = attrs["href"]
                if entity_type == "pre" and attrs.get("language"):
                    entity["language"] = attrs["language"]
                if entity_type == "custom_emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "")
                entities.append(entity)
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] not in ">/":
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _EntityError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}')
        attrs: JSON = {}
        while True:
            while j < n and text[j].isspace():
                j += 1
            if j >= n:
                raise _EntityError(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
            if text[j] == ">":
                break
            if text[j] == "/" and j + 1 < n and text[j + 1] == ">":
                raise _EntityError(f'Unsupported start tag "{name}/" at byte offset {_byte_offset(text, start)}')
            k = j
            while k < n and (text[k].isalnum() or text[k] in "-_"):
                k += 1
            attr = text[j:k].lower()
            if not attr:
                raise _EntityError(f'Empty attribute name in the tag "{name}" at byte offset {_byte_offset(text, j)}')
            j = k
            while j < n and text[j].isspace():
                j += 1
            value = ""
            if j < n and text[j] == "=":
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                if j < n and text[j] in "'\"":
                    close = text.find(text[j], j + 1)
                    if close < 0:
                        raise _EntityError(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
                    value = text[j + 1 : close]
                    j = close + 1
                else:
                    k = j
                    while k < n and not text[k].isspace() and text[k] != ">":
                        k += 1
                    value = text[j:k]
                    j = k
            attrs[attr] = _HTML_CHAR_REF.sub(lambda m: _HTML_NAMED.get(m.group(1), m.group(0)), value)
        i = j + 1
        entity_type: str | None = _HTML_TAGS[name]
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _EntityError(f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, start)}')
        if name == "a" and not attrs.get("href"):
            entity_type = None  # a link without href is plain text for the server
        if name == "blockquote" and "expandable" in attrs:
            entity_type = "expandable_blockquote"
        if name == "code" and stack and stack[-1][0] == "pre" and attrs.get("class", "").startswith("language-"):
            stack[-1][3]["language"] = attrs["class"][len("language-") :]
            entity_type = None
        stack.append((name, entity_type, out.pos, attrs))
    if stack:
        raise _EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.text(), entities


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def _parse_markdown_v2(text: str) -> tuple[str, list[JSON]]:
    """Telegram's MarkdownV2: every reserved character outside markup must be escaped with ``\\``."""
    out = _Out()
    entities: list[JSON] = []
    stack: list[tuple[str, int, int, JSON]] = []  # type, utf-16 start, byte offset, extra
    quote_start: int | None = None
    i, n = 0, len(text)

    def close(entity_type: str, extra: JSON | None = None) -> None:
        _, offset, _, opened = stack.pop()
        length = out.pos - offset
        if length > 0:
            entities.append({"type": entity_type, "offset": offset, "length": length, **opened, **(extra or {})})

    while i < n:
        char = text[i]
        top = stack[-1][0] if stack else None
        if top in ("code", "pre"):
            if char == "\\" and i + 1 < n and text[i + 1] in "`\\":
                out.add(text[i + 1])
                i += 2
            elif top == "pre" and text.startswith("```", i):
                close("pre")
                i += 3
            elif top == "code" and char == "`":
                close("code")
                i += 1
            else:
                out.add(char)
                i += 1
            continue
        if char == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        if char == "\n" and quote_start is not None and not text.startswith(">", i + 1):
            if out.pos > quote_start:
                entities.append({"type": "blockquote", "offset": quote_start, "length": out.pos - quote_start})
            quote_start = None
        if char not in _MDV2_RESERVED:
            out.add(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if char == "_" and text.startswith("__", i) and top == "underline":
            close("underline")
            i += 2
        elif char == "_" and top == "italic":
            close("italic")
            i += 1
        elif char == "_":
            double = text.startswith("__", i)
            stack.append(("underline" if double else "italic", out.pos, offset, {}))
            i += 2 if double else 1
        elif char in "*~":
            entity_type = "bold" if char == "*" else "strikethrough"
            if top == entity_type:
                close(entity_type)
            else:
                stack.append((entity_type, out.pos, offset, {}))
            i += 1
        elif char == "|" and text.startswith("||", i):
            if top == "spoiler":
                close("spoiler")
            else:
                stack.append(("spoiler", out.pos, offset, {}))
            i += 2
        elif char == "`" and text.startswith("```", i):
            newline = text.find("\n", i + 3)
            closing = text.find("```", i + 3)
            language = ""
            if newline >= 0 and (closing < 0 or newline < closing):
                language = text[i + 3 : newline]
                i = newline + 1
            else:
                i += 3
            stack.append(("pre", out.pos, offset, {"language": language} if language else {}))
        elif char == "`":
            stack.append(("code", out.pos, offset, {}))
            i += 1
        elif char == "[":
            stack.append(("text_link", out.pos, offset, {}))
            i += 1
        elif char == "]" and top == "text_link":
            i += 1
            if i < n and text[i] == "(":
                url_chars: list[str] = []
                i += 1
                while i < n and text[i] != ")":
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    url_chars.append(text[i])
                    i += 1
                if i >= n:
                    raise _EntityError(f"Can't find end of a URL at byte offset {offset}")
                i += 1
                close("text_link", {"url": "".join(url_chars)})
            else:
                stack.pop()  # no URL: the server keeps the text and drops the link
        elif char == ">" and (i == 0 or text[i - 1] == "\n"):
            if quote_start is None:
                quote_start = out.pos
            i += 1
        else:
            raise _EntityError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
    if stack:
        entity_type, _, offset, _ = stack[-1]
        raise _EntityError(f"Can't find end of {_MDV2_NAMES[entity_type]} entity at byte offset {offset}")
    if quote_start is not None and out.pos > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": out.pos - quote_start})
    return out.text(), entities


def _parse_markdown(text: str) -> tuple[str, list[JSON]]:
    """Telegram's legacy Markdown: ``*bold*``, ``_italic_``, `` `code` ``, ```` ```pre``` ````, ``[text](url)``."""
    out = _Out()
    entities: list[JSON] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.add(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        start = out.pos
        if char == "[":
            close = text.find("]", i + 1)
            if close < 0 or not text.startswith("(", close + 1) or text.find(")", close + 2) < 0:
                raise _EntityError(f"Can't find end of the entity starting at byte offset {offset}")
            end = text.find(")", close + 2)
            out.add(text[i + 1 : close])
            if out.pos > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": out.pos - start, "url": text[close + 2 : end]}
                )
            i = end + 1
            continue
        marker = "```" if text.startswith("```", i) else char
        end = text.find(marker, i + len(marker))
        if end < 0:
            raise _EntityError(f"Can't find end of the entity starting at byte offset {offset}")
        inner = text[i + len(marker) : end]
        entity: JSON = {"type": {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[marker]}
        if marker == "```" and "\n" in inner:
            language, _, rest = inner.partition("\n")
            if language and " " not in language:
                entity["language"] = language
                inner = rest
        out.add(inner)
        if out.pos > start:
            entities.append({**entity, "offset": start, "length": out.pos - start})
        i = end + len(marker)
    return out.text(), entities


def _trim(text: str, entities: list[JSON]) -> tuple[str, list[JSON]]:
    """Trim surrounding whitespace like the server does, moving and clipping the entities with it."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_length(text[: len(text) - len(text.lstrip())])
    total = utf16_length(stripped)
    kept: list[JSON] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def format_text(text: str, parse_mode: str | None, entities: list[JSON] | None = None) -> tuple[str, list[JSON]]:
    """The visible text and entities of a text sent with ``parse_mode`` (or explicit ``entities``).

    Raises ApiError 400 with the server's wording when the markup does not parse.
    """
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            plain, found = _parse_html(text)
        elif mode == "markdownv2":
            plain, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = _parse_markdown(text)
        elif mode:
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        else:
            plain, found = text, list(entities or [])
    except _EntityError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return _trim(plain, found)


_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def command_entities(text: str) -> list[JSON]:
    """``bot_command`` entities for every ``/command`` in a user's text, as the server adds them."""
    return [
        {"type": "bot_command", "offset": utf16_length(text[: m.start()]), "length": utf16_length(m.group(0))}
        for m in _COMMAND.finditer(text)
    ]


# --------------------------------------------------------------------------------------------------
# Request parameters
# --------------------------------------------------------------------------------------------------


class Params:
    """The parameters of one call, read with the server's leniency: ``"123"`` is an int, ``"true"`` a bool,
    a JSON string an object (python-telegram-bot sends every non-string value JSON encoded)."""

    def __init__(self, values: JSON, files: dict[str, UploadedFile]) -> None:
        self.values = values
        self.files = files

    def has(self, name: str) -> bool:
        """Whether the parameter was sent (a file part counts)."""
        return name in self.values or name in self.files

    def text(self, name: str, default: str | None = None) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        """An integer parameter; a malformed one is a 400 like on the server."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(float(value)) if isinstance(value, str) and "." in value else int(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def number(self, name: str, default: float = 0.0) -> float:
        """A number parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        """A boolean parameter."""
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes", "on")
        return bool(value)

    def obj(self, name: str) -> Any:
        """An object or array parameter (JSON text in a form, a value in a JSON body)."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int | str:
        """The ``chat_id``: a number, or an ``@username``."""
        value = self.values.get("chat_id")
        if value is None or value == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            return value
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None


async def _read_params(request: Request) -> tuple[JSON, dict[str, UploadedFile]]:
    """Query string and body (JSON, form-urlencoded or multipart) merged, the way the server reads them."""
    values: JSON = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    body = await request.body()
    if not body:
        return values, files
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            data = json.loads(body)
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(data, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        values.update(data)
    elif kind == "application/x-www-form-urlencoded":
        values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif kind == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if not name:
                continue
            if filename is not None:
                files[str(name)] = UploadedFile(filename, payload, part.get_content_type())
            else:
                values[str(name)] = payload.decode("utf-8", "replace")
    return values, files


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _sniff_audio(content: bytes) -> str:
    """The MIME type of uploaded audio, from its first bytes."""
    if content.startswith(b"OggS"):
        return "audio/ogg"
    if content.startswith(b"ID3") or content[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if content[4:8] == b"ftyp":
        return "audio/mp4"
    if content.startswith(b"RIFF") and content[8:12] == b"WAVE":
        return "audio/x-wav"
    return "application/octet-stream"


# --------------------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------------------


class TelegramAPI:
    """A Bot API server for one bot on 127.0.0.1, running uvicorn in a background thread.

    Use it as a context manager (``with TelegramAPI() as api``) or call ``start()``/``stop()``. Point
    python-telegram-bot at ``base_url``/``base_file_url`` (``application_builder()`` does it). The
    simulation methods (``user``, ``send_text``, ``press_button``...) and the read methods (``sent``,
    ``wait_for``...) are thread-safe and may be called from the test while the bot runs.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "careline_test_bot",
        bot_name: str = "CareLine",
        webhook_retry_delay: float = 0.2,
        webhook_timeout: float = 5.0,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456789
        self.bot = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.webhook_retry_delay = webhook_retry_delay
        self.webhook_timeout = webhook_timeout

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._users: dict[int, User] = {}
        self._chats: dict[int, Chat] = {}
        self._messages: dict[int, list[StoredMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._marks: dict[int, int] = {}
        self._seq = itertools.count(1)
        self._last_seq = 0
        # Telegram starts a bot's update ids at an arbitrary number (again after a week without updates):
        # each stand-in starts elsewhere, so tests sharing a database do not see each other's ids.
        self._update_ids = itertools.count(random.randint(100_000_000, 900_000_000))
        self._pending: list[JSON] = []
        self._allowed_updates: list[str] = []
        self._queries: dict[str, tuple[User, StoredMessage | None]] = {}
        self._answered: set[str] = set()
        self._query_ids = itertools.count(4_211_000_000_000_000_001)
        self._callback_answers: list[CallbackAnswer] = []
        self._chat_actions: list[ChatAction] = []
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_paths: dict[str, str] = {}
        self._file_counter = itertools.count(1)
        self._keyboards: dict[int, JSON | None] = {}
        self._blocked: set[int] = set()
        self._calls: list[Call] = []
        self._faults: list[_Fault] = []
        self._slows: list[_Slow] = []
        self._down: str | None = None
        self._webhook: JSON = {}
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_attempts: list[WebhookAttempt] = []
        self._poll_generation = 0

        self._loop: asyncio.AbstractEventLoop | None = None
        self._event: asyncio.Event | None = None
        self._closing: asyncio.Event | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._handlers: dict[str, tuple[str, Callable[[Params, Call], Any]]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("setWebhook", self._set_webhook),
            ("deleteWebhook", self._delete_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendChatAction", self._send_chat_action),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("getFile", self._get_file),
            ("sendVoice", lambda p, c: self._send_media(p, "voice")),
            ("sendAudio", lambda p, c: self._send_media(p, "audio")),
            ("sendPhoto", lambda p, c: self._send_media(p, "photo")),
            ("sendDocument", lambda p, c: self._send_media(p, "document")),
            ("getUpdates", self._get_updates_placeholder),
        ):
            self._handlers[name.lower()] = (name, handler)

    # ----- lifecycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The ``base_url`` for python-telegram-bot (the token is appended by the library)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """The ``base_file_url`` for python-telegram-bot."""
        return f"{self.url}/file/bot"

    def start(self) -> TelegramAPI:
        """Bind a free port on 127.0.0.1 and serve in a background thread; returns self."""
        if self._thread is not None:
            raise RuntimeError("the stand-in is already running")
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._handle_method, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._handle_file, methods=["GET"]),
            ],
            lifespan=self._lifespan,
        )
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            http="h11",
            loop="asyncio",
            lifespan="on",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        uvicorn_logger = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _QuietIncompleteResponse) for f in uvicorn_logger.filters):
            uvicorn_logger.addFilter(_QuietIncompleteResponse())
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="telegram-api-standin", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Telegram API stand-in did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving: pending long polls return at once, then the thread ends."""
        if self._server is None or self._thread is None:
            return
        if self._loop is not None and self._closing is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._closing.set)
        self._wake()
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> TelegramAPI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        self._closing = asyncio.Event()
        delivery = asyncio.create_task(self._deliver_webhooks(), name="telegram-api-standin-webhook")
        try:
            yield
        finally:
            self._closing.set()
            delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await delivery

    def application_builder(self) -> ApplicationBuilder:
        """A ``telegram.ext.ApplicationBuilder`` with this token and URLs set (add timeouts, handlers...)."""
        from telegram.ext import Application

        return Application.builder().token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    def bot_client(self, token: str | None = None) -> Bot:
        """A plain ``telegram.Bot`` talking to the stand-in (use ``async with``)."""
        from telegram import Bot

        return Bot(token or self.token, base_url=self.base_url, base_file_url=self.base_file_url)

    # ----- waking the server's waiters ------------------------------------------------------------

    def _wake(self) -> None:
        """Tell long polls and the webhook sender that something changed (callable from any thread)."""
        with self._changed:
            self._changed.notify_all()
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._wake_in_loop)

    def _wake_in_loop(self) -> None:
        event, self._event = self._event, asyncio.Event()
        if event is not None:
            event.set()

    async def _pause(self, seconds: float, event: asyncio.Event | None = None) -> None:
        """Sleep ``seconds`` unless the server closes (or ``event`` is set) first."""
        waiters = [self._closing] + ([event] if event is not None else [])
        tasks = [asyncio.ensure_future(w.wait()) for w in waiters if w is not None]
        try:
            await asyncio.wait(tasks, timeout=max(0.0, seconds), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    # ----- simulation: users and their messages ---------------------------------------------------

    def user(
        self,
        id: int,
        first_name: str = "Test",
        language_code: str | None = "en",
        *,
        last_name: str | None = None,
        username: str | None = None,
    ) -> User:
        """A user and their private chat with the bot (the chat id is the user id)."""
        with self._lock:
            user = User(id, first_name, language_code, last_name, username)
            self._users[id] = user
            if id not in self._chats:
                self._chats[id] = Chat(id, "private", first_name=first_name, last_name=last_name, username=username)
            return user

    def group(self, id: int, title: str) -> Chat:
        """A group chat the bot is in (``id`` negative, as on Telegram); pass it as ``chat=``."""
        if id >= 0:
            raise ValueError("group chat ids are negative")
        with self._lock:
            chat = Chat(id, "group", title=title)
            self._chats[id] = chat
            return chat

    def block(self, user: User, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot: sends to them fail with 403 "bot was blocked by the user"."""
        with self._lock:
            (self._blocked.add if blocked else self._blocked.discard)(user.id)

    def send_text(
        self,
        user: User,
        text: str,
        *,
        chat: Chat | None = None,
        reply_to: StoredMessage | None = None,
        entities: list[JSON] | None = None,
    ) -> StoredMessage:
        """The user sends ``text``; ``/commands`` in it get ``bot_command`` entities as on Telegram."""
        found = command_entities(text) if entities is None else entities
        return self._user_message(user, chat, kind="text", text=text, entities=found, reply_to=reply_to)

    def send_command(
        self, user: User, command: str, args: str | Iterable[str] = "", *, chat: Chat | None = None
    ) -> StoredMessage:
        """The user sends ``/command args`` (``/start payload`` is how deep links arrive)."""
        command = command if command.startswith("/") else f"/{command}"
        if chat is not None and chat.type != "private" and "@" not in command:
            command = f"{command}@{self.bot.username}"
        tail = args if isinstance(args, str) else " ".join(args)
        text = f"{command} {tail}" if tail else command
        entity = {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
        return self._user_message(user, chat, kind="text", text=text, entities=[entity])

    def send_sticker(self, user: User, emoji: str = "🙂", *, chat: Chat | None = None) -> StoredMessage:
        """The user sends a sticker."""
        stored = self._store_file("stickers", "webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return self._user_message(user, chat, kind="sticker", media={"sticker": sticker})

    def send_photo(
        self, user: User, content: bytes | None = None, caption: str | None = None, *, chat: Chat | None = None
    ) -> StoredMessage:
        """The user sends a photo (two sizes, as Telegram delivers them)."""
        content = content if content is not None else b"\xff\xd8\xff\xe0standin-jpeg\xff\xd9"
        sizes = []
        for width, height in ((90, 68), (800, 600)):
            stored = self._store_file("photos", "jpg", content)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(content),
                }
            )
        media: JSON = {"photo": sizes}
        if caption:
            media["caption"] = caption
        return self._user_message(user, chat, kind="photo", media=media)

    def send_voice(
        self,
        user: User,
        ogg_bytes: bytes,
        duration: int = 1,
        *,
        chat: Chat | None = None,
        mime_type: str = "audio/ogg",
    ) -> StoredMessage:
        """The user sends a voice note; its bytes are stored so ``getFile`` and the download work."""
        stored = self._store_file("voice", "oga", ogg_bytes)
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": mime_type,
            "file_size": len(ogg_bytes),
        }
        return self._user_message(user, chat, kind="voice", media={"voice": voice})

    def press_button(
        self, user: User, message: StoredMessage, callback_data: str | None = None, *, text: str | None = None
    ) -> str:
        """The user presses an inline button of the bot's ``message`` (by ``callback_data`` or label ``text``).

        Queues a ``callback_query`` update referencing the message as it is now, and returns the query id
        (``callback_answer``/``wait_for_answer`` read the bot's answer). LookupError when the message has no
        such button: a test should not press what the user cannot see.
        """
        with self._lock:
            current = self.message(message.chat_id, message.message_id)
            if current.deleted:
                raise LookupError("the message was deleted")
            candidates = [
                b
                for b in current.buttons
                if (callback_data is None or b.callback_data == callback_data)
                and (text is None or b.text == text)
                and b.callback_data is not None
            ]
            if not candidates:
                labels = [(b.text, b.callback_data) for b in current.buttons]
                raise LookupError(f"no inline button {callback_data or text!r} on the message; it has {labels}")
            query_id = str(next(self._query_ids))
            self._queries[query_id] = (user, current)
            self._marks[current.chat_id] = self._last_seq
            query = {
                "id": query_id,
                "from": user.to_dict(),
                "message": current.to_dict(),
                "chat_instance": str(abs(hash(("chat", current.chat_id))) % 10**18),
                "data": candidates[0].callback_data,
            }
            self._enqueue({"callback_query": query})
        return query_id

    def push_update(self, payload: JSON) -> int:
        """Queue a hand-made update (e.g. ``{"edited_message": {...}}``); returns its update_id."""
        with self._lock:
            return self._enqueue(dict(payload))

    def _user_message(
        self,
        user: User,
        chat: Chat | None,
        *,
        kind: str,
        text: str | None = None,
        entities: list[JSON] | None = None,
        media: JSON | None = None,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        with self._lock:
            if user.id not in self._users:
                self.user(user.id, user.first_name, user.language_code)
            target = chat or self._chats[user.id]
            self._marks[target.id] = self._last_seq
            message = self._store_message(
                target, user, kind=kind, text=text, entities=list(entities or []), media=dict(media or {})
            )
            message.reply_to_message_id = reply_to.message_id if reply_to else None
            self._enqueue({"message": message.to_dict(with_reply=reply_to)})
            return message

    def _store_message(self, chat: Chat, sender: User, **fields: Any) -> StoredMessage:
        message_id = self._next_message_id.get(chat.id, 1)
        self._next_message_id[chat.id] = message_id + 1
        seq = next(self._seq)
        self._last_seq = seq
        message = StoredMessage(
            chat=chat, message_id=message_id, date=int(time.time()), sender=sender, seq=seq, **fields
        )
        self._messages.setdefault(chat.id, []).append(message)
        self._changed.notify_all()
        return message

    def _store_file(self, folder: str, extension: str, content: bytes) -> _StoredFile:
        with self._lock:
            number = next(self._file_counter)
            stored = _StoredFile(
                file_id=f"AwACAgUAAxkBAAI{number:06d}standin",
                file_unique_id=f"AgAD{number:06d}",
                file_path=f"{folder}/file_{number}.{extension}",
                content=content,
            )
            self._files[stored.file_id] = stored
            self._file_paths[stored.file_path] = stored.file_id
            return stored

    def _enqueue(self, payload: JSON) -> int:
        update_id = next(self._update_ids)
        self._pending.append({"update_id": update_id, **payload})
        self._wake()
        return update_id

    # ----- reading what the bot did ---------------------------------------------------------------

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Every message of the chat, both directions, in order."""
        with self._lock:
            return list(self._messages.get(chat_id, []))

    def sent(self, chat_id: int) -> list[StoredMessage]:
        """The messages the bot sent to the chat, in order (edits applied; deleted ones flagged)."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        """One message of the chat, as it is now."""
        with self._lock:
            for message in self._messages.get(chat_id, []):
                if message.message_id == message_id:
                    return message
        raise LookupError(f"no message {message_id} in chat {chat_id}")

    def keyboard(self, chat_id: int) -> list[list[str]] | None:
        """The reply keyboard the user currently sees in the chat (None after ``ReplyKeyboardRemove``)."""
        with self._lock:
            markup = self._keyboards.get(chat_id)
        if not markup:
            return None
        return [[b if isinstance(b, str) else b.get("text", "") for b in row] for row in markup["keyboard"]]

    def wait_until(self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
        """Block until ``condition()`` is truthy (re-checked on every change) and return its value."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = condition()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
                self._changed.wait(min(remaining, 0.05))

    def wait_for(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        since: int | None = None,
    ) -> list[StoredMessage]:
        """Wait until the bot has sent ``count`` messages (matching ``predicate``) to the chat since the
        user's last action there, and return all those messages.

        "Since" is the user's last simulated message or button press in that chat; pass ``since=0`` to
        count every message of the chat. Blocks the calling thread: from a coroutine running the bot in
        the same event loop, use ``wait_for_async``.
        """

        def ready() -> list[StoredMessage] | None:
            mark = self._marks.get(chat_id, 0) if since is None else since
            found = [m for m in self.sent(chat_id) if m.seq > mark and (predicate is None or predicate(m))]
            return found if len(found) >= count else None

        try:
            return self.wait_until(ready, timeout, f"{count} bot message(s) in chat {chat_id}")
        except TimeoutError:
            texts = [(m.message_id, m.text or m.kind) for m in self.sent(chat_id)]
            raise TimeoutError(
                f"timed out after {timeout} s waiting for {count} bot message(s) in chat {chat_id}; "
                f"the bot sent {texts}"
            ) from None

    async def wait_for_async(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 5.0,
        predicate: Callable[[StoredMessage], bool] | None = None,
        *,
        since: int | None = None,
    ) -> list[StoredMessage]:
        """``wait_for`` without blocking the event loop (the bot may be running in it)."""
        return await asyncio.to_thread(self.wait_for, chat_id, count, timeout, predicate, since=since)

    async def wait_until_async(
        self, condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition"
    ) -> Any:
        """``wait_until`` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_until, condition, timeout, what)

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every ``answerCallbackQuery`` the bot made, in order."""
        with self._lock:
            return list(self._callback_answers)

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        """The bot's answer to the press ``query_id``, if it answered."""
        with self._lock:
            return next((a for a in self._callback_answers if a.callback_query_id == query_id), None)

    def wait_for_answer(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Block until the bot answers the press ``query_id``."""
        return self.wait_until(lambda: self.callback_answer(query_id), timeout, f"the answer to query {query_id}")

    async def wait_for_answer_async(self, query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """``wait_for_answer`` without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for_answer, query_id, timeout)

    @property
    def chat_actions(self) -> list[ChatAction]:
        """Every ``sendChatAction``, in order."""
        with self._lock:
            return list(self._chat_actions)

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The command menu set with ``setMyCommands`` for a scope and language."""
        with self._lock:
            return list(self._commands.get((self._scope_key(scope), language_code), []))

    def file_bytes(self, file_id: str) -> bytes:
        """The content of a stored file (one the user sent or the bot uploaded)."""
        with self._lock:
            return self._files[file_id].content

    def attempts(self, method: str | None = None) -> list[Call]:
        """Every HTTP attempt, faulted or not, optionally of one method (case-insensitive)."""
        with self._lock:
            return [c for c in self._calls if method is None or c.method.lower() == method.lower()]

    def deliveries(self, method: str | None = None) -> list[Call]:
        """The attempts that took effect (``Call.delivered``), optionally of one method."""
        return [c for c in self.attempts(method) if c.delivered]

    def pending_updates(self) -> list[JSON]:
        """The updates not yet confirmed by ``getUpdates`` nor delivered to the webhook."""
        with self._lock:
            return [dict(u) for u in self._pending]

    @property
    def webhook_attempts(self) -> list[WebhookAttempt]:
        """Every POST to the webhook, failed or not."""
        with self._lock:
            return list(self._webhook_attempts)

    @property
    def webhook_deliveries(self) -> list[WebhookAttempt]:
        """The webhook POSTs the receiver accepted (2xx)."""
        return [a for a in self.webhook_attempts if a.ok]

    # ----- fault injection ------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        times: int | None = 1,
        status: int = 500,
        retry_after: int | None = None,
        description: str | None = None,
        matching: str | None = None,
    ) -> None:
        """The next ``times`` calls of ``method`` (``"*"``: any; None: until ``clear_faults``) fail with
        ``status`` and do not take effect. A 429 carries ``parameters.retry_after`` (default 1 s).
        With ``matching``, only calls whose text (or caption) contains it fail: a server that refuses one
        message for good (``status=400``, ``times=None``) while the others go through."""
        if status == 429 and retry_after is None:
            retry_after = 1
        with self._lock:
            self._faults.append(_Fault(method.lower(), times, status, retry_after, description, matching))

    def slow(self, method: str, seconds: float, times: int | None = None, apply: bool = True) -> None:
        """Calls of ``method`` wait ``seconds`` before they are handled, so a client with a shorter read
        timeout gives up (``TimedOut``). With ``apply`` the call still takes effect afterwards, as a send
        that timed out on the client may still reach the user; without it, it is dropped."""
        with self._lock:
            self._slows.append(_Slow(method.lower(), seconds, times, apply))

    def down(self, state: bool = True, mode: str = "502") -> None:
        """Take the whole server down (or bring it back). ``mode="502"``: the gateway answers an HTML
        502 page, as during Telegram outages; ``mode="drop"``: the connection closes mid-response. The
        library raises ``NetworkError`` for both."""
        if mode not in ("502", "drop"):
            raise ValueError("mode is '502' or 'drop'")
        with self._lock:
            self._down = mode if state else None

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._lock:
            self._faults.clear()
            self._slows.clear()
            self._down = None

    def _take(self, rules: list[Any], method: str, params: JSON | None = None) -> Any:
        for rule in rules:
            if params is not None and isinstance(rule, _Fault) and not rule.applies(params):
                continue
            if rule.method in ("*", method.lower()) and (rule.remaining is None or rule.remaining > 0):
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule
        return None

    # ----- HTTP handlers --------------------------------------------------------------------------

    async def _handle_method(self, request: Request) -> Response:
        token = request.path_params["token"]
        name = request.path_params["method"]
        canonical, handler = self._handlers.get(name.lower(), (name, None))
        call = Call(method=canonical, token=token)
        with self._lock:
            self._calls.append(call)
        try:
            call.params, call.files = await _read_params(request)
            with self._lock:
                down = self._down
            if down:
                call.fault = "down"
                call.status = 502
                return _DropConnection() if down == "drop" else Response(_NGINX_502, 502, media_type="text/html")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if handler is None:
                raise ApiError(404, "Not Found")
            with self._lock:
                fault: _Fault | None = self._take(self._faults, canonical, call.params)
                slow: _Slow | None = None if fault else self._take(self._slows, canonical)
            if fault is not None:
                call.fault = "fail"
                return self._fault_response(call, fault)
            if slow is not None:
                call.fault = "slow"
                await self._pause(slow.seconds)
                call.client_gone = await request.is_disconnected()
                if not slow.apply:
                    raise ApiError(504, "Gateway Timeout")
            params = Params(call.params, call.files)
            if canonical == "getUpdates":
                result: Any = await self._get_updates(params)
                call.delivered = True
            else:
                with self._lock:
                    result = handler(params, call)
                    call.delivered = True
                    self._changed.notify_all()
            body: JSON = {"ok": True}
            if isinstance(result, _Ok):
                body.update(result=result.result, description=result.description)
            else:
                body["result"] = result
            call.status, call.response = 200, body
            return JSONResponse(body)
        except ApiError as exc:
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            call.status, call.response = exc.status, body
            return JSONResponse(body, status_code=exc.status)
        finally:
            call.finished = time.monotonic()
            self._wake()

    def _fault_response(self, call: Call, fault: _Fault) -> Response:
        if fault.status == 429:
            description = fault.description or f"Too Many Requests: retry after {fault.retry_after}"
        else:
            description = fault.description or {
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
                504: "Gateway Timeout",
            }.get(fault.status, f"Error {fault.status}")
        body: JSON = {"ok": False, "error_code": fault.status, "description": description}
        if fault.retry_after:
            body["parameters"] = {"retry_after": fault.retry_after}
        call.status, call.response = fault.status, body
        return JSONResponse(body, status_code=fault.status)

    async def _handle_file(self, request: Request) -> Response:
        call = Call(
            method="download",
            token=request.path_params["token"],
            params={"file_path": request.path_params["file_path"]},
        )
        with self._lock:
            self._calls.append(call)
        try:
            with self._lock:
                down = self._down
                fault = None if down else self._take(self._faults, "download")
                stored_id = self._file_paths.get(request.path_params["file_path"])
                stored = self._files.get(stored_id) if stored_id else None
            if down:
                call.fault, call.status = "down", 502
                return _DropConnection() if down == "drop" else Response(_NGINX_502, 502, media_type="text/html")
            if fault is not None:
                call.fault = "fail"
                return self._fault_response(call, fault)
            if call.token != self.token:
                call.status = 401
                return JSONResponse({"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401)
            if stored is None:
                call.status = 404
                return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404)
            call.status, call.delivered = 200, True
            return Response(stored.content, media_type="application/octet-stream")
        finally:
            call.finished = time.monotonic()
            self._wake()

    # ----- Bot API methods (called with the lock held, except getUpdates) --------------------------

    def _get_me(self, p: Params, call: Call) -> JSON:
        return {
            **self.bot.to_dict(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _get_updates_placeholder(self, p: Params, call: Call) -> None:  # pragma: no cover - dispatched async
        raise AssertionError("getUpdates is handled by _get_updates")

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def _allowed(self, update: JSON) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    def _deliverable(self) -> list[JSON]:
        """Pending updates the bot wants; the others are dropped, as the server never sends them."""
        self._pending = [u for u in self._pending if self._allowed(u)]
        return self._pending

    async def _get_updates(self, p: Params) -> list[JSON]:
        assert self._loop is not None
        offset = p.integer("offset", 0) or 0
        limit = min(100, max(1, p.integer("limit", 100) or 100))
        timeout = max(0.0, p.number("timeout", 0.0))
        with self._lock:
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                    "the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            if p.has("allowed_updates"):
                self._allowed_updates = list(p.obj("allowed_updates") or [])
            self._confirm(offset)
        self._wake()  # an older poll still waiting is terminated by this one
        deadline = self._loop.time() + timeout
        while True:
            event = self._event
            with self._lock:
                if self._webhook.get("url"):
                    raise ApiError(409, "Conflict: terminated by setWebhook request")
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only one bot "
                        "instance is running",
                    )
                batch = [dict(u) for u in self._deliverable()[:limit]]
            remaining = deadline - self._loop.time()
            if batch or remaining <= 0 or (self._closing is not None and self._closing.is_set()):
                return batch
            await self._pause(remaining, event)

    def _set_webhook(self, p: Params, call: Call) -> _Ok:
        url = p.text("url", "") or ""
        if not url:
            return self._delete_webhook(p, call)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ApiError(400, "Bad Request: bad webhook: invalid webhook URL specified")
        if not _is_loopback(parts.hostname):
            raise ApiError(400, "Bad Request: bad webhook: the stand-in only delivers to loopback addresses")
        secret = p.text("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if p.has("allowed_updates"):
            self._allowed_updates = list(p.obj("allowed_updates") or [])
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        unchanged = self._webhook.get("url") == url
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": p.integer("max_connections", 40),
            "ip_address": p.text("ip_address"),
        }
        self._webhook_error = None
        self._wake()
        return _Ok(True, "Webhook is already set" if unchanged else "Webhook was set")

    def _delete_webhook(self, p: Params, call: Call) -> _Ok:
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        had = bool(self._webhook.get("url"))
        self._webhook = {}
        self._webhook_error = None
        self._wake()
        return _Ok(True, "Webhook was deleted" if had else "Webhook is already deleted")

    def _get_webhook_info(self, p: Params, call: Call) -> JSON:
        info: JSON = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._deliverable()),
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook.get("max_connections") or 40
            if self._webhook.get("ip_address"):
                info["ip_address"] = self._webhook["ip_address"]
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
        if self._webhook_error:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _deliver_webhooks(self) -> None:
        """POST pending updates to the webhook one at a time, in order; keep and retry failed ones."""
        async with httpx.AsyncClient(timeout=self.webhook_timeout, trust_env=False) as client:
            while True:
                event = self._event
                with self._lock:
                    url = self._webhook.get("url")
                    secret = self._webhook.get("secret_token")
                    pending = self._deliverable() if url else []
                    update = dict(pending[0]) if pending else None
                if not url or update is None:
                    await self._pause(3600, event)
                    if self._closing is not None and self._closing.is_set():
                        return
                    continue
                headers = {"Content-Type": "application/json"}
                if secret:
                    headers["X-Telegram-Bot-Api-Secret-Token"] = secret
                status: int | None = None
                error: str | None = None
                try:
                    response = await client.post(url, content=json.dumps(update).encode(), headers=headers)
                    status = response.status_code
                    if not 200 <= status <= 299:
                        error = f"Wrong response from the webhook: {status} {response.reason_phrase}"
                except httpx.HTTPError as exc:
                    error = f"Connection failed: {type(exc).__name__}: {exc}"
                attempt = WebhookAttempt(update["update_id"], url, status, error, secret, time.monotonic())
                with self._lock:
                    self._webhook_attempts.append(attempt)
                    if attempt.ok:
                        self._pending = [u for u in self._pending if u["update_id"] != update["update_id"]]
                    elif self._webhook.get("url") == url:
                        self._webhook_error = (int(time.time()), error or "")
                    self._changed.notify_all()
                if not attempt.ok:
                    await self._pause(self.webhook_retry_delay)
                if self._closing is not None and self._closing.is_set():
                    return

    def _chat(self, p: Params) -> Chat:
        chat_id = p.chat_id()
        if isinstance(chat_id, str):
            chat = next((c for c in self._chats.values() if c.username and f"@{c.username}" == chat_id), None)
        else:
            chat = self._chats.get(chat_id)
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _markup(self, p: Params, *, inline_only: bool = False) -> JSON | None:
        if not p.has("reply_markup"):
            return None
        markup = p.obj("reply_markup")
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: object expected as reply markup")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400, 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: "
                            "Text buttons are unallowed in the inline keyboard",
                        )
                    data = button.get("callback_data")
                    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                        raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                    actions = set(button) - {"text", "style", "icon_custom_emoji_id"}
                    if len(actions) != 1:
                        raise ApiError(
                            400,
                            "Bad Request: can't parse inline keyboard button: "
                            "exactly one of the optional fields must be used",
                        )
            return markup
        if inline_only:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            markup = {
                **markup,
                "keyboard": [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows],
            }
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise ApiError(400, "Bad Request: unsupported reply markup")

    def _reply_target(self, p: Params, chat: Chat) -> StoredMessage | None:
        reply = p.obj("reply_parameters") if p.has("reply_parameters") else None
        message_id = (reply or {}).get("message_id") if reply else p.integer("reply_to_message_id")
        if not message_id:
            return None
        allow = bool((reply or {}).get("allow_sending_without_reply")) or p.flag("allow_sending_without_reply")
        for message in self._messages.get(chat.id, []):
            if message.message_id == int(message_id) and not message.deleted:
                return message
        if allow:
            return None
        raise ApiError(400, "Bad Request: message to be replied not found")

    def _note_keyboard(self, chat: Chat, markup: JSON | None) -> None:
        if markup and "keyboard" in markup:
            self._keyboards[chat.id] = markup
        elif markup and markup.get("remove_keyboard"):
            self._keyboards[chat.id] = None

    def _send_message(self, p: Params, call: Call) -> JSON:
        chat = self._chat(p)
        raw = p.text("text", "") or ""
        entities_param = p.obj("entities") if p.has("entities") else None
        text, entities = format_text(raw, p.text("parse_mode"), entities_param)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(p)
        reply_to = self._reply_target(p, chat)
        message = self._store_message(
            chat,
            self.bot,
            kind="text",
            text=text,
            entities=entities,
            raw_text=raw,
            parse_mode=p.text("parse_mode"),
            reply_markup=markup,
        )
        message.reply_to_message_id = reply_to.message_id if reply_to else None
        self._note_keyboard(chat, markup)
        return message.to_dict(with_reply=reply_to)

    def _send_media(self, p: Params, kind: str) -> JSON:
        chat = self._chat(p)
        content, filename, mime = self._media_input(p, kind)
        caption_raw = p.text("caption")
        media: JSON = {}
        if caption_raw:
            caption, caption_entities = format_text(caption_raw, p.text("parse_mode"), p.obj("caption_entities"))
            if utf16_length(caption) > MAX_CAPTION_LENGTH:
                raise ApiError(400, "Bad Request: message caption is too long")
            media["caption"] = caption
            if caption_entities:
                media["caption_entities"] = caption_entities
        folder, extension = {"voice": ("voice", "oga"), "audio": ("music", "mp3"), "photo": ("photos", "jpg")}.get(
            kind, ("documents", (filename or "file.bin").rsplit(".", 1)[-1])
        )
        stored = self._store_file(folder, extension, content)
        described: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(content),
        }
        if kind == "voice":
            media["voice"] = {
                **described,
                "duration": p.integer("duration", 0) or 0,
                "mime_type": _sniff_audio(content),
            }
        elif kind == "audio":
            audio = {**described, "duration": p.integer("duration", 0) or 0, "mime_type": _sniff_audio(content)}
            for key in ("title", "performer"):
                if p.text(key):
                    audio[key] = p.text(key)
            if filename:
                audio["file_name"] = filename
            media["audio"] = audio
        elif kind == "photo":
            media["photo"] = [{**described, "width": 800, "height": 600}]
        else:
            media["document"] = {**described, "file_name": filename or "file", "mime_type": mime}
        markup = self._markup(p)
        reply_to = self._reply_target(p, chat)
        message = self._store_message(chat, self.bot, kind=kind, media=media, reply_markup=markup, upload=content)
        message.reply_to_message_id = reply_to.message_id if reply_to else None
        self._note_keyboard(chat, markup)
        return message.to_dict(with_reply=reply_to)

    def _media_input(self, p: Params, kind: str) -> tuple[bytes, str | None, str]:
        upload = p.files.get(kind)
        value = p.text(kind)
        if upload is None and value and value.startswith("attach://"):
            upload = p.files.get(value[len("attach://") :])
        if upload is not None:
            return upload.content, upload.filename, upload.content_type
        if not value:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        stored = self._files.get(value)
        if stored is None:
            # The real server would fetch an HTTP URL; the stand-in has no network, so it refuses.
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        return stored.content, stored.file_path.rsplit("/", 1)[-1], "application/octet-stream"

    def _editable(self, p: Params, verb: str) -> StoredMessage:
        if p.has("inline_message_id"):
            raise ApiError(400, "Bad Request: the stand-in does not model inline messages")
        chat = self._chat(p)
        message_id = p.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        for message in self._messages.get(chat.id, []):
            if message.message_id == message_id and not message.deleted:
                if verb == "edit" and not message.from_bot:
                    raise ApiError(400, "Bad Request: message can't be edited")
                return message
        raise ApiError(400, f"Bad Request: message to {verb} not found")

    def _snapshot(self, message: StoredMessage) -> JSON:
        return {
            "text": message.text,
            "entities": list(message.entities),
            "reply_markup": message.reply_markup,
            "edit_date": message.edit_date,
        }

    def _edit_message_text(self, p: Params, call: Call) -> JSON:
        message = self._editable(p, "edit")
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw = p.text("text", "") or ""
        text, entities = format_text(raw, p.text("parse_mode"), p.obj("entities") if p.has("entities") else None)
        if not text:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_length(text) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        # Without reply_markup the edited message has no inline keyboard any more, as on Telegram.
        markup = self._markup(p, inline_only=True)
        if text == message.text and entities == message.entities and markup == message.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        message.edits.append(self._snapshot(message))
        message.text, message.entities, message.raw_text = text, entities, raw
        message.parse_mode = p.text("parse_mode")
        message.reply_markup = markup
        message.edit_date = int(time.time())
        return message.to_dict()

    def _edit_message_reply_markup(self, p: Params, call: Call) -> JSON:
        message = self._editable(p, "edit")
        markup = self._markup(p, inline_only=True)
        if markup == message.reply_markup or (not markup and not message.reply_markup):
            raise ApiError(400, _NOT_MODIFIED)
        message.edits.append(self._snapshot(message))
        message.reply_markup = markup
        message.edit_date = int(time.time())
        return message.to_dict()

    def _delete_message(self, p: Params, call: Call) -> bool:
        message = self._editable(p, "delete")
        message.deleted = True
        return True

    def _answer_callback_query(self, p: Params, call: Call) -> bool:
        query_id = p.text("callback_query_id") or ""
        if query_id not in self._queries or query_id in self._answered:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        text = p.text("text")
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        user, message = self._queries[query_id]
        self._answered.add(query_id)
        self._callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                user_id=user.id,
                chat_id=message.chat_id if message else None,
                message_id=message.message_id if message else None,
                text=text,
                show_alert=p.flag("show_alert"),
                url=p.text("url"),
                cache_time=p.integer("cache_time", 0) or 0,
            )
        )
        return True

    def _send_chat_action(self, p: Params, call: Call) -> bool:
        chat = self._chat(p)
        action = p.text("action") or ""
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self._chat_actions.append(ChatAction(chat.id, action, time.monotonic()))
        return True

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            return "default"
        return json.dumps(scope, sort_keys=True)

    def _set_my_commands(self, p: Params, call: Call) -> bool:
        commands = p.obj("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: commands must be an array")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = (self._scope_key(p.obj("scope")), p.text("language_code", "") or "")
        self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        return True

    def _get_my_commands(self, p: Params, call: Call) -> list[JSON]:
        return list(self._commands.get((self._scope_key(p.obj("scope")), p.text("language_code", "") or ""), []))

    def _delete_my_commands(self, p: Params, call: Call) -> bool:
        self._commands.pop((self._scope_key(p.obj("scope")), p.text("language_code", "") or ""), None)
        return True

    def _get_file(self, p: Params, call: Call) -> JSON:
        stored = self._files.get(p.text("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
