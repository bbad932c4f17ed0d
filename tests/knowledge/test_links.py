import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import db, events, links
from knowledge.bundle import import_path
from knowledge.links import LinkRefusal
from knowledge.models import (
    ChannelAccount,
    Elder,
    ElderFamily,
    FamilyMember,
    LinkAttempt,
    LinkCode,
    OutboxMessage,
)
from tests.conftest import MAPLE, NOW, TODAY

DAY = dt.timedelta(hours=24)
KEY = "the-link-code-key"


def _elder(session: Session, key: str) -> Elder:
    return session.scalar(select(Elder).where(Elder.key == key))


def test_a_code_links_once_and_only_its_hash_is_stored(maple: Session) -> None:
    wang = _elder(maple, "wang")
    code = links.issue_code(maple, wang.id, DAY, NOW, key=KEY)
    assert len(code) == 6 and code.isdigit()
    assert code not in {row.code_hash for row in maple.scalars(select(LinkCode))}
    son = links.account_for(maple, "telegram", "9001", "9001", "zh")
    result = links.redeem(maple, son, f" {code[:3]} {code[3:]} ", NOW, key=KEY)
    assert result.elder is not None and result.elder.id == wang.id
    assert [e.key for e in links.linked_elders(maple, son)] == ["wang"]
    assert son.selected_elder_id == wang.id
    stranger = links.account_for(maple, "telegram", "9002", "9002", "en")
    assert links.redeem(maple, stranger, code, NOW, key=KEY).refusal is LinkRefusal.USED
    assert links.linked_elders(maple, stranger) == []


def test_unknown_expired_malformed_and_replaced_codes_are_refused(maple: Session) -> None:
    wang, li = _elder(maple, "wang"), _elder(maple, "li")
    account = links.account_for(maple, "telegram", "9003", "9003", "zh")
    old = links.issue_code(maple, wang.id, DAY, NOW, key=KEY)
    new = links.issue_code(maple, wang.id, DAY, NOW, key=KEY)
    assert links.redeem(maple, account, old, NOW, key=KEY).refusal is LinkRefusal.EXPIRED, "a new code replaces the old"
    late = links.issue_code(maple, li.id, DAY, NOW, key=KEY)
    too_late = NOW + DAY + dt.timedelta(minutes=1)
    assert links.redeem(maple, account, late, too_late, key=KEY).refusal is LinkRefusal.EXPIRED
    assert links.redeem(maple, account, "12345", NOW, key=KEY).refusal is LinkRefusal.MALFORMED
    assert links.redeem(maple, account, "hello", NOW, key=KEY).refusal is LinkRefusal.MALFORMED
    unknown = "000000" if new != "000000" else "000001"
    assert links.redeem(maple, account, unknown, NOW, key=KEY).refusal is LinkRefusal.UNKNOWN
    assert links.linked_elders(maple, account) == []
    assert links.normalise_code("１２３ ４５６") == "123456"
    assert links.redeem(maple, account, " ".join(new), NOW, key=KEY).elder.key == "wang", "spaced digits as said aloud"


def test_several_family_members_per_elder_and_elders_per_member(maple: Session) -> None:
    wang, li = _elder(maple, "wang"), _elder(maple, "li")
    daughter = links.account_for(maple, "telegram", "9010", "9010", "zh")
    son = links.account_for(maple, "telegram", "9011", "9011", "zh")
    for account in (daughter, son):
        code = links.issue_code(maple, wang.id, DAY, NOW, key=KEY)
        assert links.redeem(maple, account, code, NOW, key=KEY).elder is not None
    code = links.issue_code(maple, li.id, DAY, NOW, key=KEY)
    assert links.redeem(maple, daughter, code, NOW, key=KEY).elder is not None
    assert {a.id for a in links.accounts_of(maple, wang.id)} == {daughter.id, son.id}
    assert [e.key for e in links.linked_elders(maple, daughter)] == ["wang", "li"]
    assert links.unlink(maple, daughter, li.id) and not links.is_linked(maple, daughter, li.id)


def test_family_listed_in_the_bundle_with_a_telegram_id_is_linked_without_a_code(maple: Session) -> None:
    member = maple.scalar(select(FamilyMember).join(ElderFamily).limit(1))
    member.telegram_user_id = 777000111
    maple.flush()
    account = links.account_for(maple, "telegram", "777000111", "777000111", "zh")
    expected = {link.elder_id for link in member.links}
    assert {e.id for e in links.linked_elders(maple, account)} == expected


