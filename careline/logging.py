"""Structured logging with personal data masked by one processor.

Every log line goes through :func:`mask_personal_data`, so a name, a phone number or an ID
number never reaches a log in clear, whatever the caller passed.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

PERSONAL_KEYS = frozenset(
    {"name", "elder_name", "family_name", "full_name", "phone", "phone_number", "id_number",
     "address", "text", "message"}
)
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def mask_value(value: Any) -> str:
    """Keep the length hint and the first character only: enough to tell records apart."""
    text = str(value)
    if not text:
        return text
    if len(text) <= 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1] if text.isdigit() else text[0] + "***"


def mask_text(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:2] + "*" * 14 + m.group(0)[-2:], text)
    return _PHONE.sub(lambda m: m.group(0)[:3] + "****" + m.group(0)[-2:], text)


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if value is None:
            continue
        if key in PERSONAL_KEYS:
            event_dict[key] = mask_value(value)
        elif isinstance(value, str):
            event_dict[key] = mask_text(value)
    return event_dict


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """A logger on whatever ``sys.stderr`` is now (test runners and daemons swap it)."""
    return structlog.PrintLogger(sys.stderr)


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            mask_personal_data,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
