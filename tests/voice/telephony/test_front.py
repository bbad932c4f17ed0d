"""The hotline's front (a stateless SIP proxy) with a trunk and lines made of plain UDP sockets on
127.0.0.1: what it forwards where, what it answers itself, and how it waits for a free line."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from voice.telephony.front import BRANCH_PREFIX, Line, SipFront
from voice.telephony.sipwire import SipMessage, response_to

TRUSTED = "127.0.0.1"


class Peer:
    """A UDP socket on 127.0.0.1 that sends and receives whole SIP messages."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.address = self.sock.getsockname()

    async def receive(self, timeout: float = 2.0) -> SipMessage:
        data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(self.sock, 65535), timeout)
        return SipMessage.parse(data)

    async def nothing(self, seconds: float = 0.3) -> None:
        try:
            data = await asyncio.wait_for(asyncio.get_running_loop().sock_recv(self.sock, 65535), seconds)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected: {data[:80]!r}")

    def send(self, message: SipMessage | bytes, to: tuple[str, int]) -> None:
        self.sock.sendto(message if isinstance(message, bytes) else message.to_bytes(), to)


def invite(trunk: Peer, branch: str, call_id: str, method: str = "INVITE", extra: str = "") -> SipMessage:
    host, port = trunk.address
    return SipMessage.parse((
        f"{method} sip:hotline@127.0.0.1 SIP/2.0\r\n"
        f"Via: SIP/2.0/UDP {host}:{port};branch={branch};rport\r\n"
        f"From: <sip:13900000001@{host}>;tag=caller\r\nTo: <sip:hotline@127.0.0.1>\r\n"
        f"Call-ID: {call_id}\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n{extra}"
        f"Contact: <sip:13900000001@{host}:{port}>\r\nContent-Length: 0\r\n\r\n").encode())


@dataclass
class Setup:
    front: SipFront
    address: tuple[str, int]
    trunk: Peer
    lines: list[tuple[Line, Peer]]
    busy: tuple[Line, Peer]
    counts: dict[str, int]
    """Calls each line's endpoint holds, by line name (what a line process reports)."""


async def run(test: Callable[[Setup], Awaitable[None]], lines: int = 2, max_calls: int = 3, slots: int = 2,
              hold_seconds: float = 1.0) -> None:
    counts: dict[str, int] = {}
    made = []
    for index in range(lines):
        peer = Peer()
        line = Line(f"line-{index}", slots, lambda name=f"line-{index}": counts.get(name, 0), address=peer.address)
        made.append((line, peer))
    busy_peer = Peer()
    busy = Line("busy", 1, lambda: counts.get("busy", 0), talking=False, address=busy_peer.address)
    front = SipFront([line for line, _peer in made], busy, max_calls, lambda source: source.startswith(TRUSTED),
                     hold_seconds)
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(lambda: front,
                                                                             local_addr=("127.0.0.1", 0))
    try:
        await test(Setup(front, transport.get_extra_info("sockname"), Peer(), made, (busy, busy_peer), counts))
    finally:
        transport.close()


async def answer(line_peer: Peer, front: tuple[str, int], status: int = 200) -> SipMessage:
    """The line receives the forwarded INVITE and answers it (through the front, by its Via)."""
    forwarded = await line_peer.receive()
    line_peer.send(response_to(forwarded, status, "OK" if status == 200 else "Busy Here", to_tag="line"), front)
    return forwarded


async def held_call(s: Setup, branch: str, call_id: str) -> None:
    """Every slot taken (the one line of one slot talking, the busy line playing): a new call
    is held, with 100 Trying."""
    s.counts.update({"line-0": 1, "busy": 1})
    s.trunk.send(invite(s.trunk, branch, call_id), s.address)
    assert (await s.trunk.receive()).status == 100


def test_options_is_answered_by_the_front() -> None:
    async def test(s: Setup) -> None:
        s.trunk.send(invite(s.trunk, "z9hG4bK-o1", "o1", "OPTIONS"), s.address)
        reply = await s.trunk.receive()
        assert reply.status == 200 and reply.call_id == "o1" and "INVITE" in (reply.get("allow") or "")
        for _line, peer in s.lines:
            await peer.nothing(0.1)

    asyncio.run(run(test))


