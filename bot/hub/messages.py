"""The one message type every channel hands to the hub, and what comes back."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    DIGIT = "digit"  # a keypad (DTMF) key
    SPEECH = "speech"  # a transcript of what the caller said
    CHOICE = "choice"  # a button the user pressed; ``payload`` is what it stands for


#: keypad keys at a prompt that offers a choice: 1 yes, 2 no, 0 a consultant, * say again
DIGIT_PAYLOADS = {"1": "/affirm", "2": "/deny", "0": "/human_handoff", "*": "/repeat"}


@dataclass(frozen=True)
class Inbound:
    """Something a person sent on a channel.

    ``conversation`` names the conversation within the channel (a call, a chat with one elder
    in focus); ``address`` is where the channel delivers replies (a chat id, a call id).
    ``external_id`` is the channel's own id of the message (a Telegram update): a channel that
    hands the same message over again (after an error) has it received once. ``language_chosen``:
    the person chose ``language`` on the channel (not just their app's setting); a conversation
    it starts keeps it whatever script they type in (:mod:`bot.hub.language`)."""

    channel: str
    conversation: str
    address: str
    text: str
    kind: Kind = Kind.TEXT
    payload: str | None = None
    language: str | None = None
    language_chosen: bool = False
    elder_id: int | None = None
    district_key: str | None = None
    account_id: int | None = None
    confidence: float | None = None
    external_id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def for_bot(self) -> str:
        """What the dialogue engine is sent: the text, or the intent a button or key stands for."""
        if self.kind is Kind.CHOICE and self.payload:
            return self.payload
        if self.kind is Kind.DIGIT:
            key = self.text.strip()
            if key in DIGIT_PAYLOADS:
                return DIGIT_PAYLOADS[key]
            if key.isdigit():
                return "/inform" + json.dumps({"number": key})
        return self.text


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """One thing to say. ``role`` tells a channel how to treat it (a holding reply may be
    followed by the real answer; an alert is not part of a dialogue). ``chosen_language``: the
    engine says the person chose this language with the message it answers (the hub keeps it;
    channels never see it)."""

    text: str
    buttons: tuple[Button, ...] = ()
    role: str = "answer"
    chosen_language: str | None = None

    def to_body(self) -> dict[str, Any]:
        return {"text": self.text, "buttons": [[b.title, b.payload] for b in self.buttons], "role": self.role}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> Reply:
        return cls(text=str(body.get("text", "")), role=str(body.get("role", "answer")),
                   buttons=tuple(Button(str(title), str(payload)) for title, payload in body.get("buttons") or ()))
