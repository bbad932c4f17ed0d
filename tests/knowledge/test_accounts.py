"""Console accounts in the database: hashing, sign-in checks, districts, and how accounts and
district bundles live together."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from knowledge import accounts
from knowledge.accounts import AccountError, LoginPolicy, Outcome
from knowledge.bundle import export_path, import_path
from knowledge.db import session_factory, transaction
from knowledge.models import Consultant
from tests.conftest import MAPLE, TODAY
from tests.knowledge.test_import import _second_district

NOW = dt.datetime(2026, 11, 23, 8, 0)
PASSWORD = "correct horse battery staple"


class CountingHasher(PasswordHasher):
    def __init__(self, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        self.verified += 1
        return super().verify(hash, password)


def _hasher(time_cost: int = 1) -> CountingHasher:
    return CountingHasher(time_cost=time_cost, memory_cost=1024)


def test_every_sign_in_verifies_exactly_one_hash(maple_committing: Engine) -> None:
    """Unknown, disabled, locked or not: one Argon2 verification each, so that the time an
    answer takes does not tell whether the account exists."""
    factory = session_factory(maple_committing)
    hasher = _hasher()
    dummy = hasher.hash("dummy")
    policy = LoginPolicy(max_failures=2, lockout=dt.timedelta(minutes=15))
    with transaction(factory) as session:
        accounts.add(session, hasher, "alice", PASSWORD, ["maple-town"])
        accounts.add(session, hasher, "bob", PASSWORD, ["maple-town"])
        accounts.set_disabled(session, "bob", True)
    for username, password, outcome in (("alice", PASSWORD, Outcome.OK), ("alice", "wrong", Outcome.WRONG),
                                        ("nobody", PASSWORD, Outcome.WRONG), ("bob", PASSWORD, Outcome.WRONG),
                                        ("nobody", "x", Outcome.LOCKED), ("nobody", "x", Outcome.LOCKED),
                                        ("maple-chen", "no password yet", Outcome.WRONG)):
        before = hasher.verified
        with transaction(factory) as session:
            assert accounts.authenticate(session, hasher, dummy, username, password, policy, NOW).outcome is outcome
        assert hasher.verified == before + 1, username


def test_a_hash_made_with_old_parameters_is_redone_at_sign_in(maple_committing: Engine) -> None:
    factory = session_factory(maple_committing)
    with transaction(factory) as session:
        accounts.add(session, _hasher(1), "alice", PASSWORD, ["maple-town"])
    stronger = _hasher(2)
    with transaction(factory) as session:
        before = accounts.find(session, "alice").password_hash
        assert ",t=1," in before
        result = accounts.authenticate(session, stronger, stronger.hash("x"), "alice", PASSWORD, LoginPolicy(), NOW)
        assert result.outcome is Outcome.OK
    with factory() as session:
        after = accounts.find(session, "alice").password_hash
    assert ",t=2," in after and after.startswith("$argon2id$")
    stronger.verify(after, PASSWORD)


def test_passwords_are_checked_before_anything_is_written() -> None:
    with pytest.raises(AccountError) as empty:
        accounts.check_new_password("", 12)
    assert empty.value.code == "password_empty"
    with pytest.raises(AccountError) as short:
        accounts.check_new_password("elevenchars", 12)
    assert (short.value.code, short.value.params) == ("password_short", {"n": 12})
    accounts.check_new_password("twelve chars", 12)


def test_a_consultant_may_serve_several_districts(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    assert import_path(factory, _second_district(tmp_path), TODAY).ok
    with transaction(factory) as session:
        alice = accounts.add(session, _hasher(), "alice", PASSWORD, ["maple-town", "birch-vale"])
        admin = accounts.add(session, _hasher(), "root", PASSWORD, ["birch-vale"], is_admin=True)
        assert len(accounts.district_ids(alice) or ()) == 2 and accounts.district_ids(admin) is None
        rows = {row.username: row for row in accounts.listing(session, NOW)}
    assert rows["alice"].district == "maple-town" and rows["alice"].extra_districts == ("birch-vale",)
    with transaction(factory) as session:
        for keys, code in ((["nowhere"], "district_unknown"), (["maple-town"], "username_taken")):
            with pytest.raises(AccountError) as refused:
                accounts.add(session, _hasher(), "alice", PASSWORD, keys)
            assert refused.value.code == code
        with pytest.raises(AccountError) as other:  # a bundle's consultant belongs to their bundle's district
            accounts.add(session, _hasher(), "birch-chen", PASSWORD, ["maple-town"])
        assert (other.value.code, other.value.params["district"]) == ("username_other_district", "birch-vale")


def test_a_bundle_import_keeps_console_access_and_accounts(empty_engine: Engine, tmp_path: Path) -> None:
    """A re-import never wipes a password or retires an account made with the CLI; an export
    holds bundle consultants only (no password, no CLI account)."""
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    with transaction(factory) as session:
        accounts.add(session, _hasher(), "maple-chen", PASSWORD, ["maple-town"], is_admin=True)  # the bundle's
        accounts.add(session, _hasher(), "alice", PASSWORD, ["maple-town"])
    again = import_path(factory, MAPLE, TODAY)
    assert again.ok and not again.reports[0].changed
    with factory() as session:
        chen, alice = accounts.find(session, "maple-chen"), accounts.find(session, "alice")
        assert chen.password_hash and chen.is_admin and chen.origin == "bundle"
        assert alice.active and alice.password_hash and alice.origin == "cli"
    export_path(factory, tmp_path / "out")
    exported = (tmp_path / "out" / "maple-town" / "consultants.yaml").read_text(encoding="utf-8")
    assert "maple-chen" in exported and "alice" not in exported and "argon2" not in exported


def test_a_bundle_may_not_take_a_cli_accounts_username(empty_engine: Engine, tmp_path: Path) -> None:
    import shutil

    import yaml

    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    with transaction(factory) as session:
        accounts.add(session, _hasher(), "alice", PASSWORD, ["maple-town"])
    bundle = tmp_path / "maple-town"
    shutil.copytree(MAPLE, bundle)
    path = bundle / "consultants.yaml"
    listed = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump([*listed, {"key": "wong", "name": "Alice Wong", "username": "alice"}],
                                   allow_unicode=True), encoding="utf-8")
    result = import_path(factory, bundle, TODAY)
    assert not result.ok and [p.code for p in result.problems] == ["console_account"]
    assert "careline consultant add" in result.problems[0].say("en")
    path.write_text(yaml.safe_dump([*listed, {"key": "alice", "name": "Alice Wong", "username": "alice"}],
                                   allow_unicode=True), encoding="utf-8")
    assert import_path(factory, bundle, TODAY).ok  # the same key and username: the bundle names the account
    with factory() as session:
        alice = session.scalar(select(Consultant).where(Consultant.username == "alice"))
        assert alice.name == "Alice Wong" and alice.password_hash and alice.origin == "cli"
