"""The hotline's front door: one SIP address that spreads calls over several SIP endpoints.

pjsua answers at most ``PJSUA_MAX_CALLS`` calls per process (4 in the pjsua2-python wheel, a
compile-time constant), and speech is CPU-bound anyway, so the hotline runs its calls in worker
processes ("lines"), each a pjsua endpoint on its own port. The front listens on the address the
trunk knows and forwards each new INVITE to a line with a free slot, as a stateless proxy that
does not record-route (RFC 3261 §16.11): it pushes its own Via, the line answers through it, and
the rest of the dialog (ACK to a 2xx, BYE, INFO, re-INVITE) goes straight to the line's Contact.
RTP never passes through the front.

What the front decides: an INVITE from outside the trusted peers gets 403; beyond
``max_calls`` talking calls a new caller goes to the busy line (a kind "all our lines are busy");
when no line has a free slot the INVITE is held (100 Trying) until one frees, and after
``hold_seconds`` gets 486. OPTIONS is answered 200 (trunk keep-alives); other requests outside a
dialog get 405; what cannot be parsed is dropped.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from careline.logging import get_logger
from voice.telephony.sipmsg import caller_of
from voice.telephony.sipwire import (
    MAGIC_COOKIE,
    MalformedSip,
    SipMessage,
    response_to,
    stamp_via,
    via_params,
    via_reply_address,
)

log = get_logger("voice.telephony")

#: The branch prefix of the Via the front pushes: a response whose top Via has it came back through us.
BRANCH_PREFIX = f"{MAGIC_COOKIE}-clf-"
ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY"
#: Seconds a forwarded INVITE counts against its line without a final answer (64 × T1).
_INVITE_TIMEOUT = 32.0
#: A line that refused a call for want of a slot (pjsua frees a slot some milliseconds after the
#: call ended) is not offered another for this long.
_LINE_PAUSE = 0.5
#: Seconds the front remembers which line took a call (to route in-dialog requests sent to it).
_DIALOG_MEMORY = 4 * 3600.0
_TICK = 0.05


@dataclass
class Line:
    """A SIP endpoint calls can be sent to: a worker that talks with callers, or the busy line."""

    name: str
    slots: int
    in_use: Callable[[], int]
    talking: bool = True
    address: tuple[str, int] | None = None
    reserved: int = 0
    """Calls sent to the line that it has not answered yet."""
    absorbed: int = field(default=0, init=False)
    """Of those, how many the line's own count (``in_use``) already holds: it counts a call the
    moment the INVITE reaches it, before its answer has come back through the front. Counted
    twice, ten calls arriving at once on ten slots sent the tenth to the busy line (measured)."""
    paused_until: float = 0.0
    refusals: int = 0  # in a row: each doubles the pause
    _seen: int = field(default=0, init=False, repr=False)
    """The line's count when last looked at."""

    @property
    def load(self) -> int:
        self._observe()
        return self.in_use() + self.reserved - self.absorbed

    def _observe(self) -> None:
        """A rise of the line's count is calls it was sent arriving there (only the front sends
        it calls); a rise hidden by a call ending at the same time leaves the load counted high,
        the safe side."""
        now = self.in_use()
        if now > self._seen:
            self.absorbed = min(self.reserved, self.absorbed + now - self._seen)
        self._seen = now

    def restarted(self) -> None:
        """The line's process starts again: no address until it is ready, nothing on it."""
        self.address, self.reserved, self.absorbed, self._seen = None, 0, 0, 0

    def answered(self, taken: bool) -> None:
        """The line's final answer to a call it was sent: ``taken`` (2xx), the call is in its count."""
        self._observe()
        self.reserved -= 1
        self.absorbed = max(0, self.absorbed - 1) if taken else min(self.absorbed, self.reserved)

    @property
    def free(self) -> int:
        if self.address is None or time.monotonic() < self.paused_until:
            return 0
        return max(0, self.slots - self.load)


@dataclass
class _Route:
    line: Line
    branch: str
    until: float
    original: SipMessage
    source: tuple[str, int]
    since: float
    attempt: int = 0
    answered: bool = False


@dataclass
class _Held:
    request: SipMessage
    source: tuple[str, int]
    since: float
    to_tag: str = field(default_factory=lambda: secrets.token_hex(6))


