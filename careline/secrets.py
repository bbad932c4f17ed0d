"""Secrets CareLine makes for itself on first run.

Each secret is either set by the operator (``CARELINE_SECRET_<NAME>`` in the environment or
``.env``) or made once with :mod:`secrets` and kept in ``<var_dir>/secrets/<name>``, readable by
its owner only. Every process of one system reads the same file, so the action server and Rasa,
or the hub and a channel, agree without anyone copying a token by hand. Creation is atomic
(``O_EXCL``): processes starting at once end up with the one secret the first of them wrote.
"""

from __future__ import annotations

import os
import re
import secrets as _random
from pathlib import Path

from careline.settings import Settings, get_settings

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

# The secrets the system uses; each is documented in the README's Security section.
ACTION_SERVER = "action_server"  # Rasa → action server (rasa-sdk checks it on every call)
RASA_API = "rasa_api"  # hub and tests → Rasa's HTTP API (--auth-token)
LINK_CODES = "link_codes"  # HMAC key of family link codes
CHANNEL_TERMINAL = "channel_terminal"  # `careline chat` → the hub's /api/messages as channel "terminal"
CHANNEL_PHONE = "channel_phone"  # the hotline → the hub's /api/messages as channel "phone"
CONSOLE_LOGIN = "console_login"  # HMAC key of the console's sign-in form tokens (login CSRF)


def secret(name: str, settings: Settings | None = None) -> str:
    """The secret called ``name``: the operator's, else the one kept under var_dir, made on first use."""
    if not _NAME.match(name):
        raise ValueError(f"not a secret name: {name!r}")
    settings = settings or get_settings()
    configured = os.environ.get(f"CARELINE_SECRET_{name.upper()}") or settings.secrets.get(name, "")
    if configured:
        return configured
    return _kept(Path(settings.var_dir) / "secrets" / name)


def _kept(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read(path)
    value = _random.token_urlsafe(32)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(value)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return value


def _read(path: Path) -> str:
    """A secret another process may be writing this instant: wait briefly until it is whole."""
    import time

    for _ in range(50):
        value = path.read_text().strip()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"secret file {path} is empty; remove it to make a new one")