def test_an_invite_goes_to_a_line_through_the_front_and_the_answer_comes_back() -> None:
    async def test(s: Setup) -> None:
        s.trunk.send(invite(s.trunk, "z9hG4bK-a1", "a1", extra="X-CareLine-Busy: 1\r\n"), s.address)
        line, peer = s.lines[0]
        forwarded = await answer(peer, s.address)
        vias = forwarded.vias()
        assert vias[0].startswith(f"SIP/2.0/UDP 127.0.0.1:{s.address[1]};branch={BRANCH_PREFIX}")
        assert f"received=127.0.0.1;rport={s.trunk.address[1]}" in vias[1]
        assert forwarded.get("max-forwards") == "69"
        assert forwarded.get("x-careline-busy") is None  # a caller cannot choose the busy line
        reply = await s.trunk.receive()
        assert reply.status == 200 and reply.vias() == vias[1:] and reply.call_id == "a1"
        assert line.reserved == 0
        # an in-dialog request sent to the front rather than the line's Contact still reaches it
        s.trunk.send(invite(s.trunk, "z9hG4bK-a1-bye", "a1", "BYE").to_bytes().replace(
            b"To: <sip:hotline@127.0.0.1>", b"To: <sip:hotline@127.0.0.1>;tag=line"), s.address)
        bye = await peer.receive()
        assert bye.method == "BYE" and bye.call_id == "a1"

    asyncio.run(run(test))


def test_a_retransmitted_invite_and_its_cancel_go_to_the_same_line() -> None:
    async def test(s: Setup) -> None:
        first = invite(s.trunk, "z9hG4bK-r1", "r1")
        s.trunk.send(first, s.address)
        s.trunk.send(invite(s.trunk, "z9hG4bK-r1", "r1"), s.address)
        _line, peer = s.lines[0]
        one, two = await peer.receive(), await peer.receive()
        assert one.top_branch() == two.top_branch()
        s.trunk.send(invite(s.trunk, "z9hG4bK-r1", "r1", "CANCEL"), s.address)
        cancel = await peer.receive()
        assert cancel.method == "CANCEL" and cancel.top_branch() == one.top_branch()
        await s.lines[1][1].nothing(0.1)

    asyncio.run(run(test))


def test_calls_spread_over_the_lines_and_beyond_max_calls_go_to_the_busy_line() -> None:
    async def test(s: Setup) -> None:
        counts = s.counts
        got: list[str] = []
        for number in range(3):
            s.trunk.send(invite(s.trunk, f"z9hG4bK-s{number}", f"s{number}"), s.address)
            done, _ = await asyncio.wait([asyncio.ensure_future(peer.receive(1.0)) for _line, peer in s.lines],
                                         return_when=asyncio.FIRST_COMPLETED)
            forwarded = done.pop().result()
            line = next(line for line, peer in s.lines if line.reserved)
            got.append(line.name)
            counts[line.name] = counts.get(line.name, 0) + 1  # the line's endpoint holds the call
            peer = dict((ln.name, p) for ln, p in s.lines)[line.name]
            peer.send(response_to(forwarded, 200, "OK", to_tag="t"), s.address)
            assert (await s.trunk.receive()).status == 200
        assert sorted(got) == ["line-0", "line-0", "line-1"] or sorted(got) == ["line-0", "line-1", "line-1"]
        s.trunk.send(invite(s.trunk, "z9hG4bK-s3", "s3"), s.address)  # a fourth: max_calls is 3
        busy_line, busy_peer = s.busy
        forwarded = await busy_peer.receive()
        assert forwarded.get("x-careline-busy") == "1"
        for _line, peer in s.lines:
            await peer.nothing(0.1)

    asyncio.run(run(test))


