"""The action server: rasa-sdk's own app, on a local interface, answering only Rasa.

rasa-sdk runs whatever action a call names, for whatever elder and pending booking the call's
tracker names: whoever reaches its webhook could book or cancel for anyone. Here every route but
the health check needs the shared secret ``ACTION_SERVER`` (careline/secrets.py) in an
``Authorization: Bearer`` header, which Rasa sends from the endpoints.yml careline.engine writes
(a header, not a query parameter, keeps the secret out of access logs); any other call gets 401
and runs nothing.

Run as ``python -m careline.action_server --actions actions --port 5055 [--host 127.0.0.1]``;
it takes rasa-sdk's own arguments, and ``--host`` defaults to ``CARELINE_ACTION_SERVER_HOST``.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from functools import partial

from rasa_sdk import endpoint, utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from careline.bearer import bearer_matches
from careline.logging import configure_stdlib, get_logger
from careline.secrets import ACTION_SERVER, secret
from careline.settings import get_settings

OPEN_PATHS = frozenset({"/health"})

log = get_logger(__name__)


def create_app(executor: ActionExecutor, token: str, endpoints: str = "endpoints.yml") -> Sanic:
    """rasa-sdk's app, with the token checked before any route but :data:`OPEN_PATHS`."""
    if not token:
        raise ValueError("the action server needs a token")
    app = endpoint.create_app_for_serve(executor, cors_origins=None, endpoints=endpoints)

    @app.on_request
    async def require_token(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or bearer_matches(request.headers.get("authorization"), token):
            return None
        log.warning("action_server.refused", path=request.path, method=request.method)
        return response.json({"error": "unauthorized"}, status=401)

    return app


def _app_for_serve(executor: ActionExecutor, endpoints: str) -> Sanic:
    """Made in the main process and again in each worker (a process of its own, which masks its
    logs like the main one); the secret is read where it is used."""
    configure_stdlib(get_settings())
    return create_app(executor, secret(ACTION_SERVER, get_settings()), endpoints)


def argument_parser() -> argparse.ArgumentParser:
    parser = endpoint.create_argument_parser()
    parser.add_argument("--host", default=None,
                        help="interface to listen on (default: CARELINE_ACTION_SERVER_HOST, 127.0.0.1)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = argument_parser().parse_args(argv)
    if args.grpc:
        raise SystemExit("careline.action_server serves HTTP only; its gRPC server has no token check")
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()
    configure_stdlib(get_settings())  # after rasa-sdk's own handlers: every line masked
    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    loader = AppLoader(factory=partial(_app_for_serve, executor, args.endpoints))
    app = loader.load()
    workers = utils.number_of_sanic_workers()
    app.prepare(host=args.host or get_settings().action_server_host, port=args.port,
                ssl=endpoint.create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password),
                workers=workers, single_process=workers == 1)
    if workers == 1:
        # one worker is served from this process: a worker process of its own imported the
        # actions a second time (4 s of each start, and its memory twice)
        Sanic.serve_single(primary=app)
    else:
        Sanic.serve(primary=app, app_loader=loader)


if __name__ == "__main__":
    main()
