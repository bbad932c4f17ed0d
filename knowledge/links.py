"""Who may act for an elder through a chat channel: accounts, one-time link codes, links.

A family member links a chat account to an elder by sending a code that the elder's profile
produced (read out on the hotline or shown to a consultant). Codes are single-use, expire, and
only a keyed hash (HMAC-SHA256 with the ``link_codes`` secret) is stored: a million six-digit codes
are quickly hashed by anyone who reads the table, but not without the key. Refused codes are
counted in the database, per account and overall, so that several hubs share one limit. Family
members that the district's bundle already lists with their Telegram user id are linked without a
code, and lose the link when the bundle no longer lists them."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge import outbox
from knowledge.db import transaction
from knowledge.models import (
    AccountElder,
    ChannelAccount,
    Elder,
    ElderEvent,
    ElderFamily,
    FamilyMember,
    IdentityCheck,
    LinkAttempt,
    LinkCode,
    OutboxMessage,
    utcnow,
)

CODE_DIGITS = 6


class LinkRefusal(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class LinkResult:
    elder: Elder | None = None
    refusal: LinkRefusal | None = None
    already: bool = False


@dataclass(frozen=True)
class AttemptLimits:
    """How many refused codes are tolerated within ``window``: from one account, and from all
    accounts together (someone with many Telegram accounts)."""

    per_account: int = 5
    overall: int = 30
    window: dt.timedelta = dt.timedelta(hours=1)


def code_hash(code: str, key: str) -> str:
    return hmac.new(key.encode(), f"careline-link:{code}".encode(), hashlib.sha256).hexdigest()


def normalise_code(text: str) -> str | None:
    """The digits of a code as typed or spoken ("123 456", "１２３４５６"), or None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return digits if len(digits) == CODE_DIGITS and digits.isascii() else None


def issue_code(session: Session, elder_id: int, ttl: dt.timedelta, now: dt.datetime | None = None, *,
               key: str) -> str:
    """A fresh code for an elder; earlier unused codes of the elder stop working."""
    now = now or utcnow()
    session.execute(update(LinkCode).where(LinkCode.elder_id == elder_id, LinkCode.used_at.is_(None),
                                           LinkCode.expires_at > now).values(expires_at=now)
                    .execution_options(synchronize_session=False))
    for _ in range(20):
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        try:
            with session.begin_nested():
                session.add(LinkCode(elder_id=elder_id, code_hash=code_hash(code, key), expires_at=now + ttl,
                                     created_at=now))
            return code
        except IntegrityError:  # the same digits were issued before: draw again
            continue
    raise RuntimeError("could not draw a unique link code")


class PhoneCode(StrEnum):
    """What came of asking for a link code on the phone (:func:`code_by_phone`)."""

    ISSUED = "issued"
    WRONG_YEAR = "wrong_year"
    LOCKED = "locked"
    CANNOT_CHECK = "cannot_check"


#: wrong years of birth an elder's phone may key in within :data:`CHECK_WINDOW` before the code
#: is only given by a consultant (a caller who is not the elder gets a few guesses, not fifty)
WRONG_YEARS_ALLOWED = 3
CHECK_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class PhoneCodeResult:
    outcome: PhoneCode
    code: str | None = None
    tries_left: int = 0


def code_by_phone(session: Session, elder: Elder, birth_year: int, ttl: dt.timedelta, *, key: str,
                  now: dt.datetime | None = None) -> PhoneCodeResult:
    """A new link code for an elder whose phone called, if the year of birth keyed in is theirs.
    Every check is recorded; after :data:`WRONG_YEARS_ALLOWED` wrong years in a day the elder's
    code is refused on the phone (a consultant can still give one)."""
    now = now or utcnow()
    if elder.birth_date is None:
        return PhoneCodeResult(PhoneCode.CANNOT_CHECK)
    wrong = session.scalar(select(func.count(IdentityCheck.id)).where(
        IdentityCheck.elder_id == elder.id, IdentityCheck.passed.is_(False),
        IdentityCheck.at > now - CHECK_WINDOW)) or 0
    if wrong >= WRONG_YEARS_ALLOWED:
        return PhoneCodeResult(PhoneCode.LOCKED)
    passed = birth_year == elder.birth_date.year
    session.add(IdentityCheck(elder_id=elder.id, at=now, passed=passed))
    if not passed:
        left = WRONG_YEARS_ALLOWED - wrong - 1
        return PhoneCodeResult(PhoneCode.WRONG_YEAR if left > 0 else PhoneCode.LOCKED, tries_left=left)
    return PhoneCodeResult(PhoneCode.ISSUED, issue_code(session, elder.id, ttl, now, key=key))