def test_calls_arriving_together_fill_every_slot_though_lines_count_them_before_answering() -> None:
    """A line counts a call when the INVITE reaches it; its answer comes back through the front
    later. Three calls at once on three slots all reach a talking line, none the busy line."""
    async def test(s: Setup) -> None:
        peers = {line.name: peer for line, peer in s.lines}
        forwarded: list[tuple[str, SipMessage]] = []
        for number in range(3):
            s.trunk.send(invite(s.trunk, f"z9hG4bK-t{number}", f"t{number}"), s.address)
            listening = {asyncio.ensure_future(peer.receive(1.0)): name for name, peer in peers.items()}
            done, pending = await asyncio.wait(listening, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            task = done.pop()
            message, name = task.result(), listening[task]
            s.counts[name] = s.counts.get(name, 0) + 1  # the line holds it, its 200 not sent yet
            forwarded.append((name, message))
        await s.busy[1].nothing(0.2)
        assert sorted(name for name, _ in forwarded) == ["line-0", "line-0", "line-1"] or \
            sorted(name for name, _ in forwarded) == ["line-0", "line-1", "line-1"]
        for name, message in forwarded:
            peers[name].send(response_to(message, 200, "OK", to_tag="t"), s.address)
            assert (await s.trunk.receive()).status == 200
        assert [(line.reserved, line.absorbed, line.load) for line, _ in s.lines] in \
            ([(0, 0, 2), (0, 0, 1)], [(0, 0, 1), (0, 0, 2)])
        s.trunk.send(invite(s.trunk, "z9hG4bK-t3", "t3"), s.address)  # a fourth: max_calls is 3
        assert (await s.busy[1].receive()).get("x-careline-busy") == "1"

    asyncio.run(run(test))


def test_with_every_slot_taken_a_call_waits_then_takes_the_first_slot_that_frees() -> None:
    async def test(s: Setup) -> None:
        await held_call(s, "z9hG4bK-h1", "h1")
        s.trunk.send(invite(s.trunk, "z9hG4bK-h1", "h1"), s.address)  # retransmitted while held
        assert (await s.trunk.receive()).status == 100
        assert s.front.held == 1
        s.counts["line-0"] = 0  # the call on the line ended
        forwarded = await s.lines[0][1].receive()
        assert forwarded.call_id == "h1" and s.front.held == 0

    asyncio.run(run(test, lines=1, slots=1, max_calls=1, hold_seconds=5))


def test_a_held_call_gets_486_when_no_slot_frees_and_its_ack_is_absorbed() -> None:
    async def test(s: Setup) -> None:
        await held_call(s, "z9hG4bK-b1", "b1")
        busy = await s.trunk.receive(3.0)
        assert busy.status == 486 and ";tag=" in (busy.get("to") or "")
        s.trunk.send(invite(s.trunk, "z9hG4bK-b1", "b1", "ACK"), s.address)
        await s.lines[0][1].nothing(0.2)
        await s.busy[1].nothing(0.1)

    asyncio.run(run(test, lines=1, slots=1, max_calls=1, hold_seconds=0.5))


def test_a_held_call_cancelled_by_the_caller_gets_200_and_487() -> None:
    async def test(s: Setup) -> None:
        await held_call(s, "z9hG4bK-c1", "c1")
        s.trunk.send(invite(s.trunk, "z9hG4bK-c1", "c1", "CANCEL"), s.address)
        replies = {(await s.trunk.receive()).status, (await s.trunk.receive()).status}
        assert replies == {200, 487} and s.front.held == 0

    asyncio.run(run(test, lines=1, slots=1, max_calls=1, hold_seconds=5))


def test_strangers_get_403_and_garbage_is_dropped_without_stopping_the_front() -> None:
    async def test(s: Setup) -> None:
        stranger = Peer("127.0.0.2")
        s.trunk.send(b"\x00\x01 not sip at all", s.address)
        s.trunk.send(b"INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n", s.address)
        stranger.send(invite(stranger, "z9hG4bK-x1", "x1"), s.address)
        refused = await stranger.receive()
        assert refused.status == 403
        s.trunk.send(invite(s.trunk, "z9hG4bK-n1", "n1", "MESSAGE"), s.address)
        assert (await s.trunk.receive()).status == 405
        s.trunk.send(invite(s.trunk, "z9hG4bK-ok", "ok"), s.address)
        assert (await s.lines[0][1].receive()).call_id == "ok"

    front_trusts_only_127_0_0_1 = run(test)
    asyncio.run(front_trusts_only_127_0_0_1)


def test_a_line_that_refuses_for_want_of_a_slot_is_acked_and_the_call_goes_to_another() -> None:
    async def test(s: Setup) -> None:
        s.trunk.send(invite(s.trunk, "z9hG4bK-t1", "t1"), s.address)
        (_first, first_peer), (_second, second_peer) = s.lines
        refused = await answer(first_peer, s.address, status=486)
        ack = await first_peer.receive()
        assert ack.method == "ACK" and ack.top_branch() == refused.top_branch()
        assert ";tag=line" in (ack.get("to") or "")
        retried = await second_peer.receive()
        assert retried.call_id == "t1" and retried.top_branch() != refused.top_branch()
        first_peer.send(response_to(refused, 486, "Busy Here", to_tag="line"), s.address)  # retransmitted
        assert (await first_peer.receive()).method == "ACK"
        second_peer.send(response_to(retried, 200, "OK", to_tag="line2"), s.address)
        reply = await s.trunk.receive()
        assert reply.status == 200  # the caller never saw the refusal
        await s.trunk.nothing(0.2)

    asyncio.run(run(test))
