"""Who may act for an elder through a chat channel: accounts, one-time link codes, links.

A family member links a chat account to an elder by sending a code that the elder's profile
produced (read out on the hotline or shown to a consultant). Codes are single-use, expire, and
only their hash is stored. Family members that the district's bundle already lists with their
Telegram user id are linked without a code."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.models import AccountElder, ChannelAccount, Elder, ElderFamily, FamilyMember, LinkCode, utcnow

CODE_DIGITS = 6


class LinkRefusal(StrEnum):
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class LinkResult:
    elder: Elder | None = None
    refusal: LinkRefusal | None = None
    already: bool = False


def _hash(code: str) -> str:
    return hashlib.sha256(f"careline-link:{code}".encode()).hexdigest()


def normalise_code(text: str) -> str | None:
    """The digits of a code as typed or spoken ("123 456", "１２３４５６"), or None."""
    digits = "".join(ch for ch in text if ch.isdigit())
    digits = digits.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return digits if len(digits) == CODE_DIGITS and digits.isascii() else None


def issue_code(session: Session, elder_id: int, ttl: dt.timedelta, now: dt.datetime | None = None) -> str:
    """A fresh code for an elder; earlier unused codes of the elder stop working."""
    now = now or utcnow()
    session.execute(update(LinkCode).where(LinkCode.elder_id == elder_id, LinkCode.used_at.is_(None),
                                           LinkCode.expires_at > now).values(expires_at=now)
                    .execution_options(synchronize_session=False))
    for _ in range(20):
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        try:
            with session.begin_nested():
                session.add(LinkCode(elder_id=elder_id, code_hash=_hash(code), expires_at=now + ttl, created_at=now))
            return code
        except IntegrityError:  # the same digits were issued before: draw again
            continue
    raise RuntimeError("could not draw a unique link code")


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


def redeem(session: Session, account: ChannelAccount, text: str, now: dt.datetime | None = None) -> LinkResult:
    """Link an account to the elder whose code this is."""
    now = now or utcnow()
    code = normalise_code(text)
    if code is None:
        return LinkResult(refusal=LinkRefusal.MALFORMED)
    row = session.scalar(select(LinkCode).where(LinkCode.code_hash == _hash(code)))
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
    link = session.scalar(select(AccountElder).where(AccountElder.account_id == account.id,
                                                     AccountElder.elder_id == elder_id))
    if link is None:
        return False
    session.delete(link)
    if account.selected_elder_id == elder_id:
        account.selected_elder_id = None
    return True