def test_the_stored_hash_is_keyed_and_useless_without_the_key(maple: Session) -> None:
    import hashlib
    import hmac

    wang = _elder(maple, "wang")
    code = links.issue_code(maple, wang.id, DAY, NOW, key=KEY)
    stored = maple.scalar(select(LinkCode.code_hash).where(LinkCode.elder_id == wang.id, LinkCode.used_at.is_(None),
                                                           LinkCode.expires_at > NOW))
    plain = {hashlib.sha256(text.encode()).hexdigest() for text in (code, f"careline-link:{code}")}
    assert stored not in plain, "a plain hash of six digits is reversed by trying a million codes"
    assert stored == hmac.new(KEY.encode(), f"careline-link:{code}".encode(), hashlib.sha256).hexdigest()
    account = links.account_for(maple, "telegram", "9020", "9020", "zh")
    assert links.redeem(maple, account, code, NOW, key="another key").refusal is LinkRefusal.UNKNOWN
    assert links.redeem(maple, account, code, NOW, key=KEY).elder.id == wang.id


def _two_hubs(engine: Engine) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    """Two processes' own connections to one database, as two hubs have."""
    second = db.make_engine(engine.url.render_as_string(hide_password=False))
    return db.session_factory(engine), db.session_factory(second)


def _account(sessions: sessionmaker[Session], user: str) -> int:
    with db.transaction(sessions) as session:
        return links.account_for(session, "telegram", user, user, "zh").id


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "000001"


def test_wrong_codes_are_limited_per_account_across_hubs(maple_committing: Engine) -> None:
    first, second = _two_hubs(maple_committing)
    limits = links.AttemptLimits(per_account=4, overall=100, window=dt.timedelta(hours=1))
    with db.transaction(first) as session:
        code = links.issue_code(session, _elder(session, "wang").id, DAY, NOW, key=KEY)
    guesser, other = _account(first, "9100"), _account(first, "9101")
    for n, sessions in enumerate((first, second, first, second)):
        refusal = links.redeem_limited(sessions, guesser, _wrong(code), key=KEY, limits=limits,
                                       now=NOW + dt.timedelta(minutes=n)).refusal
        assert refusal is LinkRefusal.UNKNOWN
    late = NOW + dt.timedelta(minutes=10)
    for sessions in (first, second):
        assert links.redeem_limited(sessions, guesser, code, key=KEY, limits=limits,
                                    now=late).refusal is LinkRefusal.TOO_MANY, "even the right code"
    assert links.redeem_limited(second, other, code, key=KEY, limits=limits, now=late).elder is not None
    with db.transaction(first) as session:
        code = links.issue_code(session, _elder(session, "li").id, DAY, NOW, key=KEY)
    after_an_hour = NOW + dt.timedelta(hours=1, minutes=1)
    assert links.redeem_limited(first, guesser, code, key=KEY, limits=limits, now=after_an_hour).elder is not None


def test_wrong_codes_are_limited_overall(maple_committing: Engine) -> None:
    first, second = _two_hubs(maple_committing)
    limits = links.AttemptLimits(per_account=5, overall=3, window=dt.timedelta(hours=1))
    with db.transaction(first) as session:
        code = links.issue_code(session, _elder(session, "wang").id, DAY, NOW, key=KEY)
    accounts = [_account(first, f"92{n:02d}") for n in range(5)]
    for n, account in enumerate(accounts[:3]):
        assert links.redeem_limited((first, second)[n % 2], account, _wrong(code), key=KEY, limits=limits,
                                    now=NOW).refusal is LinkRefusal.UNKNOWN
    assert links.redeem_limited(second, accounts[3], code, key=KEY, limits=limits,
                                now=NOW).refusal is LinkRefusal.TOO_MANY
    assert links.redeem_limited(first, accounts[4], "12", key=KEY, limits=limits,
                                now=NOW).refusal is LinkRefusal.MALFORMED, "a malformed code is no guess"
    with first() as session:
        assert session.scalar(select(func.count(LinkAttempt.id))) == 3, "refused for the limit: not counted"
    assert links.redeem_limited(second, accounts[3], code, key=KEY, limits=limits,
                                now=NOW + dt.timedelta(hours=2)).elder is not None