def account_for(session: Session, channel: str, external_id: str, address: str, language: str) -> ChannelAccount:
    """The account of a channel user, created on first contact."""
    account = session.scalar(select(ChannelAccount).where(ChannelAccount.channel == channel,
                                                          ChannelAccount.external_id == external_id))
    if account is None:
        account = ChannelAccount(channel=channel, external_id=external_id, address=address, language=language)
        session.add(account)
        session.flush()
        _link_bundle_family(session, account)
    elif account.address != address:
        account.address = address
    return account


def _link_bundle_family(session: Session, account: ChannelAccount) -> None:
    if account.channel != "telegram" or not account.external_id.isdigit():
        return
    elder_ids = session.scalars(
        select(ElderFamily.elder_id).join(FamilyMember, FamilyMember.id == ElderFamily.family_member_id)
        .where(FamilyMember.telegram_user_id == int(account.external_id), FamilyMember.active.is_(True)))
    for elder_id in elder_ids:
        _link(session, account, elder_id)


def _link(session: Session, account: ChannelAccount, elder_id: int) -> bool:
    exists = session.scalar(select(AccountElder.id).where(AccountElder.account_id == account.id,
                                                          AccountElder.elder_id == elder_id))
    if exists is None:
        session.add(AccountElder(account_id=account.id, elder_id=elder_id))
        session.flush()
    if account.selected_elder_id is None:
        account.selected_elder_id = elder_id
    return exists is not None


