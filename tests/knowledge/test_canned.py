"""Canned replies: kept in the console per district and language (a consultant for their
districts, an administrator for all, audited), and brought by a district bundle
(``canned_replies.yaml``): validated with bilingual problems, and re-imported without duplicates
and without touching the replies consultants wrote."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from knowledge import canned, db
from knowledge.actors import Actor, actor_for
from knowledge.bundle import export_path, import_path, load_bundles
from knowledge.db import session_factory
from knowledge.models import AuditEntry, CannedReply, Consultant, District
from tests.conftest import MAPLE, TODAY
from tests.knowledge.test_import import _copy, _edit


def _replies(engine: Engine) -> list[tuple[str, str | None, str, str, str]]:
    with session_factory(engine)() as session:
        return sorted((r.origin, r.key, r.language, r.title, r.text) for r in session.scalars(select(CannedReply)))


def _district(engine: Engine, key: str = "maple-town") -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(District.id).where(District.key == key))


def _actor(engine: Engine, district_id: int, admin: bool = False) -> Actor:
    with db.transaction(session_factory(engine)) as session:
        row = Consultant(district_id=district_id, key=f"c-{uuid.uuid4().hex[:8]}", name="测试",
                         username=f"u-{uuid.uuid4().hex[:8]}", languages=["zh"])
        session.add(row)
        session.flush()
        return actor_for(session, row.id, admin)


def test_a_bundle_brings_its_replies_per_language(empty_engine: Engine) -> None:
    result = import_path(session_factory(empty_engine), MAPLE, TODAY)
    assert result.ok and result.reports[0].changes["canned_replies"] == {"created": 3}
    assert _replies(empty_engine) == [
        ("bundle", "greeting", "en", "Greeting", "Hello, this is Maple Town's staff."),
        ("bundle", "greeting", "zh", "问候", "您好，我是枫镇的工作人员。"),
        ("bundle", "hold-on", "zh", "请稍等", "请稍等，我查一下。"),
    ]


def test_reimport_replaces_the_bundles_replies_and_keeps_the_consultants(empty_engine: Engine,
                                                                        tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    maple = _district(empty_engine)
    actor = _actor(empty_engine, maple)
    with db.transaction(factory) as session:
        canned.add(session, actor, canned.Draft(maple, "zh", "我写的", "控制台里写的回复"))
        edited = session.scalar(select(CannedReply).where(CannedReply.key == "greeting", CannedReply.language == "zh"))
        canned.edit(session, actor, edited.id, canned.Draft(maple, "zh", "问候", "改过的问候"))
    again = import_path(factory, MAPLE, TODAY)
    assert again.reports[0].changes["canned_replies"] == {"unchanged": 2, "updated": 1}, "the bundle's wording back"
    assert len(_replies(empty_engine)) == 4, "no duplicates"

    folder = _copy(tmp_path)
    _edit(folder / "canned_replies.yaml", lambda d: (d.pop(1), d[0]["text"].update(en="Hello from Maple Town.")))
    result = import_path(factory, folder, TODAY)
    assert result.reports[0].changes["canned_replies"] == {"updated": 1, "unchanged": 1, "deleted": 1}
    assert _replies(empty_engine) == [
        ("bundle", "greeting", "en", "Greeting", "Hello from Maple Town."),
        ("bundle", "greeting", "zh", "问候", "您好，我是枫镇的工作人员。"),
        ("console", None, "zh", "我写的", "控制台里写的回复"),
    ]
    (folder / "canned_replies.yaml").unlink()
    assert import_path(factory, folder, TODAY).ok
    assert _replies(empty_engine) == [("console", None, "zh", "我写的", "控制台里写的回复")]


def test_export_writes_the_bundles_replies_back(empty_engine: Engine, tmp_path: Path) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    actor = _actor(empty_engine, _district(empty_engine))
    with db.transaction(factory) as session:
        canned.add(session, actor, canned.Draft(_district(empty_engine), "en", "Mine", "not exported"))
    export_path(factory, tmp_path / "out")
    [bundle], problems = load_bundles(tmp_path / "out" / "maple-town")
    assert not problems
    assert {(r.key, r.title.languages) for r in bundle.canned_replies} == {("greeting", ("zh", "en")),
                                                                           ("hold-on", ("zh",))}
    assert not any(r.changed for r in import_path(factory, tmp_path / "out", TODAY).reports)


@pytest.mark.parametrize(("items", "code", "field"), [
    ([{"key": "a", "title": {"zh": "标题"}, "text": {"en": "text"}}], "careline_reply_languages", None),
    ([{"key": "a", "title": {}, "text": {}}], "careline_reply_languages", None),
    ([{"key": "a", "title": {"zh": "标题"}, "text": {"zh": "长" * 2001}}], "string_too_long", "text.zh"),
    ([{"key": "a", "title": {"zh": "题" * 129}, "text": {"zh": "内容"}}], "careline_reply_title", None),
    ([{"key": "a", "title": {"zh": "一"}, "text": {"zh": "一"}},
      {"key": "a", "title": {"zh": "二"}, "text": {"zh": "二"}}], "duplicate_key", "key"),
    ([{"key": "a", "title": {"zh": "标题"}, "text": {"zh": "内容"}, "langauge": "zh"}], "extra_forbidden", "langauge"),
])
def test_a_bad_canned_reply_is_a_clear_problem_in_both_languages(tmp_path: Path, items: list, code: str,
                                                                 field: str | None) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "canned_replies.yaml", lambda d: (d.clear(), d.extend(items)))
    bundles, problems = load_bundles(folder)
    assert bundles == [] and [p.code for p in problems] == [code], [p.say("en") for p in problems]
    [problem] = problems
    assert problem.file == "maple-town/canned_replies.yaml" and problem.item is not None
    assert field is None or problem.field == field
    zh, en = problem.say("zh"), problem.say("en")
    assert "canned_replies.yaml" in zh and "canned_replies.yaml" in en and zh != en
    assert "invalid value" not in en and "取值无效" not in zh, "said in plain words"


def test_consultants_keep_their_districts_replies_and_every_change_is_audited(empty_engine: Engine) -> None:
    factory = session_factory(empty_engine)
    assert import_path(factory, MAPLE, TODAY).ok
    maple = _district(empty_engine)
    with db.transaction(factory) as session:
        other = District(key="elsewhere", kind="rural", name={"zh": "外区", "en": "Elsewhere"}, city={}, description={},
                         timezone="Asia/Shanghai", emergency_number="120", emergency_advice={}, latitude=0,
                         longitude=0, bundle_version="1")
        session.add(other)
        session.flush()
        other_id = other.id
    consultant, admin = _actor(empty_engine, maple), _actor(empty_engine, maple, admin=True)
    with db.transaction(factory) as session:
        mine = canned.add(session, consultant, canned.Draft(maple, "en", "  Hours ", " Open 8 to 5. ")).id
        theirs = canned.add(session, admin, canned.Draft(other_id, "zh", "外区", "外区的回复")).id
    with db.transaction(factory) as session:
        assert {r.id for r in canned.listed(session, consultant)} >= {mine}
        assert theirs not in {r.id for r in canned.listed(session, consultant)}
        assert {mine, theirs} <= {r.id for r in canned.listed(session, admin)}
        assert (session.get(CannedReply, mine).title, session.get(CannedReply, mine).text) == ("Hours", "Open 8 to 5.")
    for attempt, code in ((lambda s: canned.add(s, consultant, canned.Draft(other_id, "zh", "x", "y")),
                           "reply_district_refused"),
                          (lambda s: canned.edit(s, consultant, theirs, canned.Draft(maple, "zh", "x", "y")),
                           "reply_not_found"),
                          (lambda s: canned.delete(s, consultant, theirs), "reply_not_found"),
                          (lambda s: canned.edit(s, consultant, mine, canned.Draft(other_id, "zh", "x", "y")),
                           "reply_district_refused"),
                          (lambda s: canned.add(s, consultant, canned.Draft(maple, "fr", "x", "y")),
                           "reply_language_refused"),
                          (lambda s: canned.add(s, consultant, canned.Draft(maple, "zh", " ", "y")), "reply_empty"),
                          (lambda s: canned.add(s, consultant, canned.Draft(maple, "zh", "x", "y" * 2001)),
                           "reply_too_long")):
        with pytest.raises(canned.CannedRefused) as caught, db.transaction(factory) as session:
            attempt(session)
        assert caught.value.code == code
    with db.transaction(factory) as session:
        canned.edit(session, consultant, mine, canned.Draft(maple, "zh", "时间", "八点到五点"))
        canned.delete(session, consultant, mine)
        assert session.get(CannedReply, mine) is None and session.get(CannedReply, theirs) is not None
        actions = [(e.action, e.detail["reply"]) for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == [("reply_add", mine), ("reply_add", theirs), ("reply_edit", mine), ("reply_delete", mine)]
