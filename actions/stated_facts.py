"""Facts about an elder said in passing ("我妈八十三了，一个人住", "she's 91 and lives alone",
"he's assessed level 2", "没评估过"), read so that an eligibility check does not ask for them again.

Only plain statements are read; anything unclear is left for the question the form asks.
"""

from __future__ import annotations

import re
from typing import Any

from actions.replies import _INCOME, NEVER_ASSESSED, NOT_ASSESSED, number_in

_NOT_BEFORE = r"(?<!不是)(?<!没有)(?<!不)(?<!没)"

_AGE = [
    re.compile(r"(\d{2,3}|[一二三四五六七八九十百]{2,5})\s*(?:周岁|岁|了)"),
    re.compile(r"今年(?:已经|都)?(\d{2,3}|[一二三四五六七八九十百]{2,5})"),
    re.compile(r"\b(?:is|she's|he's|i'm|im|i am|she is|he is|aged|age|turned|turning|will be|mum's|dad's)\s+"
               r"(\d{2,3}|(?:forty|fifty|sixty|seventy|eighty|ninety|a hundred)(?:[- ](?:one|two|three|four|five|six|"
               r"seven|eight|nine))?)\b", re.IGNORECASE),
    re.compile(r"\b(\d{2,3})\s*(?:years? old|yrs? old|yo)\b", re.IGNORECASE),
]
_BOOLEAN: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "lives_alone": (
        re.compile(r"(?:不是|没有|不)(?:一个人住|独居|自己住)|(?<!不)跟[^，。,.]{1,6}(?:一起)?住|(?<!不)和[^，。,.]{1,6}一起住|"
                   r"\b(?:doesn't|does not|don't|do not|not) live (?:alone|on (?:her|his|my) own)\b|"
                   r"\b(?:lives?|living|stays?) with\b", re.IGNORECASE),
        re.compile(_NOT_BEFORE + r"(?:一个人住|独居|独自(?:一个人)?(?:住|生活)|一个人过|自己一个人|自个儿住)|"
                   r"\b(?:lives?|living|stays?) (?:alone|on (?:her|his|my) own|by (?:her|him|my)self)\b|"
                   r"\bon (?:her|his|my) own\b", re.IGNORECASE),
    ),
    "hukou_local": (
        re.compile(r"外地户口|户口不在|不是本地|外地人|\b(?:no|not|without)(?: a)? local hukou\b|"
                   r"\bhukou (?:is )?(?:elsewhere|not here)\b", re.IGNORECASE),
        re.compile(r"本地户口|户口(?:是|在|就在|就是)?(?:本地|这里|这儿|这边|本村|本镇|我们这)|是本地的|本地人|本村人|"
                   r"\blocal hukou\b|"
                   r"\bhukou (?:is )?(?:here|local)\b|\bregistered here\b", re.IGNORECASE),
    ),
    "disabled": (
        re.compile(r"(?:没有|没)残疾证|不是残疾|\b(?:not|isn't) disabled\b|\bno disability\b", re.IGNORECASE),
        re.compile(_NOT_BEFORE + r"残疾证|残疾人|\b(?:is|she's|he's|i'm) disabled\b|"
                   r"\bdisability (?:card|certificate)\b", re.IGNORECASE),
    ),
}
_CARE_LEVEL = [
    re.compile(r"(?:评|定|鉴定|评估)[^，。,.]{0,4}?([一二三四五六1-6])\s*级"),
    re.compile(r"([一二三四五六1-6])\s*级(?:失能|护理|照护)"),
    re.compile(r"\b(?:care |assessed (?:at |as )?|assessment )?level (\d)\b", re.IGNORECASE),
]


def _first_number(patterns: list[re.Pattern[str]], text: str, low: int, high: int) -> int | None:
    """The number the first matching pattern captures, when it lies within ``low``..``high``."""
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            value = number_in(match.group(1))
            if value is not None and low <= value <= high:
                return value
    return None


def stated_facts(text: str) -> dict[str, Any]:
    """The facts a message states plainly, by fact name."""
    found: dict[str, Any] = {}
    age = _first_number(_AGE, text, 40, 120)
    if age is not None:
        found["age"] = age
    for fact, (negative, positive) in _BOOLEAN.items():
        if negative.search(text):
            found[fact] = False
        elif positive.search(text):
            found[fact] = True
    level = _first_number(_CARE_LEVEL, text, 0, 6)
    if level is not None:
        found["care_level"] = level
    elif NEVER_ASSESSED.search(text):
        found["care_level"] = NOT_ASSESSED
    for status, pattern in _INCOME[:3]:
        if pattern.search(text):
            found["income_status"] = status
            break
    return found



def facts_to_note(latest: str, earlier: list[str], told: dict[str, Any]) -> dict[str, Any]:
    """The facts to remember from what was said: those of the latest message, which replace what
    was told before ("他现在一个人住了"), and those of the ``earlier`` messages (newest first) that
    nothing told yet."""
    found: dict[str, Any] = {}
    for text in reversed(earlier):
        found.update(stated_facts(text))
    found = {fact: value for fact, value in found.items() if fact not in told}
    found.update(stated_facts(latest))
    return found
