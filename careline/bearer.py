"""The check of a shared secret sent as ``Authorization: Bearer``. Dependency-free: the engine
venv (our REST channel in Rasa) imports it too."""

from __future__ import annotations

import hmac


def bearer_matches(header: str | None, token: str) -> bool:
    """Whether an Authorization header carries ``token``, compared in constant time; an empty
    ``token`` matches nothing."""
    scheme, _, value = (header or "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), token.encode())
