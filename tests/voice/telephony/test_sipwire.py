"""Reading and rewriting SIP messages for the hotline's front (RFC 3261 §7, §18.2; RFC 3581)."""

from __future__ import annotations

import pytest

from voice.telephony.sipwire import MalformedSip, SipMessage, response_to, stamp_via, via_reply_address

INVITE = (
    b"INVITE sip:hotline@127.0.0.1:5060 SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 10.0.0.9:5070;branch=z9hG4bK-top;rport, SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK-2\r\n"
    b"Via: SIP/2.0/UDP [2001:db8::1]:5080;branch=z9hG4bK-3\r\n"
    b"From: \"Wang, Li\" <sip:13900000001@10.0.0.9>;tag=a\r\n"
    b"To: <sip:hotline@127.0.0.1>\r\n"
    b"i: abc@10.0.0.9\r\n"
    b"CSeq: 1 INVITE\r\n"
    b"Subject: a folded\r\n  header\r\n"
    b"Content-Length: 4\r\n"
    b"\r\n"
    b"v=0\r\ntrailing bytes beyond the length"
)


def test_compact_forms_joined_vias_and_folded_lines_are_read() -> None:
    message = SipMessage.parse(INVITE)
    assert message.is_request and message.method == "INVITE" and message.status == 0
    assert message.call_id == "abc@10.0.0.9"
    assert [via.split(";")[0] for via in message.vias()] == [
        "SIP/2.0/UDP 10.0.0.9:5070", "SIP/2.0/UDP 10.0.0.8", "SIP/2.0/UDP [2001:db8::1]:5080"]
    assert message.top_branch() == "z9hG4bK-top"
    assert message.get("subject") == "a folded header"
    assert message.body == b"v=0\r"  # Content-Length says how much of the datagram is the body


def test_vias_are_rewritten_in_place_one_per_line_and_the_length_recomputed() -> None:
    message = SipMessage.parse(INVITE)
    message.set_vias(["SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-mine", *message.vias()])
    message.body = b"v=0\r\nm=audio\r\n"
    text = message.to_bytes().decode()
    lines = text.split("\r\n")
    assert lines[0].startswith("INVITE ") and lines[1].startswith("Via: SIP/2.0/UDP 127.0.0.1:5060")
    assert [line for line in lines if line.startswith("Via:")][1:] == [f"Via: {via}" for via in message.vias()[1:]]
    assert "Content-Length: 14" in lines and text.endswith("\r\n\r\nv=0\r\nm=audio\r\n")
    again = SipMessage.parse(message.to_bytes())
    assert again.vias() == message.vias() and again.call_id == message.call_id


def test_received_and_rport_say_where_a_response_goes() -> None:
    top = SipMessage.parse(INVITE).vias()[0]
    stamped = stamp_via(top, ("192.0.2.7", 40123))
    assert stamped.endswith(";received=192.0.2.7;rport=40123")
    assert via_reply_address(stamped) == ("192.0.2.7", 40123)
    without_rport = stamp_via("SIP/2.0/UDP pbx.example:5070;branch=z9hG4bK-x", ("192.0.2.7", 40123))
    assert via_reply_address(without_rport) == ("192.0.2.7", 5070)
    assert via_reply_address("SIP/2.0/UDP 10.0.0.8;branch=z9hG4bK-2") == ("10.0.0.8", 5060)
    assert via_reply_address("SIP/2.0/UDP [2001:db8::1]:5080;branch=z") == ("2001:db8::1", 5080)


def test_a_response_made_by_the_front_copies_the_dialog_and_tags_the_to() -> None:
    request = SipMessage.parse(INVITE)
    response = response_to(request, 486, "Busy Here", to_tag="t1")
    assert response.start == "SIP/2.0 486 Busy Here" and response.status == 486 and response.method == "INVITE"
    assert response.vias() == request.vias() and response.call_id == request.call_id
    assert response.get("to") == "<sip:hotline@127.0.0.1>;tag=t1"
    tagged = SipMessage.parse(INVITE.replace(b"To: <sip:hotline@127.0.0.1>", b"To: <sip:h@x>;tag=old"))
    assert response_to(tagged, 200, "OK", to_tag="new").get("to") == "<sip:h@x>;tag=old"


@pytest.mark.parametrize("data", [
    b"",
    b"\xff\xfe garbage",
    b"HELLO WORLD\r\n\r\n",
    b"INVITE sip:x SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\n\r\n",  # no Call-ID, CSeq, From, To
    b"INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n",
    INVITE.replace(b"UDP 10.0.0.9:5070", b"UDP"),
])
def test_what_cannot_be_routed_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedSip):
        message = SipMessage.parse(data)
        via_reply_address(message.vias()[0])
