"""SIP messages as the hotline's front reads and forwards them (RFC 3261 §7, §16.6, §18.2.1).

The front (:mod:`voice.telephony.front`) only routes: it reads the start line, Via, Call-ID,
CSeq and To, pushes or pops its own Via, and answers a few requests itself. Everything else in a
message passes byte for byte. No maintained Python library parses SIP for proxying (pjsip does,
but pjsua2 gives Python no proxy API), and this much is small enough to test completely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: Compact header forms (RFC 3261 §7.3.3).
COMPACT = {"v": "via", "i": "call-id", "f": "from", "t": "to", "m": "contact", "l": "content-length",
           "c": "content-type", "k": "supported", "s": "subject", "e": "content-encoding"}
MAGIC_COOKIE = "z9hG4bK"
_SENT_BY = re.compile(r"^\s*SIP\s*/\s*2\.0\s*/\s*(\w+)\s+(\[[^\]]+\]|[^\s;:]+)(?::(\d+))?", re.IGNORECASE)
_STATUS = re.compile(r"^SIP/2\.0\s+(\d{3})\s*(.*)$")
_REQUEST = re.compile(r"^([A-Z]+)\s+(\S+)\s+SIP/2\.0$")


class MalformedSip(ValueError):
    """Not a SIP message the front can route (it is dropped, as RFC 3261 §16.3 allows)."""


def canonical(name: str) -> str:
    key = name.strip().lower()
    return COMPACT.get(key, key)


def split_values(value: str) -> list[str]:
    """A header line's comma-separated values, commas inside quotes or <> kept (Via may come joined)."""
    parts: list[str] = []
    depth, quoted, start = 0, False, 0
    for index, char in enumerate(value):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            depth += 1
        elif not quoted and char == ">":
            depth = max(0, depth - 1)
        elif char == "," and not quoted and depth == 0:
            parts.append(value[start:index].strip())
            start = index + 1
    parts.append(value[start:].strip())
    return [part for part in parts if part]


def via_params(via: str) -> dict[str, str]:
    """A Via value's parameters by lower-case name ("" for a flag such as a bare ``rport``)."""
    params: dict[str, str] = {}
    for part in via.split(";")[1:]:
        name, _eq, value = part.partition("=")
        params[name.strip().lower()] = value.strip()
    return params


def via_reply_address(via: str) -> tuple[str, int]:
    """Where a response to this Via goes (RFC 3261 §18.2.2, RFC 3581): ``received``/``rport``
    when the hop that added them wrote them, else the sent-by host and port (5060)."""
    match = _SENT_BY.match(via)
    if match is None:
        raise MalformedSip("bad Via")
    params = via_params(via)
    host = params.get("received") or match.group(2).strip("[]")
    port_text = params.get("rport") or match.group(3) or "5060"
    if not port_text.isdigit():
        raise MalformedSip("bad Via port")
    return host, int(port_text)


def stamp_via(via: str, source: tuple[str, int]) -> str:
    """The Via a request arrived with, with ``received`` and (when asked for) ``rport`` filled in."""
    match = _SENT_BY.match(via)
    if match is None:
        raise MalformedSip("bad Via")
    head, *params = [part.strip() for part in via.split(";")]
    kept = [p for p in params if p.split("=", 1)[0].strip().lower() not in ("received", "rport")]
    wants_rport = any(p.split("=", 1)[0].strip().lower() == "rport" for p in params)
    added = [f"received={source[0]}"] + ([f"rport={source[1]}"] if wants_rport else [])
    return ";".join([head, *kept, *added])


@dataclass
class SipMessage:
    start: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def parse(cls, data: bytes) -> SipMessage:
        head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            head, sep, body = data.partition(b"\n\n")
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError as error:
            raise MalformedSip("not UTF-8") from error
        lines = text.replace("\r\n", "\n").split("\n")
        start = lines[0].strip()
        if not (_REQUEST.match(start) or _STATUS.match(start)):
            raise MalformedSip("bad start line")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (" ", "\t") and headers:  # a folded line continues the header above
                name, value = headers[-1]
                headers[-1] = (name, f"{value} {line.strip()}")
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip():
                raise MalformedSip("bad header line")
            headers.append((name.strip(), value.strip()))
        message = cls(start, headers, body)
        for required in ("via", "call-id", "cseq", "from", "to"):
            if message.get(required) is None:
                raise MalformedSip(f"no {required}")
        length = message.get("content-length")
        if length is not None and length.isdigit():
            message.body = body[: int(length)]
        return message

    # --- reading ----------------------------------------------------------------------------
    @property
    def is_request(self) -> bool:
        return _REQUEST.match(self.start) is not None

    @property
    def method(self) -> str:
        """The request's method, or the method a response answers (from CSeq)."""
        match = _REQUEST.match(self.start)
        if match:
            return match.group(1)
        return (self.get("cseq") or "").split()[-1].upper() if self.get("cseq") else ""

    @property
    def status(self) -> int:
        match = _STATUS.match(self.start)
        return int(match.group(1)) if match else 0

    def get(self, name: str) -> str | None:
        key = canonical(name)
        for header, value in self.headers:
            if canonical(header) == key:
                return value
        return None

    @property
    def call_id(self) -> str:
        return self.get("call-id") or ""

    def vias(self) -> list[str]:
        return [via for header, value in self.headers if canonical(header) == "via" for via in split_values(value)]

    def top_branch(self) -> str:
        vias = self.vias()
        return via_params(vias[0]).get("branch", "") if vias else ""

    # --- changing ---------------------------------------------------------------------------
    def set_vias(self, vias: list[str]) -> None:
        """Replace every Via line by ``vias``, one per line, where the first Via line was."""
        at = next((i for i, (header, _v) in enumerate(self.headers) if canonical(header) == "via"), 0)
        after = [(h, v) for h, v in self.headers[at:] if canonical(h) != "via"]
        self.headers = self.headers[:at] + [("Via", via) for via in vias] + after

    def set(self, name: str, value: str) -> None:
        key = canonical(name)
        for index, (header, _value) in enumerate(self.headers):
            if canonical(header) == key:
                self.headers[index] = (header, value)
                return
        self.headers.append((name, value))

    def remove(self, name: str) -> None:
        key = canonical(name)
        self.headers = [(h, v) for h, v in self.headers if canonical(h) != key]

    def to_bytes(self) -> bytes:
        lines = [self.start] + [f"{h}: {v}" for h, v in self.headers if canonical(h) != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body


def response_to(request: SipMessage, status: int, reason: str, to_tag: str = "",
                extra: tuple[tuple[str, str], ...] = ()) -> SipMessage:
    """A response made by the front itself (RFC 3261 §8.2.6): Via, From, Call-ID and CSeq copied,
    To copied with ``to_tag`` added when it has none."""
    to = request.get("to") or ""
    if to_tag and ";tag=" not in to.replace(" ", "").lower():
        to = f"{to};tag={to_tag}"
    headers = [("Via", via) for via in request.vias()]
    headers += [("From", request.get("from") or ""), ("To", to), ("Call-ID", request.call_id),
                ("CSeq", request.get("cseq") or ""), *extra]
    return SipMessage(f"SIP/2.0 {status} {reason}", headers)
