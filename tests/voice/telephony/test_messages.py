"""Reading a SIP request's caller, number dialled and INFO keypad bodies."""

from __future__ import annotations

import pytest

from voice.telephony.dtmf import digit_from_info
from voice.telephony.endpoint import call_limit
from voice.telephony.sipmsg import called_of, caller_of

INVITE = ("INVITE sip:4008001234@10.0.0.5:5060;user=phone SIP/2.0\r\n"
          "Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK1\r\n"
          "{from_line}\r\n"
          "{extra}"
          "To: <sip:4008001234@10.0.0.5>\r\nCall-ID: a1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")


def test_the_caller_is_the_user_of_from() -> None:
    message = INVITE.format(from_line='From: "Wang" <sip:+8613812345678@trunk.example;user=phone>;tag=9', extra="")
    assert caller_of(message) == "+8613812345678"
    assert called_of(message) == "4008001234"


def test_an_asserted_identity_wins_and_compact_headers_are_read() -> None:
    message = INVITE.format(from_line="f: <sip:anonymous@anonymous.invalid>;tag=9",
                            extra="P-Asserted-Identity: <tel:+8613912345678>\r\n")
    assert caller_of(message) == "+8613912345678"
    assert caller_of(INVITE.format(from_line="f: <sip:02161553101@pbx>;tag=9", extra="")) == "02161553101"


@pytest.mark.parametrize(("content_type", "body", "digit"), [
    ("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", "5"),
    ("application/dtmf-relay", "signal= #\nduration=100", "#"),
    ("Application/DTMF-Relay; charset=utf-8", "Signal=10\r\nDuration=160", "*"),
    ("application/dtmf", "9", "9"),
    ("application/dtmf", "11\r\n", "#"),
    ("application/dtmf-relay", "Duration=160", None),
    ("application/dtmf", "A", None),
    ("text/plain", "5", None),
])
def test_info_bodies(content_type: str, body: str, digit: str | None) -> None:
    assert digit_from_info(content_type, body) == digit


def test_the_call_limit_is_the_builds() -> None:
    """pjsua2-python 2.15.1.post1 is built with pjproject's default PJSUA_MAX_CALLS (4): the README's
    capacity section rests on it; a wheel built for more calls changes this figure."""
    assert call_limit() == 4
