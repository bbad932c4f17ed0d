"""The languages the speech engines serve."""

from __future__ import annotations

from typing import Final

from voice.errors import UnsupportedLanguageError

LANGUAGES: Final = ("zh", "en")


def check_language(language: str) -> str:
    """Return ``language`` if the engines serve it; raise a bilingual error otherwise."""
    if language not in LANGUAGES:
        raise UnsupportedLanguageError(language=language)
    return language
