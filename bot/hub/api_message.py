"""The body of ``POST /api/messages`` and how raw bytes become one, or a clear refusal.

The body is parsed by the standard :mod:`json` module from strict UTF-8 (no NaN or Infinity),
then validated, so every way it can be wrong has its own answer: not JSON (400), wrong fields or
types (422), characters no database column can hold (422: NUL, which PostgreSQL refuses in text,
and unpaired surrogates, which JSON's ``\\ud800`` escapes allow but UTF-8 cannot encode).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from bot.hub.http_errors import ApiError, fields_of
from bot.hub.messages import Kind

INT32 = 2**31 - 1


def _clean(text: str) -> str:
    """Refuse NUL (unpaired surrogates never get here: pydantic refuses them as ``string_unicode``)."""
    if "\x00" in text:
        raise PydanticCustomError("bad_characters", "NUL or an unpaired surrogate")
    return text


Clean = Annotated[str, AfterValidator(_clean)]


class MessageIn(BaseModel):
    """A message from a channel that answers in the same breath (a phone call, a terminal).

    ``channel`` may be left out: the token names it (when given, it must be the token's own)."""

    model_config = ConfigDict(extra="forbid")

    channel: Clean | None = Field(default=None, min_length=1, max_length=16)
    conversation: Clean = Field(min_length=1, max_length=128)
    text: Clean = Field(default="", max_length=5000)
    kind: Kind = Kind.TEXT
    payload: Clean | None = Field(default=None, max_length=256)
    language: Literal["zh", "en"] | None = None
    elder_id: int | None = Field(default=None, ge=1, le=INT32)
    district_key: Clean | None = Field(default=None, min_length=1, max_length=64)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)


def request_schema() -> dict[str, Any]:
    """The body's JSON schema with its definitions inlined, for the OpenAPI document (whose
    ``$ref``s resolve from the document's root, not from this schema's)."""
    schema = MessageIn.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(raw: bytes) -> Any:
    """Strict UTF-8 JSON (no NaN or Infinity), else a 400."""
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(400, "invalid_json") from None


def parse_message(raw: bytes) -> MessageIn:
    data = load_json(raw)
    try:
        return MessageIn.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_input=False, include_url=False)
        bad = [e for e in errors if e["type"] in ("bad_characters", "string_unicode")]
        if bad:
            raise ApiError(422, "bad_characters", fields=fields_of(bad)) from None
        raise ApiError(422, "invalid_body", fields=fields_of(errors)) from None
