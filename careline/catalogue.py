"""Every user-facing text outside Rasa's domain, in Mandarin and English: one gettext catalogue.

The texts live in ``careline/locale/<zh|en>/LC_MESSAGES/careline.po`` (gettext domain
``careline``), managed with Babel (``make texts`` extracts the keys used in the code and the
console's templates into ``careline.pot`` and updates both catalogues). Message ids are symbolic
keys namespaced by area (``console.sign_in``, ``hub.holding``, ``voice.prompt.welcome``), because
both languages are translations: changing the English wording never changes an id. Placeholders
are ``str.format`` names (``{minutes}``).

The .po files are read directly with Babel's reader (no compile step, so a fresh clone works), in
both virtual environments: the engine's (our REST channel inside Rasa says its holding replies
with it) as well as the app's. This module imports nothing from the project, so any
layer may use it.
"""

from __future__ import annotations

import logging
import re
import string
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

DOMAIN = "careline"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("zh", "en")
#: the language of anything not recognisably Mandarin or English (CareLine's districts speak it;
#: CARELINE_LANGUAGE's default too). Callers that know a person's language pass it.
DEFAULT_LANGUAGE = "zh"

#: tests set this: an unknown key or a missing placeholder then raises instead of being logged
strict = False

log = logging.getLogger("careline.catalogue")

# "on {day}" reads well with "Tuesday 1 December", not with "tomorrow".
_RELATIVE_AFTER_ON = re.compile(r"\bon ((?:the day (?:after|before) )?(?:today|tomorrow|yesterday))\b")
_MANDARIN = re.compile(r"^(zh|cmn)([-_].*)?$", re.IGNORECASE)
_ENGLISH = re.compile(r"^en([-_].*)?$", re.IGNORECASE)


class UnknownText(KeyError):
    """A key that is not in the catalogue (raised only when :data:`strict`)."""


def N_(key: str) -> str:  # noqa: N802 - gettext's conventional name for "mark for extraction"
    """Marks a key that is looked up later under a computed name, so that ``pybabel extract``
    (and the catalogue test) sees it; returns the key unchanged."""
    return key


def language(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """``zh`` for Mandarin (zh, zh-CN, zh_Hans, cmn…), ``en`` for English (en, en-GB…), and
    ``default`` (:data:`DEFAULT_LANGUAGE` unless given) for anything else, including nothing."""
    if code and _MANDARIN.match(code.strip()):
        return "zh"
    if code and _ENGLISH.match(code.strip()):
        return "en"
    return default


@cache
def messages(lang: str) -> dict[str, str]:
    """msgid -> msgstr of one language; fuzzy and empty entries are left out (gettext's rule)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}


def placeholders(key: str) -> set[str]:
    """The ``str.format`` names the text ``key`` uses (in any language)."""
    names: set[str] = set()
    for lang in LANGUAGES:
        template = messages(lang).get(key, "")
        names |= {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return names


def has(key: str) -> bool:
    return any(key in messages(lang) for lang in LANGUAGES)


def say(key: str, lang: str | None, /, **params: Any) -> str:
    """The text ``key`` in ``lang`` (normalised by :func:`language`), filled in with ``params``.

    A text missing in one language is said in the other (and logged); an unknown key or a missing
    placeholder raises :class:`UnknownText`/``KeyError`` in tests and is logged otherwise, so a
    person never sees a traceback: the key itself, or the text with the gap left empty.
    """
    lang = language(lang)
    template = messages(lang).get(key)
    if template is None:
        other = LANGUAGES[1 - LANGUAGES.index(lang)]
        template = messages(other).get(key)
        if template is None:
            if strict:
                raise UnknownText(key)
            log.error("text_unknown", extra={"key": key, "language": lang})
            return key
        log.warning("text_missing_language", extra={"key": key, "language": lang})
        lang = other
    try:
        said = template.format(**params)
    except (KeyError, IndexError, ValueError):
        if strict:
            raise
        log.error("text_placeholder_missing", extra={"key": key, "language": lang})
        try:
            said = template.format_map(_Blank(params))
        except (IndexError, ValueError):
            said = template
    return _RELATIVE_AFTER_ON.sub(r"\1", said) if lang == "en" else said


def say_both(key: str, /, **params: Any) -> dict[str, str]:
    """The text ``key`` in every language, for answers read by programs and either language's people."""
    return {lang: say(key, lang, **params) for lang in LANGUAGES}


class _Blank(dict[str, Any]):
    def __missing__(self, name: str) -> str:
        return ""
