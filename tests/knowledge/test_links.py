import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import links
from knowledge.links import LinkRefusal
from knowledge.models import Elder, ElderFamily, FamilyMember, LinkCode
from tests.conftest import NOW

DAY = dt.timedelta(hours=24)


def _elder(session: Session, key: str) -> Elder:
    return session.scalar(select(Elder).where(Elder.key == key))


def test_a_code_links_once_and_only_its_hash_is_stored(maple: Session) -> None:
    wang = _elder(maple, "wang")
    code = links.issue_code(maple, wang.id, DAY, NOW)
    assert len(code) == 6 and code.isdigit()
    assert code not in {row.code_hash for row in maple.scalars(select(LinkCode))}
    son = links.account_for(maple, "telegram", "9001", "9001", "zh")
    result = links.redeem(maple, son, f" {code[:3]} {code[3:]} ", NOW)
    assert result.elder is not None and result.elder.id == wang.id
    assert [e.key for e in links.linked_elders(maple, son)] == ["wang"]
    assert son.selected_elder_id == wang.id
    stranger = links.account_for(maple, "telegram", "9002", "9002", "en")
    assert links.redeem(maple, stranger, code, NOW).refusal is LinkRefusal.USED
    assert links.linked_elders(maple, stranger) == []


def test_unknown_expired_malformed_and_replaced_codes_are_refused(maple: Session) -> None:
    wang, li = _elder(maple, "wang"), _elder(maple, "li")
    account = links.account_for(maple, "telegram", "9003", "9003", "zh")
    old = links.issue_code(maple, wang.id, DAY, NOW)
    new = links.issue_code(maple, wang.id, DAY, NOW)
    assert links.redeem(maple, account, old, NOW).refusal is LinkRefusal.EXPIRED, "a new code replaces the old"
    late = links.issue_code(maple, li.id, DAY, NOW)
    assert links.redeem(maple, account, late, NOW + DAY + dt.timedelta(minutes=1)).refusal is LinkRefusal.EXPIRED
    assert links.redeem(maple, account, "12345", NOW).refusal is LinkRefusal.MALFORMED
    assert links.redeem(maple, account, "hello", NOW).refusal is LinkRefusal.MALFORMED
    unknown = "000000" if new != "000000" else "000001"
    assert links.redeem(maple, account, unknown, NOW).refusal is LinkRefusal.UNKNOWN
    assert links.linked_elders(maple, account) == []
    assert links.normalise_code("１２３ ４５６") == "123456"
    assert links.redeem(maple, account, " ".join(new), NOW).elder.key == "wang", "spaced digits as said aloud"


def test_several_family_members_per_elder_and_elders_per_member(maple: Session) -> None:
    wang, li = _elder(maple, "wang"), _elder(maple, "li")
    daughter = links.account_for(maple, "telegram", "9010", "9010", "zh")
    son = links.account_for(maple, "telegram", "9011", "9011", "zh")
    for account in (daughter, son):
        assert links.redeem(maple, account, links.issue_code(maple, wang.id, DAY, NOW), NOW).elder is not None
    assert links.redeem(maple, daughter, links.issue_code(maple, li.id, DAY, NOW), NOW).elder is not None
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
