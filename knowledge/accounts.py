"""Consultants' console accounts: passwords, sign-in, lock-out, and which districts one serves.

Passwords are hashed with Argon2id (``argon2-cffi``); a hash made with other parameters than
today's settings is redone at the next successful sign-in. Failed sign-ins are counted per
username in the database (``console_login_failures``), for names that exist and names that do
not alike, so neither the answer nor its timing tells whether an account exists: every attempt
verifies one hash (a dummy one when there is no account) and writes the same rows.

A consultant comes from a district bundle (``origin`` "bundle": name, username and languages
are the bundle's, the password is set here) or from ``careline consultant add`` (``origin``
"cli", key = username, never retired or exported by a bundle). Console access (password,
administrator, disabled, extra districts) is never touched by an import.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from knowledge import console_sessions
from knowledge.audit import audit
from knowledge.models import Consultant, ConsultantDistrict, District, LoginFailure

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")  # a bundle key, as consultants.yaml has it
MAX_PASSWORD_CHARS = 1024
#: a count of failures that has not grown for this long is forgotten
FORGET_FAILURES_AFTER = dt.timedelta(days=1)


class AccountError(Exception):
    """A refusal an operator can act on; ``code`` names its message in ``careline.texts``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def password_hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)


def check_new_password(password: str, min_length: int) -> None:
    if not password:
        raise AccountError("password_empty")
    if len(password) < min_length:
        raise AccountError("password_short", n=min_length)
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError("password_long", n=MAX_PASSWORD_CHARS)


def normal_username(username: str) -> str:
    return username.strip().lower()


def find(session: Session, username: str) -> Consultant | None:
    return session.scalar(select(Consultant).where(Consultant.username == normal_username(username)))


def need(session: Session, username: str) -> Consultant:
    consultant = find(session, username)
    if consultant is None:
        raise AccountError("username_unknown", username=username)
    return consultant


def _districts(session: Session, keys: list[str]) -> list[District]:
    found = []
    for key in dict.fromkeys(keys):
        district = session.scalar(select(District).where(District.key == key))
        if district is None:
            raise AccountError("district_unknown", district=key)
        found.append(district)
    if not found:
        raise AccountError("district_missing")
    return found


def add(session: Session, hasher: PasswordHasher, username: str, password: str, district_keys: list[str], *,
        is_admin: bool = False, name: str | None = None) -> Consultant:
    """Give a person console access. The first district is their own, any others they serve too.

    A consultant a bundle listed without a password (the bundle never holds one) gets their
    access here: the name stays the bundle's, and their own district must be among ``district_keys``."""
    username = normal_username(username)
    if not USERNAME.match(username):
        raise AccountError("username_invalid", username=username)
    districts = _districts(session, district_keys)
    consultant = find(session, username)
    if consultant is not None and consultant.password_hash:
        raise AccountError("username_taken", username=username)
    if consultant is None:
        home = districts[0]
        if session.scalar(select(Consultant.id).where(Consultant.district_id == home.id, Consultant.key == username)):
            raise AccountError("username_taken", username=username)
        consultant = Consultant(district_id=home.id, key=username, name=(name or "").strip() or username,
                                username=username, languages=["zh", "en"], origin="cli", active=True)
        session.add(consultant)
        session.flush()
    else:
        home_key = session.get(District, consultant.district_id).key
        if home_key not in district_keys:
            raise AccountError("username_other_district", username=username, district=home_key)
    consultant.password_hash = hasher.hash(password)
    consultant.is_admin = is_admin
    consultant.disabled = False
    consultant.extra_districts = [ConsultantDistrict(district_id=d.id) for d in districts
                                  if d.id != consultant.district_id]
    session.flush()
    return consultant


def set_password(session: Session, hasher: PasswordHasher, username: str, password: str) -> Consultant:
    """A new password ends every session of the account and clears its failed sign-ins."""
    consultant = need(session, username)
    consultant.password_hash = hasher.hash(password)
    console_sessions.end_all(session, consultant.id)
    clear_failures(session, consultant.username)
    session.flush()
    return consultant


def set_disabled(session: Session, username: str, disabled: bool) -> Consultant:
    """Disabling ends every session at once; enabling also lifts a lock-out."""
    consultant = need(session, username)
    consultant.disabled = disabled
    if disabled:
        console_sessions.end_all(session, consultant.id)
    else:
        clear_failures(session, consultant.username)
    session.flush()
    return consultant


@dataclass(frozen=True)
class AccountRow:
    username: str
    name: str
    district: str
    extra_districts: tuple[str, ...]
    is_admin: bool
    has_password: bool
    disabled: bool
    active: bool
    origin: str
    locked_until: dt.datetime | None


