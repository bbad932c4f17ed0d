"""A message that asks for another language and for something else in one breath ("我用中文说吧，
他能不能订午饭", "in English please, what can my mum get?") is two turns for the engine: the
change of language, then the request, answered in the new language. Otherwise the model sees one
intent (the change of language) and the request is lost.

Only clear cases are split: a short clause, first or last, that names a language and asks for
it, beside a clause that names none and says something (three characters, or two words).
"""

from __future__ import annotations

import re

_CLAUSES = re.compile(r"(?<=[，,。.!！;；？?])\s*")
_LANGUAGE = re.compile(r"中文|普通话|汉语|国语|华语|英文|英语|\b(?:english|chinese|mandarin)\b", re.IGNORECASE)
_ASKS = re.compile(r"说|讲|用|换|改|聊|\b(?:speak|talk|use|switch|change|in|please)\b", re.IGNORECASE)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z']+")


def _short(clause: str) -> bool:
    return len(_HAN.findall(clause)) <= 12 and len(_WORD.findall(clause)) <= 7


def _says_something(clause: str) -> bool:
    return len(_HAN.findall(clause)) >= 3 or len(_WORD.findall(clause)) >= 2


def _asks_for_language(clause: str) -> bool:
    return bool(_LANGUAGE.search(clause) and _ASKS.search(clause)) and _short(clause)


def split_language_request(text: str) -> tuple[str, str] | None:
    """(the change of language, the rest) when ``text`` asks for both; else None."""
    clauses = [c for c in _CLAUSES.split(text.strip()) if c.strip()]
    if len(clauses) < 2:
        return None
    for switch, rest in ((clauses[0], clauses[1:]), (clauses[-1], clauses[:-1])):
        remainder = "".join(rest).strip()
        if _asks_for_language(switch) and not _LANGUAGE.search(remainder) and _says_something(remainder):
            return switch.strip(" ，,;；"), remainder
    return None
