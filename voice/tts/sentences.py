"""Cut text into sentences so the first one is spoken while the next is being made."""

from __future__ import annotations

import re

_ZH_END = re.compile(r"(?<=[。！？!?；;…])|\n+")
# an English sentence ends at . ! ? followed by space, except after one letter ("p.m. ", "U.S. ")
_EN_END = re.compile(r"(?<=[!?;])\s+|(?<=(?<!\b[A-Za-z])\.)\s+|\n+")
_CLAUSE = re.compile(r"(?<=[，,、：:])")
MAX_CHARS = {"zh": 60, "en": 180}


def split_sentences(text: str, language: str) -> list[str]:
    """Sentences of ``text``; very long ones are cut further at commas, so no chunk waits long."""
    pattern = _ZH_END if language == "zh" else _EN_END
    sentences: list[str] = []
    limit = MAX_CHARS.get(language, 120)
    for sentence in pattern.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= limit:
            sentences.append(sentence)
            continue
        current = ""
        for clause in _CLAUSE.split(sentence):
            if current and len(current) + len(clause) > limit:
                sentences.append(current.strip())
                current = ""
            current += clause
        if current.strip():
            sentences.append(current.strip())
    return [s for s in sentences if any(ch.isalnum() for ch in s)]