def listing(session: Session, now: dt.datetime) -> list[AccountRow]:
    keys = dict(session.execute(select(District.id, District.key)).tuples().all())
    locks = {row.name_hash: row.locked_until for row in session.scalars(
        select(LoginFailure).where(LoginFailure.locked_until > now))}
    rows = []
    for c in session.scalars(select(Consultant).order_by(Consultant.username)):
        rows.append(AccountRow(c.username, c.name, keys[c.district_id],
                               tuple(sorted(keys[x.district_id] for x in c.extra_districts)), c.is_admin,
                               bool(c.password_hash), c.disabled, c.active, c.origin,
                               locks.get(name_hash(c.username))))
    return rows


def district_ids(consultant: Consultant) -> frozenset[int] | None:
    """The districts whose conversations a consultant sees; None for an administrator (all)."""
    if consultant.is_admin:
        return None
    return frozenset({consultant.district_id, *(x.district_id for x in consultant.extra_districts)})


# --- signing in ---

class Outcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lockout: dt.timedelta = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    consultant: Consultant | None = None


def name_hash(username: str) -> str:
    return hashlib.sha256(normal_username(username).encode("utf-8", "surrogateescape")).hexdigest()


def can_sign_in(consultant: Consultant | None) -> bool:
    return bool(consultant and consultant.active and not consultant.disabled and consultant.password_hash)


def _verify(hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, hasher: PasswordHasher, dummy_hash: str, username: str, password: str,
                 policy: LoginPolicy, now: dt.datetime) -> LoginResult:
    """Check a sign-in and record it (audit, failure count) in ``session``'s transaction.

    One hash is verified on every path (``dummy_hash`` when there is no usable account) and the
    failure row is written for known and unknown names alike, so the answer for a name that
    does not exist is the same, in content and timing, as for one that does."""
    key = name_hash(username)
    failures = _failure_row(session, key, now)
    locked = failures.locked_until is not None and failures.locked_until > now
    consultant = find(session, username) if len(username) <= 256 else None
    usable = can_sign_in(consultant)
    right = _verify(hasher, consultant.password_hash if usable else dummy_hash,  # type: ignore[union-attr]
                    password[:MAX_PASSWORD_CHARS]) and usable
    actor = consultant.id if consultant is not None else None
    if locked:
        audit(session, actor, "login_failed", detail={"reason": "locked"}, at=now)
        return LoginResult(Outcome.LOCKED)
    if right:
        assert consultant is not None
        session.delete(failures)
        if hasher.check_needs_rehash(consultant.password_hash or ""):
            consultant.password_hash = hasher.hash(password)
        audit(session, consultant.id, "login", at=now)
        session.flush()
        return LoginResult(Outcome.OK, consultant)
    if failures.locked_until is not None:  # a lock that has run out: counting starts again
        failures.failures, failures.locked_until = 0, None
    failures.failures += 1
    failures.last_failed_at = now
    reason = "wrong_password" if consultant is not None else "unknown_user"
    if consultant is not None and not usable:
        reason = "no_access"
    audit(session, actor, "login_failed", detail={"reason": reason}, at=now)
    if failures.failures >= policy.max_failures:
        failures.locked_until = now + policy.lockout
        audit(session, actor, "login_locked", detail={"failures": failures.failures,
                                                      "until": failures.locked_until.isoformat()}, at=now)
        session.flush()
        return LoginResult(Outcome.LOCKED)
    session.flush()
    return LoginResult(Outcome.WRONG)


def _failure_row(session: Session, key: str, now: dt.datetime) -> LoginFailure:
    """The failure count of one name, locked for this transaction (made if missing, so that two
    sign-ins at once count twice); counts idle for a day are forgotten on the way."""
    session.execute(delete(LoginFailure).where(LoginFailure.last_failed_at < now - FORGET_FAILURES_AFTER,
                                               LoginFailure.name_hash != key)
                    .where((LoginFailure.locked_until.is_(None)) | (LoginFailure.locked_until < now))
                    .execution_options(synchronize_session=False))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(LoginFailure).values(name_hash=key, failures=0, last_failed_at=now)
                    .on_conflict_do_nothing(index_elements=["name_hash"]))
    row = session.scalar(select(LoginFailure).where(LoginFailure.name_hash == key)
                         .with_for_update().execution_options(populate_existing=True))
    assert row is not None
    if row.locked_until is None and row.last_failed_at < now - FORGET_FAILURES_AFTER:
        row.failures = 0
    return row


def clear_failures(session: Session, username: str) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.name_hash == name_hash(username)))
