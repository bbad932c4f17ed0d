"""The engine's answer as Rasa's REST channel returns it, turned into replies."""

from __future__ import annotations

import httpx

from bot.hub.bot_client import RasaClient


def _replies(messages: list[dict[str, object]]) -> list[tuple[str, str]]:
    response = httpx.Response(200, json=messages)
    return [(r.text, r.role) for r in RasaClient._replies(response)]


def test_the_role_of_an_utterances_json_part_belongs_to_its_text() -> None:
    # Rasa sends `utter_message(text=..., json_message={...})` as two messages, text first
    assert _replies([{"recipient_id": "c", "text": "Call 120 now."},
                     {"recipient_id": "c", "custom": {"handoff": 4, "emergency": True}},
                     {"recipient_id": "c", "text": "Anything else?"}]) == \
        [("Call 120 now.", "emergency"), ("Anything else?", "answer")]


def test_a_json_part_alone_or_without_a_role_says_nothing() -> None:
    assert _replies([{"recipient_id": "c", "custom": {"emergency": True}}]) == []
    assert _replies([{"recipient_id": "c", "text": "Hello."}, {"recipient_id": "c", "custom": {"handoff": 4}}]) == \
        [("Hello.", "answer")]
