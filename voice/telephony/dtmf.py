"""Keypad presses carried in SIP INFO bodies (``application/dtmf-relay`` and ``application/dtmf``).

RFC 4733 telephone-events arrive in RTP and are decoded by pjmedia; INFO is the other way phones
and PBXs send digits. ``dtmf-relay`` (Cisco's form) is ``Signal=5\\r\\nDuration=160``;
``application/dtmf`` is the bare key.
"""

from __future__ import annotations

import re

DIGITS = frozenset("0123456789*#")
_SIGNAL = re.compile(r"^\s*signal\s*=\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)
#: Event codes some senders put in ``Signal=`` instead of the key (RFC 4733 numbering).
_EVENT_CODES = {"10": "*", "11": "#"}


def digit_from_info(content_type: str, body: str) -> str | None:
    """The key in an INFO body, or ``None`` when the body is no keypad press we know."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/dtmf-relay":
        match = _SIGNAL.search(body)
        if match is None:
            return None
        value = match.group(1)
        value = _EVENT_CODES.get(value, value)
    elif kind == "application/dtmf":
        value = body.strip()
        value = _EVENT_CODES.get(value, value)
    else:
        return None
    return value if value in DIGITS else None
