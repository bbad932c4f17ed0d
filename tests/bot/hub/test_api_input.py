"""Bad input to ``/api/messages`` from an authenticated channel gets a clear 4xx in both
languages, never a 500, and leaves nothing behind; the size limit holds before parsing, also for a
chunked body that announces no length."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
from sqlalchemy import func, select

from knowledge.models import Conversation
from tests.bot.hub.conftest import ApiHub
from tests.bot.hub.test_api_auth import assert_refused

UNKNOWN_ELDER = 987654

CASES: list[tuple[str, bytes, int, str]] = [
    ("unknown elder", json.dumps({"conversation": "bad", "text": "hi", "elder_id": UNKNOWN_ELDER}).encode(),
     422, "elder_unknown"),
    ("elder id beyond any integer column", b'{"conversation": "bad", "elder_id": 100000000000000000000000}',
     422, "invalid_body"),
    ("unknown district", b'{"conversation": "bad", "text": "hi", "district_key": "atlantis"}', 422, "district_unknown"),
    ("lone high surrogate", b'{"conversation": "bad", "text": "\\ud800"}', 422, "bad_characters"),
    ("lone low surrogate mid-text", b'{"conversation": "bad", "text": "a\\udc00b"}', 422, "bad_characters"),
    ("surrogate in the conversation id", b'{"conversation": "bad\\ud83d"}', 422, "bad_characters"),
    ("NUL escaped", b'{"conversation": "bad", "text": "a\\u0000b"}', 422, "bad_characters"),
    ("NUL in the conversation id", b'{"conversation": "bad\\u0000"}', 422, "bad_characters"),
    ("raw NUL byte", b'{"conversation": "bad", "text": "a\x00b"}', 400, "invalid_json"),
    ("invalid JSON", b'{"conversation": "bad", ', 400, "invalid_json"),
    ("empty body", b"", 400, "invalid_json"),
    ("not UTF-8", b'{"conversation": "bad", "text": "\xff\xfe"}', 400, "invalid_json"),
    ("NaN", b'{"conversation": "bad", "confidence": NaN}', 400, "invalid_json"),
    ("nested too deep", b"[" * 2000 + b"]" * 2000, 400, "invalid_json"),
    ("a list", b'[{"conversation": "bad"}]', 422, "invalid_body"),
    ("a number for the text", b'{"conversation": "bad", "text": 5}', 422, "invalid_body"),
    ("a word for the elder", b'{"conversation": "bad", "elder_id": "smith"}', 422, "invalid_body"),
    ("no conversation", b'{"text": "hi"}', 422, "invalid_body"),
    ("unknown field", b'{"conversation": "bad", "elder": "smith"}', 422, "invalid_body"),
    ("unknown kind", b'{"conversation": "bad", "kind": "video"}', 422, "invalid_body"),
    ("unknown language", b'{"conversation": "bad", "text": "hi", "language": "fr"}', 422, "invalid_body"),
]


def _send(hub: ApiHub, content: bytes | Iterator[bytes], **headers: str) -> httpx.Response:
    return httpx.post(f"{hub.url}/api/messages", content=content, timeout=30,
                      headers={"Authorization": f"Bearer {hub.token('terminal')}",
                               "Content-Type": "application/json", **headers})


def _nothing_stored(hub: ApiHub) -> bool:
    with hub.sessions() as session:
        return session.scalar(select(func.count()).select_from(Conversation)
                              .where(Conversation.external_id.like("bad%"))) == 0


def test_bad_input_gets_a_clear_4xx(api_hub: ApiHub) -> None:
    """Every case against one hub (a hub per case would take minutes); each failure is named."""
    wrong: list[str] = []
    for case, content, status, code in CASES:
        response = _send(api_hub, content)
        try:
            assert_refused(response, status, code)
            assert "Traceback" not in response.text
            assert _nothing_stored(api_hub), "a conversation was stored"
        except (AssertionError, ValueError) as error:
            wrong.append(f"{case}: {response.status_code} {response.text[:200]} ({error})")
    assert not wrong, "\n".join(wrong)


def test_a_body_over_the_limit_is_refused_before_it_is_read(api_hub: ApiHub) -> None:
    limit = api_hub.settings.hub_max_body_bytes
    big = json.dumps({"conversation": "bad-big", "text": "x" * (2 * limit)}).encode()
    assert_refused(_send(api_hub, big), 413, "too_large")

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(big), 512):
            yield big[start:start + 512]

    chunked = _send(api_hub, chunks())
    assert chunked.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in chunked.request.headers
    assert_refused(chunked, 413, "too_large")
    assert _nothing_stored(api_hub)
    fits = _send(api_hub, json.dumps({"conversation": "fits", "text": "x" * (limit - 200)}).encode())
    assert fits.status_code == 200, fits.text