def redeem(session: Session, account: ChannelAccount, text: str, now: dt.datetime | None = None, *,
           key: str) -> LinkResult:
    """Link an account to the elder whose code this is (no attempt limit: see :func:`redeem_limited`)."""
    now = now or utcnow()
    code = normalise_code(text)
    if code is None:
        return LinkResult(refusal=LinkRefusal.MALFORMED)
    row = session.scalar(select(LinkCode).where(LinkCode.code_hash == code_hash(code, key)))
    if row is None:
        return LinkResult(refusal=LinkRefusal.UNKNOWN)
    if row.used_at is not None:
        return LinkResult(refusal=LinkRefusal.USED)
    if row.expires_at <= now:
        return LinkResult(refusal=LinkRefusal.EXPIRED)
    claimed = session.execute(update(LinkCode).where(LinkCode.id == row.id, LinkCode.used_at.is_(None))
                              .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return LinkResult(refusal=LinkRefusal.USED)
    elder = session.get(Elder, row.elder_id)
    if elder is None or not elder.active:
        return LinkResult(refusal=LinkRefusal.UNKNOWN)
    already = _link(session, account, elder.id)
    account.selected_elder_id = elder.id
    return LinkResult(elder=elder, already=already)


def redeem_limited(sessions: sessionmaker[Session], account_id: int, text: str, *, key: str,
                   limits: AttemptLimits, now: dt.datetime | None = None) -> LinkResult:
    """:func:`redeem` within the attempt limits.

    The attempt is recorded and committed before it is counted, so hubs trying codes at the same
    instant all see each other: at worst a few are refused too many, never one too few. Attempts
    that are refused for the limit, and codes that work, are not counted."""
    now = now or utcnow()
    if normalise_code(text) is None:
        return LinkResult(refusal=LinkRefusal.MALFORMED)
    with transaction(sessions) as session:
        session.execute(delete(LinkAttempt).where(LinkAttempt.at <= now - limits.window))
        attempt = LinkAttempt(account_id=account_id, at=now)
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    with transaction(sessions) as session:
        recent = select(func.count(LinkAttempt.id)).where(LinkAttempt.at > now - limits.window)
        mine = session.scalar(recent.where(LinkAttempt.account_id == account_id)) or 0
        everyone = session.scalar(recent) or 0
        if mine > limits.per_account or everyone > limits.overall:
            session.execute(delete(LinkAttempt).where(LinkAttempt.id == attempt_id))
            return LinkResult(refusal=LinkRefusal.TOO_MANY)
        result = redeem(session, session.get(ChannelAccount, account_id), text, now, key=key)
        if result.elder is not None:
            session.execute(delete(LinkAttempt).where(LinkAttempt.id == attempt_id))
        return result


def linked_elders(session: Session, account: ChannelAccount) -> list[Elder]:
    return list(session.scalars(select(Elder).join(AccountElder, AccountElder.elder_id == Elder.id)
                                .where(AccountElder.account_id == account.id, Elder.active.is_(True))
                                .order_by(AccountElder.id)))


def is_linked(session: Session, account: ChannelAccount, elder_id: int) -> bool:
    return session.scalar(select(AccountElder.id).where(AccountElder.account_id == account.id,
                                                        AccountElder.elder_id == elder_id)) is not None


def accounts_of(session: Session, elder_id: int) -> list[ChannelAccount]:
    """Every chat account linked to an elder (who hears about the elder's bookings and emergencies)."""
    return list(session.scalars(select(ChannelAccount).join(AccountElder, AccountElder.account_id == ChannelAccount.id)
                                .where(AccountElder.elder_id == elder_id).order_by(ChannelAccount.id)))


def unlink(session: Session, account: ChannelAccount, elder_id: int) -> bool:
    """The account no longer acts for the elder nor hears about them: alerts about the elder
    still waiting in the outbox for this account are given up too. False: it was not linked."""
    link = session.scalar(select(AccountElder).where(AccountElder.account_id == account.id,
                                                     AccountElder.elder_id == elder_id))
    if link is None:
        return False
    session.delete(link)
    if account.selected_elder_id == elder_id:
        account.selected_elder_id = None
    _give_up_alerts(session, account, elder_id)
    session.flush()
    return True


def _give_up_alerts(session: Session, account: ChannelAccount, elder_id: int) -> None:
    """Alerts are queued with the dedupe key ``event:<event id>:<account id>`` (bot.hub.alerts)."""
    events = select(ElderEvent.id).where(ElderEvent.elder_id == elder_id)
    keys = [f"event:{event_id}:{account.id}" for event_id in session.scalars(events)]
    for start in range(0, len(keys), 500):
        session.execute(update(OutboxMessage)
                        .where(OutboxMessage.dedupe_key.in_(keys[start:start + 500]),
                               OutboxMessage.status == outbox.PENDING)
                        .values(status=outbox.DEAD, last_error="unlinked")
                        .execution_options(synchronize_session=False))


def bundle_family(session: Session, district_id: int) -> set[tuple[int, int]]:
    """(Telegram user id, elder id) of every active family member a district's bundle lists."""
    rows = session.execute(
        select(FamilyMember.telegram_user_id, ElderFamily.elder_id)
        .join(ElderFamily, ElderFamily.family_member_id == FamilyMember.id)
        .where(FamilyMember.district_id == district_id, FamilyMember.active.is_(True),
               FamilyMember.telegram_user_id.is_not(None)))
    return {(int(user_id), int(elder_id)) for user_id, elder_id in rows}


def link_bundle_family(session: Session, added: set[tuple[int, int]]) -> None:
    """Link the existing Telegram accounts of family members a bundle now lists for an elder
    (accounts made later are linked on first contact)."""
    for user_id, elder_id in sorted(added):
        account = session.scalar(select(ChannelAccount).where(ChannelAccount.channel == "telegram",
                                                              ChannelAccount.external_id == str(user_id)))
        if account is not None:
            _link(session, account, elder_id)


def forget_bundle_family(session: Session, removed: set[tuple[int, int]]) -> int:
    """Unlink the Telegram accounts of family members a bundle no longer lists for an elder
    (however the link was made); returns how many links went."""
    gone = 0
    for user_id, elder_id in sorted(removed):
        account = session.scalar(select(ChannelAccount).where(ChannelAccount.channel == "telegram",
                                                              ChannelAccount.external_id == str(user_id)))
        if account is not None and unlink(session, account, elder_id):
            gone += 1
    return gone


def family_relationship(session: Session, account_id: int | None, elder_id: int) -> str | None:
    """What the family member behind a chat account is to the elder (``daughter``, ``spouse`` …)
    when the district's bundle lists them with that account; None for an account linked by code
    alone, whose relationship nobody told."""
    if account_id is None:
        return None
    account = session.get(ChannelAccount, account_id)
    if account is None or account.channel != "telegram" or not account.external_id.isdigit():
        return None
    return session.scalar(
        select(ElderFamily.relationship_).join(FamilyMember, FamilyMember.id == ElderFamily.family_member_id)
        .where(FamilyMember.telegram_user_id == int(account.external_id), FamilyMember.active.is_(True),
               ElderFamily.elder_id == elder_id).limit(1))
