"""Structured logging with personal data masked by one processor.

Every log line goes through :func:`mask_personal_data`, so a name, a phone number or an ID
number never reaches a log in clear, whatever the caller passed. Tracebacks are kept (type,
message, frames) but rendered without local variables and masked like any other text; the
stdlib loggers of libraries (rasa-sdk, Sanic, uvicorn) get the same treatment through
:func:`configure_stdlib`.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Callable, MutableMapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import structlog

try:
    import phonenumbers
except ImportError:  # the dialogue engine's own venv (requirements/engine.txt) may lack it
    phonenumbers = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from careline.settings import Settings

PERSONAL_KEYS = frozenset(
    {"name", "elder_name", "family_name", "full_name", "phone", "phone_number", "id_number",
     "address", "text", "message"}
)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# What phonenumbers may not hold as valid (unallocated ranges), or finds without it: a Chinese
# mobile (with or without +86 and separators), a landline with its 0 area code, anything
# written with a leading "+".
_PHONE_SHAPES = re.compile(
    r"(?<![\d+])(?:(?:\+|00)?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"
    r"|(?<![\w+-])(?:0\d{2,3}|\(0\d{2,3}\))[- ]?\d{3,4}[- ]?\d{4}(?![\d-])"
    r"|(?<![\w+])\+\d{1,3}(?:[- ]?\d{1,5}){2,4}(?!\d)"
)
_KEYS = "|".join(sorted(PERSONAL_KEYS, key=len, reverse=True))
# name='…', "phone": "…", id_number=…; not name=elder.name or text=reply(…) in a source line
_KEYED = re.compile(
    rf"""(?P<key>(?<![\w.])(?:{_KEYS})['"]?\s*[:=]\s*)"""
    r"""(?P<value>'[^'\n]*'|"[^"\n]*"|[^\s,;()\[\]{}'"]+(?![\w(.\[]))"""
)
_SQL_PARAMETERS = re.compile(r"\[(?:SQL )?parameters: [^\n]*\]")
_OWN_KEYS = frozenset({"timestamp", "level", "logger"})  # written by the processors, never personal
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def mask_value(value: Any) -> str:
    """Keep the length hint and the first character only: enough to tell records apart."""
    text = str(value)
    if not text:
        return text
    if len(text) <= 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1] if text.isdigit() else text[0] + "***"


def _mask_number(raw: str) -> str:
    return raw[:3] + "****" + raw[-2:]


def _mask_phones(text: str) -> str:
    if sum(ch.isdigit() for ch in text) < 7:
        return text
    if phonenumbers is None:
        return _PHONE_SHAPES.sub(lambda m: _mask_number(m.group(0)), text)
    spans = [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(
        text, "CN", leniency=phonenumbers.Leniency.VALID)]
    for start, end in reversed(spans):
        text = text[:start] + _mask_number(text[start:end]) + text[end:]
    return _PHONE_SHAPES.sub(lambda m: _mask_number(m.group(0)), text)


def _mask_keyed(match: re.Match[str]) -> str:
    value = match.group("value")
    quote = value[0] if value[0] in "'\"" else ""
    inner = value[1:-1] if quote else value
    return match.group("key") + quote + mask_value(inner) + quote


def mask_text(text: str) -> str:
    """ID numbers, phone numbers (any common shape, see ``phonenumbers``), ``name=…``-style
    values and SQL parameters hidden; dates, times, prices and short numbers left alone."""
    text = _SQL_PARAMETERS.sub("[parameters: hidden]", text)
    text = _KEYED.sub(_mask_keyed, text)
    text = _ID_NUMBER.sub(lambda m: m.group(0)[:2] + "*" * 14 + m.group(0)[-2:], text)
    return _mask_phones(text)


def mask_free_text(text: str) -> str:
    """:func:`mask_text`, and Chinese words hidden too: in a traceback or a library's message,
    CareLine's code and messages are ASCII, so Chinese is what somebody said or a name."""
    return _HAN.sub("***", mask_text(text))


def _mask_nested(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) if k in PERSONAL_KEYS and v is not None else _mask_nested(v)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask_nested(v) for v in value]
    return value


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event_dict.items()):
        if value is None:
            continue
        if key in PERSONAL_KEYS:
            event_dict[key] = mask_value(value)
        elif key in ("exception", "stack"):
            event_dict[key] = mask_free_text(value)
        elif key not in _OWN_KEYS and not key.startswith("_"):
            event_dict[key] = _mask_nested(value)
    return event_dict


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """A logger on whatever ``sys.stderr`` is now (test runners and daemons swap it)."""
    return structlog.PrintLogger(sys.stderr)


def _renderer(fmt: str) -> Any:
    if fmt == "json":
        return structlog.processors.JSONRenderer(ensure_ascii=False)
    # plain_traceback: the exception arrives already rendered (and masked) as text, without locals
    return structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback)


# format_exc_info renders the traceback with the standard library: no locals, unlike rich's
_SHARED: list[Any] = [
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso"),
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
]


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, *_SHARED, mask_personal_data, _renderer(fmt)],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of the record."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def _masking_record_factory(base: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Records of every stdlib logger are masked when made, so that handlers a library installs
    later (Sanic's, uvicorn's) print nothing personal either."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = base(*args, **kwargs)
        try:
            record.msg = mask_free_text(record.getMessage())
        except Exception:  # noqa: BLE001 - a malformed message is kept unformatted, not raised
            record.msg = mask_free_text(str(record.msg))
        record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = mask_free_text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if record.stack_info:
            record.stack_info = mask_free_text(record.stack_info)
        return record

    factory.careline_masking = True  # type: ignore[attr-defined]
    return factory


def _log_uncaught(kind: type[BaseException], error: BaseException | None, tb: TracebackType | None) -> None:
    logging.getLogger("careline").critical("uncaught_exception", exc_info=(kind, error, tb))


def configure_stdlib(settings: Settings) -> None:
    """Masking for everything that logs through the standard library, rendered like structlog's
    lines: call it once at the start of a process (the action server, the hub) after any
    library that installs its own root handler (rasa-sdk's coloredlogs), and in each worker
    process it starts (the action server's Sanic workers call it when they build the app)."""
    configure_logging(settings.log_level, settings.log_format)
    if not getattr(logging.getLogRecordFactory(), "careline_masking", False):
        logging.setLogRecordFactory(_masking_record_factory(logging.getLogRecordFactory()))
    handler = _StderrHandler()
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *_SHARED],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.format_exc_info,
                    mask_personal_data, _renderer(settings.log_format)],
    ))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    sys.excepthook = _log_uncaught
    threading.excepthook = lambda hook: _log_uncaught(hook.exc_type, hook.exc_value, hook.exc_traceback)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.get_logger(name)
