import json
import logging
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import httpx
import pytest
import structlog

import careline.logging
from careline.logging import configure_logging, configure_stdlib, mask_text, mask_value
from careline.paths import PROJECT_ROOT
from careline.settings import Settings
from careline.stack import free_port, wait_http
from knowledge import db
from knowledge.bundle import import_path
from tests.conftest import MAPLE, TODAY

PHONE, ID_NUMBER, NAME = "138 0013 8000", "510100194005011234", "王秀英"
PERSONAL = (PHONE, PHONE.replace(" ", ""), "0013", ID_NUMBER, NAME)


def _in(personal: str, out: str) -> bool:
    """Whether ``personal`` appears in ``out`` as itself: a digit group counts only between
    non-digits, so that a timestamp's microseconds or a port ("…880013Z", ":40013") are no leak."""
    return re.search(rf"(?<!\d){re.escape(personal)}(?!\d)", out) is not None


def test_personal_fields_are_masked(capsys) -> None:
    configure_logging("INFO", "json")
    structlog.get_logger("t").info("elder_found", name="王秀英", phone="13800001111",
                                   id_number="510100194005011234", district="maple-town")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert "王秀英" not in json.dumps(line, ensure_ascii=False)
    assert line["name"].startswith("王") and line["name"] != "王秀英"
    assert "13800001111" not in line["phone"] and "510100194005011234" not in line["id_number"]
    assert line["district"] == "maple-town"


def test_nested_personal_fields_are_masked(capsys) -> None:
    configure_logging("INFO", "json")
    structlog.get_logger("t").info("linked", elders=[{"name": NAME, "phone": "13800001111"}])
    out = capsys.readouterr().err
    assert NAME not in out and "13800001111" not in out and '"elders"' in out


@dataclass
class _Caller:
    name: str
    phone: str
    id_number: str


def _fail_booking() -> None:
    caller = _Caller(NAME, PHONE, ID_NUMBER)
    secret_note = f"{NAME} {PHONE} {ID_NUMBER}"  # a local that must not be printed
    assert secret_note
    raise ValueError(f"cannot book for {caller!r} (call {PHONE}, ID {ID_NUMBER})")


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_tracebacks_are_kept_and_masked(capsys, fmt: str) -> None:
    configure_logging("INFO", fmt)
    try:
        _fail_booking()
    except ValueError:
        structlog.get_logger("t").exception("booking_failed")
    out = capsys.readouterr().err
    assert "Traceback (most recent call last)" in out
    assert "_fail_booking" in out and "test_logging.py" in out
    assert "ValueError: cannot book for" in out
    for personal in PERSONAL:
        assert not _in(personal, out), (personal, out)
    if fmt == "json":
        line = json.loads(out.strip().splitlines()[-1])
        assert "ValueError" in line["exception"] and line["event"] == "booking_failed"


@pytest.fixture(params=["phonenumbers", "shapes only"])
def phone_finder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """With the phonenumbers library, and without it (the dialogue engine's venv)."""
    if request.param == "shapes only":
        monkeypatch.setattr(careline.logging, "phonenumbers", None)
    return request.param


@pytest.mark.parametrize("said", [
    "021-6155-3101", "028-60000001", "138 0013 8000", "138-0013-8000", "13800138000",
    "+86 138 0013 8000", "+44 20 7946 0958", "0086 13800138000", "(021) 6155 3101",
])
def test_phone_numbers_in_every_shape_are_masked(said: str, phone_finder: str) -> None:
    masked = mask_text(f"please call {said} today")
    digits = "".join(c for c in said if c.isdigit())
    assert digits[-8:-2] not in "".join(c for c in masked if c.isdigit()), masked
    assert masked.startswith("please call ") and masked.endswith(" today")


@pytest.mark.parametrize("kept", [
    "120", "call 120 or 110", "3 pm", "15:30-17:00", "2026-12-07", "2026-12-07T04:25:00",
    "2026/12/07", "Monday 7 December 2026", "¥1,200.00", "price 3500 yuan", "booking 48213",
    "booking #20261207", "conv-123456789", "8 per 5 seconds; 40 per minute", "1,296 passed",
    "line 1234, in act", "timestamp 1733500000.123",
])
def test_other_numbers_are_left_alone(kept: str, phone_finder: str) -> None:
    assert mask_text(kept) == kept


