"""What ``careline run`` starts listens locally by default, and the files holding the secrets are
readable by their owner only; no secret is on a command line."""

from __future__ import annotations

import argparse
import shlex
import stat
from pathlib import Path

import pytest
import yaml

from careline.engine import RASA_TOKEN_ENV, write_engine_files
from careline.processes import Process, planned_processes
from careline.secrets import ACTION_SERVER, RASA_API, secret
from careline.settings import Settings


def _option(process: Process, name: str) -> str:
    parts = shlex.split(process.command)
    assert name in parts, process.command
    return parts[parts.index(name) + 1]


def _by_name(settings: Settings) -> dict[str, Process]:
    return {p.name: p for p in planned_processes(settings)}


def test_the_action_server_and_rasa_listen_on_127_0_0_1_by_default(tmp_path: Path) -> None:
    processes = _by_name(Settings(var_dir=tmp_path, rasa_workers=2))
    assert _option(processes["actions"], "--host") == "127.0.0.1"
    assert _option(processes["rasa"], "--interface") == "127.0.0.1"
    assert _option(processes["rasa2"], "--interface") == "127.0.0.1"


def test_the_configured_hosts_are_used(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, action_server_host="10.1.2.3", rasa_host="10.1.2.4")
    processes = _by_name(settings)
    assert _option(processes["actions"], "--host") == "10.1.2.3"
    assert _option(processes["rasa"], "--interface") == "10.1.2.4"
    endpoints = yaml.safe_load((tmp_path / "engine" / "endpoints.yml").read_text())
    assert endpoints["action_endpoint"]["url"] == "http://10.1.2.3:5055/webhook"
    assert settings.resolved_rasa_url == "http://10.1.2.4:5005"


def test_rasa_gets_its_api_token_in_its_environment_not_its_command(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    processes = _by_name(settings)
    token = secret(RASA_API, settings)
    assert "--enable-api" in shlex.split(processes["rasa"].command)
    assert processes["rasa"].env == {RASA_TOKEN_ENV: token}
    for process in processes.values():
        assert token not in process.command and secret(ACTION_SERVER, settings) not in process.command


def test_engine_files_hold_the_secrets_and_only_their_owner_reads_them(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    folder = tmp_path / "engine"
    folder.mkdir()
    for name in ("endpoints.yml", "credentials.yml"):  # left world-readable by an older version
        (folder / name).write_text("old: true\n")
        (folder / name).chmod(0o644)
    planned_processes(settings)
    endpoints, credentials = folder / "endpoints.yml", folder / "credentials.yml"
    for path in (endpoints, credentials):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    action = yaml.safe_load(endpoints.read_text())["action_endpoint"]
    assert action["headers"] == {"Authorization": f"Bearer {secret(ACTION_SERVER, settings)}"}
    assert "token" not in action, "a query parameter would put the secret in access logs"
    channels = yaml.safe_load(credentials.read_text())
    assert channels == {"bot.channels.rest.CareLineRestInput": {"timeout": settings.bot_reply_timeout,
                                                               "token": secret(RASA_API, settings)}}
    assert not list(folder.glob(".*.tmp"))


def test_engine_files_are_not_written_without_both_tokens(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_engine_files(tmp_path, "http://127.0.0.1:1/webhook", 5.0, action_token="", api_token="x")
    assert not (tmp_path / "endpoints.yml").exists()


@pytest.mark.parametrize("token", ["s3cret", "-starts-like-an-option"])
def test_rasa_api_gets_the_token_from_the_environment(token: str) -> None:
    from bot.serve import with_auth_token

    parser = argparse.ArgumentParser()  # as Rasa's ``run`` reads these options
    parser.add_argument("-t", "--auth-token")
    parser.add_argument("--enable-api", action="store_true")
    parser.add_argument("-p", "--port")
    parsed = parser.parse_args(with_auth_token(["--enable-api", "--port", "5005"], {RASA_TOKEN_ENV: token}))
    assert parsed.auth_token == token and parsed.enable_api and parsed.port == "5005"


def test_rasa_api_will_not_start_without_a_token() -> None:
    from bot.serve import with_auth_token

    argv = ["run", "--enable-api", "--port", "5005"]
    with pytest.raises(SystemExit, match="token"):
        with_auth_token(argv, {})
    assert with_auth_token(["run", "--port", "5005"], {}) == ["run", "--port", "5005"]


def test_the_hotline_listens_on_127_0_0_1_by_default_and_can_be_left_out(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path)
    assert settings.sip_host == "127.0.0.1"
    assert shlex.split(_by_name(settings)["hotline"].command)[-1] == "hotline"
    assert "hotline" not in _by_name(Settings(var_dir=tmp_path, hotline_enabled=False))
