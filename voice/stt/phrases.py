"""Phrase lists: what a caller may say at a menu or a confirmation.

Vosk restricts its search to the phrases (a grammar). Engines with no grammar (Whisper) recognise
freely and the text is then snapped to the closest phrase; Mandarin is compared as toneless pinyin,
so a homophone (是的 / 事的) still lands on the phrase.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

#: Below this score (0..100) a text matches no phrase and the result is empty.
MIN_SCORE = 75.0

_PUNCT = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Lower case, no punctuation, single spaces; full-width forms folded (ＯＫ → ok)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " ".join(_PUNCT.sub(" ", folded).split())


@lru_cache(maxsize=4096)
def _key(text: str, language: str) -> str:
    text = normalise(text)
    if language == "zh":
        return " ".join(lazy_pinyin(text.replace(" ", "")))
    return text


def snap(text: str, phrases: Sequence[str], language: str) -> tuple[str, float]:
    """The phrase ``text`` most likely meant and its score, or ``("", best score)`` if none fits."""
    spoken = _key(text, language)
    if not spoken or not phrases:
        return "", 0.0
    best, best_score = "", 0.0
    for phrase in phrases:
        target = _key(phrase, language)
        if not target:
            continue
        score = fuzz.ratio(spoken, target)
        if len(target) >= 2 and target in spoken.split(" ") or f" {target} " in f" {spoken} ":
            score = max(score, 90.0)  # the phrase said inside a longer answer ("yes please")
        if score > best_score or (score == best_score and len(target) > len(_key(best, language))):
            best, best_score = phrase, score
    return (best, best_score) if best_score >= MIN_SCORE else ("", best_score)
