"""``careline unlink`` as an administrator uses it, in a subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from knowledge import db, events, links
from knowledge.models import ChannelAccount, Elder, OutboxMessage
from tests.careline.test_cli import careline

KEY = "unlink-test-key"


def _link(engine: Engine, user: str, elder: str) -> int:
    with db.transaction(db.session_factory(engine)) as session:
        account = links.account_for(session, "telegram", user, user, "zh")
        elder_id = session.scalar(select(Elder.id).where(Elder.key == elder))
        assert links.redeem(session, account, links.issue_code(session, elder_id, dt.timedelta(hours=1), key=KEY),
                            key=KEY).elder is not None
        return account.id


def _linked(engine: Engine, user: str) -> list[str]:
    with db.session_factory(engine)() as session:
        account = session.scalar(select(ChannelAccount).where(ChannelAccount.external_id == user))
        return sorted(e.key for e in links.linked_elders(session, account))


def test_unlink_lists_removes_one_account_or_all(maple_committing: Engine) -> None:
    from bot.hub import alerts

    engine = maple_committing
    env = {"CARELINE_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    son, daughter = _link(engine, "81001", "wang"), _link(engine, "81002", "wang")
    _link(engine, "81001", "li")
    sessions = db.session_factory(engine)
    with db.transaction(sessions) as session:
        wang = session.scalar(select(Elder.id).where(Elder.key == "wang"))
        events.record(session, wang, events.EMERGENCY, channel="phone", data={"text": "help"})
    assert alerts.fan_out(sessions) == 2

    listing = careline("unlink", "wang", "--lang", "en", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "telegram:81001" in listing.stdout and "telegram:81002" in listing.stdout
    assert _linked(engine, "81001") == ["li", "wang"], "listing changes nothing"

    done = careline("unlink", "wang", "--account", "telegram:81001", "--lang", "zh", env=env)
    assert done.returncode == 0 and "已解除 1 个家属账号" in done.stdout, done.stderr
    assert _linked(engine, "81001") == ["li"] and _linked(engine, "81002") == ["wang"]
    with sessions() as session:
        statuses = {row.dedupe_key.rsplit(":", 1)[1]: row.status for row in session.scalars(select(OutboxMessage))}
    assert statuses == {str(son): "dead", str(daughter): "pending"}, "the unlinked account's alert is not sent"

    again = careline("unlink", "wang", "--account", "81001", "--lang", "en", env=env)
    assert again.returncode == 1 and "no such link" in again.stdout

    both = careline("unlink", "wang", "--account", "81002", "--all", "--lang", "en", env=env)
    assert both.returncode == 2 and "either --account or --all" in both.stderr

    everyone = careline("unlink", "wang", "--all", "--lang", "en", env=env)
    assert everyone.returncode == 0 and "Unlinked 1 family account(s)" in everyone.stdout
    assert _linked(engine, "81002") == [] and _linked(engine, "81001") == ["li"]
    nobody = careline("unlink", "wang", "--lang", "zh", env=env)
    assert nobody.returncode == 0 and "没有家属账号绑定" in nobody.stdout

    unknown = careline("unlink", "nobody", "--all", "--lang", "en", env=env)
    assert unknown.returncode == 1 and "No elder with this key" in unknown.stderr and "Traceback" not in unknown.stderr