class SipFront(asyncio.DatagramProtocol):
    """The stateless proxy in front of the lines (see the module's docstring)."""

    def __init__(self, lines: list[Line], busy_line: Line | None, max_calls: int,
                 trusts: Callable[[str], bool], hold_seconds: float = 20.0, line_host: str = "127.0.0.1") -> None:
        self.lines = lines
        self.busy_line = busy_line
        self.max_calls = max_calls
        self.trusts = trusts
        self.hold_seconds = hold_seconds
        self.line_host = line_host
        self.transport: asyncio.DatagramTransport | None = None
        self.port = 0
        self._routes: dict[str, _Route] = {}  # by the caller's INVITE branch
        self._dialogs: dict[str, tuple[Line, float]] = {}  # Call-ID → the line that took the call
        self._held: dict[str, _Held] = {}  # by the caller's INVITE branch, oldest first
        self._answered: dict[str, float] = {}  # branches the front gave a final answer itself (absorb their ACK)
        self._forwarded: dict[str, str] = {}  # the branch the front gave a forwarded INVITE → the caller's
        self._refused: dict[str, tuple[bytes, tuple[str, int], float]] = {}  # a line's refusal → our ACK of it
        self._attempts: dict[str, int] = {}  # how often a held call was refused by a line already
        self._ticker: asyncio.Task[None] | None = None

    # --- asyncio ---------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment] - a datagram endpoint's transport
        self.port = transport.get_extra_info("sockname")[1]
        self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def connection_lost(self, exc: Exception | None) -> None:
        if self._ticker is not None:
            self._ticker.cancel()

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        source = (addr[0], addr[1])
        if not data.strip():
            return  # CRLF keep-alive
        try:
            message = SipMessage.parse(data)
            if self._line_at(source) is not None:
                if not message.is_request:
                    self._from_line(message)
            elif message.is_request:
                self._from_outside(message, source)
            else:
                self._response_for_a_line(message)
        except MalformedSip as error:
            log.info("sip_front_dropped", reason=str(error))
        except Exception as error:  # noqa: BLE001 - one bad datagram never stops the front
            log.error("sip_front_failed", error=repr(error))

    # --- requests from the trunk -----------------------------------------------------------
    def _from_outside(self, request: SipMessage, source: tuple[str, int]) -> None:
        method = request.method
        for name, _value in list(request.headers):
            if name.lower().startswith("x-careline-"):
                request.remove(name)  # only the front may say what a line does
        forwards = (request.get("max-forwards") or "70").strip()
        if method != "ACK" and forwards.isdigit() and int(forwards) <= 0:
            self._reply(request, source, 483, "Too Many Hops")
            return
        branch = request.top_branch() or f"{request.call_id}|{request.get('cseq')}"
        if method == "INVITE" and not _to_tag(request):
            self._invite(request, source, branch)
        elif method == "CANCEL":
            self._cancel(request, source, branch)
        elif method == "ACK" and branch in self._answered:
            return
        elif method == "ACK" and branch in self._routes:
            self._forward(request, source, self._routes[branch].line, self._routes[branch].branch)
        elif method == "OPTIONS" and not _to_tag(request):
            self._reply(request, source, 200, "OK", extra=(("Allow", ALLOW), ("Accept", "application/sdp")))
        elif request.call_id in self._dialogs:  # an in-dialog request sent to the front, not the Contact
            self._forward(request, source, self._dialogs[request.call_id][0], None)
        elif method == "ACK":
            return
        elif _to_tag(request):
            self._reply(request, source, 481, "Call/Transaction Does Not Exist")
        else:
            self._reply(request, source, 405, "Method Not Allowed", extra=(("Allow", ALLOW),))

    def _invite(self, request: SipMessage, source: tuple[str, int], branch: str) -> None:
        if branch in self._routes:  # a retransmission: the same line answers it
            route = self._routes[branch]
            self._forward(request, source, route.line, route.branch)
            return
        if branch in self._held:
            self._reply(request, source, 100, "Trying")
            return
        if branch in self._answered:
            return
        if not self.trusts(f"{source[0]}:{source[1]}"):
            log.warning("sip_call_refused_untrusted", source=source[0])
            self._final(request, source, branch, 403, "Forbidden")
            return
        if not self._place(request, source, branch, time.monotonic()):
            self._held[branch] = _Held(request, source, time.monotonic())
            self._reply(request, source, 100, "Trying")
            log.info("sip_call_held", phone=caller_of(request.to_bytes().decode("utf-8", "replace")),
                     held=len(self._held))

    def _place(self, request: SipMessage, source: tuple[str, int], branch: str, since: float,
               attempt: int = 0) -> bool:
        """Send the INVITE to a line now, if one can take it."""
        line = self._choose()
        if line is None:
            return False
        original = SipMessage(request.start, list(request.headers), request.body)
        sent = SipMessage(request.start, list(request.headers), request.body)
        if not line.talking:
            sent.set("X-CareLine-Busy", "1")
        forwarded = BRANCH_PREFIX + hashlib.sha1(f"{branch}|{attempt}".encode()).hexdigest()[:20]
        self._routes[branch] = _Route(line, forwarded, time.monotonic() + _INVITE_TIMEOUT, original, source,
                                      since, attempt)
        self._forwarded[forwarded] = branch
        line.reserved += 1
        self._forward(sent, source, line, forwarded)
        log.info("sip_call_dispatched", line=line.name, talking=line.talking, attempt=attempt)
        return True

    def _choose(self) -> Line | None:
        """The least loaded talking line while fewer than ``max_calls`` callers are talked with;
        the busy line beyond; None (wait) while a line that could take the call is starting."""
        if sum(line.load for line in self.lines) < self.max_calls:
            ready = [line for line in self.lines if line.free > 0]
            if ready:
                return min(ready, key=lambda line: line.load)
            if any(line.address is None for line in self.lines):
                return None
        if self.busy_line is not None and self.busy_line.free > 0:
            return self.busy_line
        return None

    def _cancel(self, request: SipMessage, source: tuple[str, int], branch: str) -> None:
        held = self._held.pop(branch, None)
        if held is not None:
            self._reply(request, source, 200, "OK")
            self._final(held.request, held.source, branch, 487, "Request Terminated", held.to_tag)
        elif branch in self._routes:
            self._forward(request, source, self._routes[branch].line, self._routes[branch].branch)
        else:
            self._reply(request, source, 481, "Call/Transaction Does Not Exist")

    def _response_for_a_line(self, response: SipMessage) -> None:
        """A response to a request a line sent itself (a BYE, a NOTIFY's answer), which the far end
        sent to the front's address rather than to the Via (as SIPp and some NATs do)."""
        vias = response.vias()
        if not vias:
            return
        line = self._line_at(via_reply_address(vias[0]))
        if line is not None and line.address is not None:
            self._send(response, line.address)

    # --- responses from the lines ----------------------------------------------------------
    def _from_line(self, response: SipMessage) -> None:
        vias = response.vias()
        if len(vias) < 2 or not via_params(vias[0]).get("branch", "").startswith(BRANCH_PREFIX):
            return
        forwarded = via_params(vias[0]).get("branch", "")
        if forwarded in self._refused:  # a retransmission of a refusal the front took back
            ack, address, _until = self._refused[forwarded]
            self._send_raw(ack, address)
            return
        route = self._routes.get(self._forwarded.get(forwarded, ""))
        if response.method == "INVITE" and response.status >= 200 and route is not None and not route.answered:
            route.answered = True
            route.line.answered(response.status < 300)
            if response.status in (486, 503, 600) and route.branch == forwarded:
                self._take_back(response, route, vias[0])
                return
            if response.status < 300:
                route.line.refusals = 0
                self._dialogs[response.call_id] = (route.line, time.monotonic() + _DIALOG_MEMORY)
        response.set_vias(vias[1:])
        self._send(response, via_reply_address(vias[1]))

    def _take_back(self, refusal: SipMessage, route: _Route, our_via: str) -> None:
        """A line had no slot after all: ACK its refusal ourselves and let the call wait for the
        next free slot (first in the queue: it came first), on another line or this one later."""
        incoming = self._forwarded.pop(route.branch, "")
        self._routes.pop(incoming, None)
        route.line.paused_until = time.monotonic() + min(_LINE_PAUSE * 2 ** route.line.refusals, 8.0)
        route.line.refusals += 1
        uri = route.original.start.split()[1]
        cseq = (route.original.get("cseq") or "1").split()[0]
        ack = SipMessage(f"ACK {uri} SIP/2.0", [
            ("Via", our_via), ("From", route.original.get("from") or ""), ("To", refusal.get("to") or ""),
            ("Call-ID", route.original.call_id), ("CSeq", f"{cseq} ACK"), ("Max-Forwards", "70")]).to_bytes()
        if route.line.address is not None:
            self._refused[route.branch] = (ack, route.line.address, time.monotonic() + _INVITE_TIMEOUT)
            self._send_raw(ack, route.line.address)
        self._held = {incoming: _Held(route.original, route.source, route.since), **self._held}
        self._attempts[incoming] = route.attempt + 1
        log.info("sip_call_retried", line=route.line.name, status=refusal.status, in_use=route.line.in_use(),
                 reserved=route.line.reserved)

    # --- sending ---------------------------------------------------------------------------
    def _forward(self, request: SipMessage, source: tuple[str, int], line: Line, branch: str | None) -> None:
        if line.address is None:
            return
        vias = request.vias()
        vias[0] = stamp_via(vias[0], source)
        branch = branch or BRANCH_PREFIX + secrets.token_hex(10)
        vias.insert(0, f"SIP/2.0/UDP {self.line_host}:{self.port};branch={branch};rport")
        request.set_vias(vias)
        forwards = (request.get("max-forwards") or "70").strip()
        request.set("Max-Forwards", str(int(forwards) - 1 if forwards.isdigit() and int(forwards) > 0 else 69))
        self._send(request, line.address)

    def _reply(self, request: SipMessage, source: tuple[str, int], status: int, reason: str, to_tag: str = "",
               extra: tuple[tuple[str, str], ...] = ()) -> None:
        vias = request.vias()
        if not vias:
            return
        vias[0] = stamp_via(vias[0], source)
        stamped = SipMessage(request.start, list(request.headers), request.body)
        stamped.set_vias(vias)
        tag = to_tag or (secrets.token_hex(6) if status >= 200 else "")
        self._send(response_to(stamped, status, reason, tag, extra), via_reply_address(vias[0]))

    def _final(self, request: SipMessage, source: tuple[str, int], branch: str, status: int, reason: str,
               to_tag: str = "") -> None:
        self._answered[branch] = time.monotonic() + _INVITE_TIMEOUT
        self._reply(request, source, status, reason, to_tag=to_tag or secrets.token_hex(6))

    def _send(self, message: SipMessage, address: tuple[str, int]) -> None:
        self._send_raw(message.to_bytes(), address)

    def _send_raw(self, data: bytes, address: tuple[str, int]) -> None:
        if self.transport is not None:
            self.transport.sendto(data, address)

    def _line_at(self, source: tuple[str, int]) -> Line | None:
        for line in [*self.lines, *([self.busy_line] if self.busy_line else [])]:
            if line.address is not None and line.address[1] == source[1] and _same_host(line.address[0], source[0]):
                return line
        return None

    # --- time ------------------------------------------------------------------------------
    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(_TICK)
            try:
                self._expire()
                self._place_held()
            except Exception as error:  # noqa: BLE001
                log.error("sip_front_tick_failed", error=repr(error))

    def _place_held(self) -> None:
        now = time.monotonic()
        for branch, held in list(self._held.items()):
            if self._place(held.request, held.source, branch, held.since, self._attempts.get(branch, 0)):
                del self._held[branch]
                log.info("sip_call_unheld", waited=round(now - held.since, 1))
            elif now - held.since > self.hold_seconds:
                del self._held[branch]
                self._final(held.request, held.source, branch, 486, "Busy Here", held.to_tag)
                log.warning("sip_call_busy", waited=round(now - held.since, 1))
            else:
                break  # first come, first served

    def _expire(self) -> None:
        now = time.monotonic()
        for branch, route in list(self._routes.items()):
            if route.until < now:
                if not route.answered:
                    route.line.answered(False)
                del self._routes[branch]
                self._forwarded.pop(route.branch, None)
                self._attempts.pop(branch, None)
        for forwarded, (_ack, _address, until) in list(self._refused.items()):
            if until < now:
                del self._refused[forwarded]
        for call_id, (_line, until) in list(self._dialogs.items()):
            if until < now:
                del self._dialogs[call_id]
        for branch, until in list(self._answered.items()):
            if until < now:
                del self._answered[branch]

    @property
    def held(self) -> int:
        return len(self._held)


def _to_tag(request: SipMessage) -> bool:
    return ";tag=" in (request.get("to") or "").replace(" ", "").lower()


def _same_host(a: str, b: str) -> bool:
    return a == b or (a in ("0.0.0.0", "::") and b in ("127.0.0.1", "::1"))
