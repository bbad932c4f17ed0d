"""The few facts read from a raw SIP message: who calls, what number was dialled, a header, a body.

pjsua2 hands the application an incoming request as text (``SipRxData.wholeMsg``); pjsip has
already parsed and validated it, so this only picks fields out again.
"""

from __future__ import annotations

import re

#: Compact header forms (RFC 3261 §7.3.3) of the headers read here.
_COMPACT = {"f": "from", "c": "content-type"}
_URI_USER = re.compile(r"(?:sips?|tel):([^@;>\s]+)", re.IGNORECASE)


def split_message(message: str) -> tuple[str, dict[str, str], str]:
    """(start line, headers by lower-case name — first occurrence —, body)."""
    head, _sep, body = message.replace("\r\n", "\n").partition("\n\n")
    lines = head.split("\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        headers.setdefault(_COMPACT.get(key, key), value.strip())
    return lines[0].strip(), headers, body


def uri_user(value: str) -> str:
    """The user part of the first SIP/tel URI in a header or request line; '' when none."""
    match = _URI_USER.search(value)
    return match.group(1) if match else ""


def caller_of(message: str) -> str:
    """The caller's number: P-Asserted-Identity when the network asserted one, else From."""
    _start, headers, _body = split_message(message)
    return uri_user(headers.get("p-asserted-identity", "")) or uri_user(headers.get("from", ""))


def called_of(message: str) -> str:
    """The number dialled: the user part of the request URI."""
    start, _headers, _body = split_message(message)
    parts = start.split()
    return uri_user(parts[1]) if len(parts) >= 2 else ""
