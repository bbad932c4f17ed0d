"""Checks on what a recogniser wrote down from the hotline's speech."""

from __future__ import annotations

import re

_WORDS = {"one": "1", "two": "2", "zero": "0", "oh": "0", "nine": "9", "eight": "8", "seven": "7",
          "six": "6", "five": "5", "four": "4", "three": "3"}


def says_number(heard: str, digits: str) -> bool:
    """Whether ``digits`` were said, however the recogniser wrote them: "120", "1-2-0", "1 2 0",
    "one two zero"."""
    spelt = re.sub(r"\b(?:" + "|".join(_WORDS) + r")\b", lambda m: _WORDS[m.group(0)], heard.lower())
    joined = re.sub(r"(?<=\d)[\s,.\-]+(?=\d)", "", spelt)
    return digits in joined
