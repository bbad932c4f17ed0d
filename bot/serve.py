"""Rasa's command line, started after four changes that make every turn cheaper.

Run in the engine venv: ``python -m bot.serve run --model ...`` takes exactly ``rasa``'s arguments.

1. Rasa checks each action server reply with ``jsonschema.validate``, which first re-validates
   the (constant) reply schema against jsonschema's metaschema: most of the time of a check, once
   per turn. Here the validator is built once; a reply is checked against the same schema and a
   bad reply raises the same ``ValidationError`` with Rasa's explanation.
2. SQLite tracker stores (the default) keep their connections in a pool, as SQLAlchemy 2 does
   for SQLite files (Rasa's SQLAlchemy 1.4 opens and closes a connection for every read and
   write), in write-ahead-log mode with ``synchronous=NORMAL``: a commit no longer waits for two
   disk flushes, several Rasa servers can share the file, and a crash still cannot corrupt it
   (only a power cut can lose the last turns).
3. Reading a tracker turns every stored event back into an object, and Rasa finds each event's
   class by walking all subclasses of ``Event`` again (a few per cent of a turn). Here the
   classes are looked up by name in a table, filled from the same walk, in the same order.

4. The first message a model reads costs about 0.7 s more than the next (segmenter, sentence
   embedding and graph first run): the server reads one sentence in each language after loading
   the model and before it accepts requests, so the first caller does not hear that silence.

Everything else is Rasa's own ``main``. Its HTTP API (``--enable-api``) is started only with an
auth token, taken from the environment (``CARELINE_SECRET_RASA_API``) so that it is not in the
process list; without one the server refuses to start rather than open the API to anyone.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Mapping
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from careline.engine import RASA_TOKEN_ENV
from careline.heap import settle


@functools.lru_cache(maxsize=1)
def _reply_validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_reply_validator().iter_errors(result))  # the error jsonschema.validate raises
    if error is None:
        return True
    error.message += (". Failed to validate Action server response from API, make sure your response from "
                      f"the Action endpoint is valid. For more information about the format visit "
                      f"{DOCS_BASE_URL}/custom-actions")
    raise error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _pooled_sqlite(rasa_kwargs: Any) -> Any:
    def engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = dict(rasa_kwargs(url))
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            kwargs.update(poolclass=QueuePool, connect_args={"check_same_thread": False})
        return kwargs

    engine_kwargs.careline = True  # type: ignore[attr-defined]
    return engine_kwargs


_EVENT_CLASSES: dict[str, Any] = {}


def _resolve_event_type(type_name: str, default: Any = None) -> Any:
    cls = _EVENT_CLASSES.get(type_name)
    if cls is None:  # first use, or an event class imported since: walk the subclasses again
        from rasa.shared.core.events import Event
        from rasa.shared.utils.common import all_subclasses

        for subclass in all_subclasses(Event):
            _EVENT_CLASSES.setdefault(subclass.type_name, subclass)
        cls = _EVENT_CLASSES.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


#: Read once at start-up, one sentence a language, so that the first caller's is not the first.
WARM_UP = ("你好，最近的助餐点在哪里？", "Hello, where is the nearest day centre?")


def _warmed(load: Any) -> Any:
    """Rasa's ``load_agent_on_start`` followed by a parse of :data:`WARM_UP`; then the heap is
    set aside (:mod:`careline.heap`)."""

    @functools.wraps(load)
    async def load_and_warm(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        if agent is not None and agent.is_ready():
            for text in WARM_UP:
                await agent.parse_message(text)
            settle()
        return agent

    load_and_warm.careline = True  # type: ignore[attr-defined]
    return load_and_warm


def install() -> None:
    from rasa.core import run, tracker_store
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    Event.resolve_by_type = staticmethod(_resolve_event_type)  # type: ignore[method-assign]
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    if not getattr(tracker_store.create_engine_kwargs, "careline", False):
        tracker_store.create_engine_kwargs = _pooled_sqlite(tracker_store.create_engine_kwargs)
    if not getattr(run.load_agent_on_start, "careline", False):
        run.load_agent_on_start = _warmed(run.load_agent_on_start)
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


def with_auth_token(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """Rasa's arguments with ``--auth-token`` from the environment when the API is enabled."""
    if "--enable-api" not in argv or any(a == "--auth-token" or a.startswith("--auth-token=") for a in argv):
        return argv
    token = env.get(RASA_TOKEN_ENV, "")
    if not token:
        raise SystemExit(f"{RASA_TOKEN_ENV} 未设置：Rasa 的 HTTP API 不能不设口令就开启。 / "
                         f"{RASA_TOKEN_ENV} is not set: Rasa's HTTP API will not start without a token.")
    return [*argv, f"--auth-token={token}"]  # one word: a token may start with "-"


def main() -> None:
    from rasa.__main__ import main as rasa_main

    sys.argv = [sys.argv[0], *with_auth_token(sys.argv[1:], os.environ)]
    install()
    rasa_main()


if __name__ == "__main__":
    main()