def test_numbers_hidden_inside_free_text() -> None:
    text = mask_text("call 13800001111 or 028-60000001, ID 51010019400501123X")
    assert "13800001111" not in text and "60000001" not in text and "51010019400501123X" not in text
    assert text.startswith("call 138****11")


def test_named_values_and_sql_parameters_in_text_are_masked() -> None:
    text = mask_text("Elder(name='王秀英', key='wang') failed; name=李四 [SQL: SELECT 1]\n"
                     "[parameters: ('张三', 'x')]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)")
    assert "王秀英" not in text and "李四" not in text and "张三" not in text
    assert "key='wang'" in text and "[SQL: SELECT 1]" in text and "Background" in text


def test_mask_value_keeps_little() -> None:
    assert mask_value("Mary Smith") == "M***"
    assert mask_value("13800001111") == "1*********1"


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_stdlib_loggers_are_masked_in_process(capsys, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level, logging.getLogRecordFactory(), sys.excepthook
    try:
        configure_stdlib(Settings(log_format=fmt))
        try:
            _fail_booking()
        except ValueError:
            logging.getLogger("actions.base").exception("database error for %s", f"{NAME} {PHONE}")
        out = capsys.readouterr().err
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        logging.setLogRecordFactory(saved[2])
        sys.excepthook = saved[3]
    assert "Traceback (most recent call last)" in out and "_fail_booking" in out
    assert "ValueError: cannot book for" in out
    for personal in PERSONAL:
        assert not _in(personal, out), (personal, out)


def test_the_action_server_masks_what_actions_log(tmp_path) -> None:
    """A real action server, an action failing on a slot that holds what somebody said: the
    logged exception keeps its traceback and loses the personal data."""
    database_url = f"sqlite:///{(tmp_path / 'careline.db').as_posix()}"
    engine = db.make_engine(database_url)
    db.upgrade(engine)
    assert import_path(db.session_factory(engine), MAPLE, TODAY).ok
    engine.dispose()
    port = free_port()
    log_path = tmp_path / "actions.log"
    env = {**os.environ, "CARELINE_DATABASE_URL": database_url, "CARELINE_LOG_FORMAT": "json", "PYTHONUNBUFFERED": "1",
           "CARELINE_SECRET_ACTION_SERVER": "test-token"}
    with log_path.open("ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "careline.action_server", "--actions", "actions",
                                    "--port", str(port)],
                                   env=env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT)
    try:
        wait_http(f"http://127.0.0.1:{port}/health", process, 90, log_path)
        said = f"{NAME} {PHONE} {ID_NUMBER}"
        tracker = {"sender_id": "conv-1", "slots": {"district_key": "maple-town", "elder_key": "wang",
                                                    "pending": {"kind": "volunteer", "when": said}},
                   "latest_message": {"text": "好的", "intent": {"name": "affirm"}, "entities": []},
                   "events": [], "paused": False, "followup_action": None, "active_loop": {},
                   "latest_action_name": "action_listen"}
        response = httpx.post(f"http://127.0.0.1:{port}/webhook",
                              json={"next_action": "action_affirm", "sender_id": "conv-1", "tracker": tracker,
                                    "domain": {}, "version": "3.6.21"},
                              headers={"Authorization": "Bearer test-token"}, timeout=60)
        assert response.status_code == 500
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    out = log_path.read_text(errors="replace")
    assert "Traceback (most recent call last)" in out and "ValueError: Invalid isoformat string" in out, out[-3000:]
    assert "pending.py" in out
    for personal in PERSONAL:
        assert not _in(personal, out), (personal, out[-3000:])


def test_uncaught_exceptions_are_logged_masked() -> None:
    code = (
        "import threading\n"
        "from careline.logging import configure_stdlib\n"
        "from careline.settings import Settings\n"
        "configure_stdlib(Settings(log_format='console'))\n"
        f"def boom():\n    raise RuntimeError('call {PHONE}, {NAME}')\n"
        "t = threading.Thread(target=boom); t.start(); t.join()\n"
        f"raise ValueError('id {ID_NUMBER}')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
    assert done.returncode == 1
    assert "RuntimeError: call" in done.stderr and "ValueError: id" in done.stderr and "in boom" in done.stderr
    for personal in PERSONAL:
        assert not _in(personal, done.stderr), (personal, done.stderr)
