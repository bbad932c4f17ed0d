"""Helpers for talking to the real servers (the ``servers`` fixture lives in tests/conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from careline.stack import Stack

Servers = Stack


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def tracker(servers: Stack, sender: str) -> dict[str, Any]:
    return httpx.get(f"{servers.rasa_url}/conversations/{sender}/tracker", params=servers.api_params,
                     timeout=30).json()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"
