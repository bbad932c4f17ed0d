"""``careline consultant`` as an administrator uses it, in a subprocess, on SQLite and
PostgreSQL; the password comes on standard input and is never an argument or in the output."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select

from knowledge import accounts, console_sessions, db
from knowledge.models import ConsoleSession, Consultant, LoginFailure, utcnow

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different long passphrase"


def consultant(engine: Engine, tmp: Path, *args: str, password: str | None = None,
               lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CARELINE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "CARELINE_VAR_DIR": str(tmp / "var"), "CARELINE_CONSOLE_PASSWORD_TIME_COST": "1",
           "CARELINE_CONSOLE_PASSWORD_MEMORY_KIB": "1024", "CARELINE_LOG_LEVEL": "DEBUG"}
    return subprocess.run([sys.executable, "-m", "careline", "consultant", *args, "--lang", lang],
                          input=None if password is None else password + "\n", capture_output=True, text=True,
                          env=env, timeout=120)


def _row(engine: Engine, username: str) -> Consultant:
    with db.session_factory(engine)() as session:
        return session.scalar(select(Consultant).where(Consultant.username == username))


def test_add_passwd_disable_enable_list(maple_committing: Engine, tmp_path: Path) -> None:
    engine = maple_committing
    added = consultant(engine, tmp_path, "add", "alice", "--district", "maple-town", "--name", "Alice Wong",
                       password=PASSWORD)
    assert added.returncode == 0, added.stderr
    assert "Console account ready for alice (districts: maple-town)" in added.stdout
    alice = _row(engine, "alice")
    assert alice.password_hash.startswith("$argon2id$") and alice.origin == "cli" and not alice.is_admin
    assert PasswordHasher().verify(alice.password_hash, PASSWORD)
    assert PASSWORD not in added.stdout + added.stderr

    sessions = db.session_factory(engine)
    with db.transaction(sessions) as session:
        console_sessions.start(session, alice.id, console_sessions.SessionLimits(), utcnow())
    changed = consultant(engine, tmp_path, "passwd", "alice", password=NEW_PASSWORD, lang="zh")
    assert changed.returncode == 0 and "alice 的密码已更改" in changed.stdout, changed.stderr
    assert NEW_PASSWORD not in changed.stdout + changed.stderr
    assert PasswordHasher().verify(_row(engine, "alice").password_hash, NEW_PASSWORD)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConsoleSession)) == 0, "a new password signs out"

    disabled = consultant(engine, tmp_path, "disable", "alice")
    assert disabled.returncode == 0 and _row(engine, "alice").disabled, disabled.stderr
    listing = consultant(engine, tmp_path, "list")
    assert "alice | Alice Wong | maple-town | disabled, can sign in, made with the CLI" in listing.stdout
    assert "maple-chen | 陈老师 | maple-town | no password" in listing.stdout, listing.stdout
    with db.transaction(sessions) as session:
        session.add(LoginFailure(name_hash=accounts.name_hash("alice"), failures=5, last_failed_at=utcnow(),
                                 locked_until=utcnow() + dt.timedelta(minutes=15)))
    enabled = consultant(engine, tmp_path, "enable", "alice", lang="zh")
    assert enabled.returncode == 0 and "alice 已启用" in enabled.stdout and not _row(engine, "alice").disabled
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0, "enabling lifts the lock"

    admin = consultant(engine, tmp_path, "add", "maple-chen", "--district", "maple-town", "--admin",
                       password=PASSWORD)
    assert admin.returncode == 0 and "administrator" in admin.stdout, admin.stderr
    chen = _row(engine, "maple-chen")
    assert chen.is_admin and chen.origin == "bundle" and chen.name == "陈老师"


def test_clear_refusals(maple_committing: Engine, tmp_path: Path) -> None:
    engine = maple_committing
    assert consultant(engine, tmp_path, "add", "alice", "--district", "maple-town", password=PASSWORD).returncode == 0
    cases = [
        (("add", "alice", "--district", "maple-town"), PASSWORD, "en", "already has a console account"),
        (("add", "bob", "--district", "nowhere"), PASSWORD, "en", "no district with the key nowhere"),
        (("add", "bob", "--district", "nowhere"), PASSWORD, "zh", "没有这个区县：nowhere"),
        (("add", "bob", "--district", "maple-town"), "too short", "en", "at least 12 characters"),
        (("add", "bob", "--district", "maple-town"), "", "zh", "密码不能为空"),
        (("passwd", "nobody"), "", "en", "no consultant with the username 'nobody'"),  # asked first
        (("disable", "nobody"), None, "zh", "没有用户名为「nobody」的咨询员"),
    ]
    for args, password, lang, message in cases:
        done = consultant(engine, tmp_path, *args, password=password, lang=lang)
        assert done.returncode == 1 and message in done.stderr, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    assert _row(engine, "bob") is None
    as_argument = consultant(engine, tmp_path, "add", "bob", "--district", "maple-town", "--password", PASSWORD)
    assert as_argument.returncode == 2 and "--password" in as_argument.stderr
    assert _row(engine, "bob") is None


def _at_a_terminal(engine: Engine, tmp: Path, args: list[str], answers: list[str]) -> tuple[int, str]:
    """Run a command on a pseudo-terminal (its controlling terminal, where getpass asks); answer
    each prompt when it appears; return the exit code and everything the terminal showed."""
    import fcntl
    import select as wait
    import termios
    import time

    main, child = os.openpty()

    def controlling_terminal() -> None:
        os.setsid()
        fcntl.ioctl(child, termios.TIOCSCTTY, 0)

    env = {**os.environ, "CARELINE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "CARELINE_VAR_DIR": str(tmp / "var"), "CARELINE_CONSOLE_PASSWORD_TIME_COST": "1",
           "CARELINE_CONSOLE_PASSWORD_MEMORY_KIB": "1024"}
    process = subprocess.Popen([sys.executable, "-m", "careline", "consultant", *args, "--lang", "en"],
                               stdin=child, stdout=child, stderr=child, env=env, preexec_fn=controlling_terminal)
    os.close(child)
    shown, pending = b"", list(answers)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = wait.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        prompts = shown.count(b"New password") + shown.count(b"Once more")
        if pending and prompts > len(answers) - len(pending):
            os.write(main, pending.pop(0).encode() + b"\n")
        if process.poll() is not None and not ready:
            break
    os.close(main)
    return process.wait(30), shown.decode(errors="replace")


def test_at_a_terminal_the_password_is_asked_twice_and_not_shown(maple_committing: Engine, tmp_path: Path) -> None:
    code, shown = _at_a_terminal(maple_committing, tmp_path, ["add", "alice", "--district", "maple-town"],
                                 [PASSWORD, "not the same password"])
    assert code == 1 and "The two passwords differ" in shown, shown
    assert _row(maple_committing, "alice") is None
    code, shown = _at_a_terminal(maple_committing, tmp_path, ["add", "alice", "--district", "maple-town"],
                                 [PASSWORD, PASSWORD])
    assert code == 0 and "Console account ready for alice" in shown, shown
    assert PASSWORD not in shown, "typed without echo"
    assert PasswordHasher().verify(_row(maple_committing, "alice").password_hash, PASSWORD)
