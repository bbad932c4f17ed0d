"""Phone numbers compared the way the network and people write them, and the elder a caller is.

Profiles keep numbers as an importer wrote them ("021-6155-3101", "138 0000 6103"); a phone
network gives the caller's number in another shape ("+862161553101", "02161553101",
"13800006103"). Both are brought to E.164 with ``phonenumbers`` (Google's libphonenumber) before
they are compared, in the region of the districts (``CN`` by default) for numbers written without
a country code.
"""

from __future__ import annotations

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.models import Elder

#: what people write between digits; the database narrows the elders to those whose number ends
#: in the caller's last digits, so a call never parses every registered number
SEPARATORS = ("-", " ", "(", ")", ".", "/")
TAIL_DIGITS = 7


def normalise_phone(number: str, region: str = "CN") -> str | None:
    """``number`` in E.164 (``+8613800006103``), or None when it is no phone number at all."""
    text = (number or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display_phone(number: str, region: str = "CN") -> str:
    """``number`` grouped as people read it (``+86 138 0000 6103``); as written when it is no number."""
    e164 = normalise_phone(number, region)
    if e164 is None:
        return number
    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def elder_by_phone(session: Session, number: str, region: str = "CN") -> Elder | None:
    """The one active elder whose registered phone is ``number``. None when nobody has it, and
    when several elders share it (a couple's landline): the caller is then asked, not guessed."""
    wanted = normalise_phone(number, region)
    if wanted is None:
        return None
    digits = Elder.phone
    for separator in SEPARATORS:
        digits = func.replace(digits, separator, "")
    candidates = session.scalars(select(Elder).where(
        Elder.active.is_(True), Elder.phone.is_not(None), digits.like(f"%{wanted[-TAIL_DIGITS:]}")))
    found = [elder for elder in candidates if normalise_phone(elder.phone or "", region) == wanted]
    return found[0] if len(found) == 1 else None