def _bundle_with_telegram(tmp_path: Path, members: dict[str, int], drop: tuple[str, ...] = (),
                          drop_elder: dict[str, str] | None = None) -> Path:
    folder = tmp_path / f"maple-{len(list(tmp_path.glob('maple-*')))}" / "maple-town"
    shutil.copytree(MAPLE, folder)
    path = folder / "family_members.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in data:
        if item["key"] in members:
            item["telegram_user_id"] = members[item["key"]]
        if item["key"] in (drop_elder or {}):
            item["elders"] = [e for e in item["elders"] if e["elder"] != drop_elder[item["key"]]]
    data = [item for item in data if item["key"] not in drop]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


def _emergency(sessions: sessionmaker[Session], elder: str) -> None:
    from bot.hub import alerts

    with db.transaction(sessions) as session:
        events.record(session, _elder(session, elder).id, events.EMERGENCY, channel="phone", data={"text": "help"})
    alerts.fan_out(sessions)


def _alerts_for(sessions: sessionmaker[Session], account_id: int) -> dict[str, int]:
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage.status)
                               .where(OutboxMessage.dedupe_key.like(f"event:%:{account_id}")))
        return dict(Counter(rows))


def test_a_family_member_left_out_of_the_bundle_loses_links_and_alerts(empty_engine: Engine, tmp_path: Path) -> None:
    sessions = db.session_factory(empty_engine)
    listed = {"wang-son": 700000123, "smith-daughter": 700000456}
    assert import_path(sessions, _bundle_with_telegram(tmp_path, listed), TODAY).ok
    with db.transaction(sessions) as session:
        son = links.account_for(session, "telegram", "700000123", "700000123", "zh").id
        daughter = links.account_for(session, "telegram", "700000456", "700000456", "en").id
    _emergency(sessions, "wang")
    _emergency(sessions, "smith")
    assert _alerts_for(sessions, son) == {"pending": 1} and _alerts_for(sessions, daughter) == {"pending": 1}

    assert import_path(sessions, _bundle_with_telegram(tmp_path, listed, drop_elder={"wang-son": "li"}), TODAY).ok
    with sessions() as session:
        assert [e.key for e in links.linked_elders(session, session.get(ChannelAccount, son))] == ["wang"]

    result = import_path(sessions, _bundle_with_telegram(tmp_path, listed, drop=("wang-son",)), TODAY)
    assert result.ok and result.reports[0].changes["family_members"]["retired"] == 1
    with sessions() as session:
        assert links.linked_elders(session, session.get(ChannelAccount, son)) == []
        assert [e.key for e in links.linked_elders(session, session.get(ChannelAccount, daughter))] == ["smith"]
        assert session.scalar(select(FamilyMember.active).where(FamilyMember.key == "wang-son")) is False
    assert _alerts_for(sessions, son) == {"dead": 1}, "the alert still waiting is not sent"
    assert _alerts_for(sessions, daughter) == {"pending": 1}
    _emergency(sessions, "wang")
    assert _alerts_for(sessions, son) == {"dead": 1}, "and no new alert is queued"

    assert import_path(sessions, _bundle_with_telegram(tmp_path, listed), TODAY).ok
    with sessions() as session:
        assert {e.key for e in links.linked_elders(session, session.get(ChannelAccount, son))} == {"wang", "li"}, \
            "listed again: linked again"


def test_what_a_family_member_is_to_the_elder_comes_from_the_bundle_for_their_account(maple: Session) -> None:
    son = maple.scalar(select(FamilyMember).where(FamilyMember.key == "wang-son"))
    son.telegram_user_id = 777000222
    maple.flush()
    account = links.account_for(maple, "telegram", "777000222", "777000222", "zh")
    wang, li = _elder(maple, "wang"), _elder(maple, "li")
    assert links.family_relationship(maple, account.id, wang.id) == "son"
    assert links.family_relationship(maple, account.id, li.id) == "relative"
    stranger = links.account_for(maple, "telegram", "777000333", "777000333", "zh")  # linked by a code alone
    assert links.family_relationship(maple, stranger.id, wang.id) is None
    assert links.family_relationship(maple, None, wang.id) is None
