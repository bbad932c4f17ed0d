"""Cuts a text too long for a channel into parts that each fit, at the most natural place: after a
sentence (Chinese 。！？ or English . ! ? …), else at a space, else between characters."""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends at Chinese full stops (no space after them) or English ones followed by a space;
# closing quotes and brackets stay with their sentence.
_SENTENCE_END = re.compile(r"(?<=[。！？!?.…])[”’」』）)\"']*\s*")


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Parts of ``text``, each at most ``limit`` long as ``length`` measures, in order; joined
    they give back the text up to the whitespace at the cuts."""
    if length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit, length):
        if current.strip() and length((current + piece).rstrip()) > limit:
            parts.append(current.rstrip())
            current = ""
        current = (current + piece).lstrip()
    if current.strip():
        parts.append(current.rstrip())
    return [p for p in parts if p]


def _pieces(text: str, limit: int, length: Callable[[str], int]) -> list[str]:
    """Sentences, and a sentence too long alone cut at spaces, then between characters."""
    pieces: list[str] = []
    for sentence in _sentences(text):
        if length(sentence) <= limit:
            pieces.append(sentence)
            continue
        for word in re.split(r"(?<=\s)", sentence):
            if length(word) <= limit:
                pieces.append(word)
                continue
            chunk = ""
            for char in word:
                if length(chunk + char) > limit:
                    pieces.append(chunk)
                    chunk = ""
                chunk += char
            pieces.append(chunk)
    return [p for p in pieces if p]


def _sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        if match.end() > start and (match.end() - match.start() > 0 or text[match.start() - 1] in "。！？"):
            sentences.append(text[start:match.end()])
            start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s]
