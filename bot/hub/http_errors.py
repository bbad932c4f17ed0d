"""How the hub's HTTP app refuses a request: a status, an error code a program can test, and a
message in both languages, ``{"error": code, "message": {"zh": …, "en": …}}``. Never a traceback,
never a 500 for anything a caller sent."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from careline.catalogue import N_, say_both

log = structlog.get_logger("careline.hub")

#: every code a refusal carries, and its message (said in both languages: the caller is a program,
#: and whoever reads its log may read either)
MESSAGES = {
    "unauthenticated": N_("hub.api.unauthenticated"),
    "channel_mismatch": N_("hub.api.channel_mismatch"),
    "conversation_bound": N_("hub.api.conversation_bound"),
    "elder_unknown": N_("hub.api.elder_unknown"),
    "district_unknown": N_("hub.api.district_unknown"),
    "bad_characters": N_("hub.api.bad_characters"),
    "invalid_json": N_("hub.api.invalid_json"),
    "invalid_body": N_("hub.api.invalid_body"),
    "too_large": N_("hub.api.too_large"),
    "forbidden": N_("hub.api.forbidden"),
    "not_found": N_("hub.api.not_found"),
    "call_unknown": N_("hub.api.call_unknown"),
    "method_not_allowed": N_("hub.api.method_not_allowed"),
    "http_error": N_("hub.api.http_error"),
    "not_stored": N_("hub.api.not_stored"),
    "internal_error": N_("hub.api.internal_error"),
}

_BY_STATUS = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}


class ApiError(Exception):
    """A refusal; ``values`` fill the message's placeholders."""

    def __init__(self, status: int, code: str, headers: dict[str, str] | None = None, **values: Any) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.headers = headers
        self.values = values


def error_response(status: int, code: str, headers: dict[str, str] | None = None, **values: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": say_both(MESSAGES[code], **values)}, status_code=status,
                        headers=headers)


def fields_of(errors: list[Any]) -> str:
    """Where the body was wrong, without echoing what was sent (it may hold names or numbers)."""
    names = [".".join(str(part) for part in error.get("loc", ()) if part != "body") or "(body)" for error in errors]
    return ", ".join(dict.fromkeys(names)) or "(body)"


def install(app: FastAPI) -> None:
    """Answer every refusal of ``app`` in the shape above."""

    async def api(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ApiError)
        log.info("hub.api_refused", status=error.status, error=error.code)
        return error_response(error.status, error.code, error.headers, **error.values)

    async def http(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, StarletteHTTPException)
        code = _BY_STATUS.get(error.status_code, "http_error")
        values = {"status": error.status_code} if code == "http_error" else {}
        return error_response(error.status_code, code, dict(error.headers or {}) or None, **values)

    async def validation(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return error_response(422, "invalid_body", fields=fields_of(list(error.errors())))

    async def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.error("hub.api_error", error=type(error).__name__)
        return error_response(500, "internal_error")

    app.add_exception_handler(ApiError, api)
    app.add_exception_handler(StarletteHTTPException, http)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(Exception, unexpected)
