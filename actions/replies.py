"""Understanding short answers: numbers in words or digits, yes and no, levels, income status."""

from __future__ import annotations

import re
from typing import Any

import cn2an

_EN_NUMBERS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
}
_ZH_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百]+")
_YES = re.compile(r"(^|\b)(yes|yeah|yep|yup|right|correct|sure|ok|okay|true|she does|he does|i do|they do)\b|"
                  r"^(是|对|嗯|好|有|在|是的|对的|对呀|没错|行|可以|要得|中|一个人|独居|本地)", re.IGNORECASE)
_NO = re.compile(r"(^|\b)(no|nope|not|never|none|neither|false|doesn'?t|don'?t|isn'?t)\b|"
                 r"^(不|没|否|没有|不是|不对|莫得|外地|跟.*住|和.*住)", re.IGNORECASE)
_INCOME = [
    ("extreme_poverty", re.compile(r"(特困|五保|extreme|destitute|wubao)", re.IGNORECASE)),
    ("subsistence", re.compile(r"(低保|最低生活|subsistence|dibao|minimum living)", re.IGNORECASE)),
    ("low_income", re.compile(r"(低收入|困难|low[- ]?income|poor)", re.IGNORECASE)),
    ("normal", re.compile(r"(都不是|都没有|普通|一般|正常|没有|不是|none|neither|normal|no\b|not)", re.IGNORECASE)),
]
_GENDER = [("female", re.compile(r"(女|老太|奶奶|婆婆|妈|woman|female|she|her|mother|mum|mom|lady)", re.IGNORECASE)),
           ("male", re.compile(r"(男|老头|爷爷|公公|爸|man\b|male|he\b|his\b|father|dad|gentleman)", re.IGNORECASE))]


#: the care level of an elder who was never assessed: no level for the rules (0), and what the
#: person needs to hear is how to get assessed, not "not eligible"
NOT_ASSESSED = "not_assessed"
NEVER_ASSESSED = re.compile(r"(?:从来?|还)?(?:没有?|未)(?:去)?(?:做过?|参加过?)?(?:评估|评过|评级|鉴定|评)|"
                            r"(?:\bnever|\bnot|n't|\bnot yet) (?:been )?(?:assessed|evaluated)\b|"
                            r"\bno (?:care )?assessment\b|\b(?:never|hasn't|has not) had (?:an?|the|any) "
                            r"(?:care )?assessment\b", re.IGNORECASE)


def number_in(text: str) -> int | None:
    """The first whole number said, in digits, Chinese numerals or English words."""
    digits = re.search(r"\d+", text)
    if digits:
        return int(digits.group(0))
    chinese = _ZH_NUMERAL.search(text)
    if chinese:
        try:
            return int(cn2an.cn2an(chinese.group(0).replace("两", "二"), "smart"))
        except (ValueError, KeyError):
            pass
    total, found = 0, False
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in _EN_NUMBERS:
            value = _EN_NUMBERS[word]
            total = total * value if value == 100 and total else total + value
            found = True
        elif found and word not in ("and",):
            break
    return total if found else None


def yes_no(text: str, intent: str | None = None) -> bool | None:
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    if _NO.search(text.strip()):
        return False
    if _YES.search(text.strip()):
        return True
    return None


def parse_fact(fact: str, text: str, intent: str | None = None) -> Any:
    """A fact's value from a short answer, or None if it cannot be read."""
    text = (text or "").strip()
    if not text:
        return None
    if fact == "age":
        value = number_in(text)
        return value if value is not None and 40 <= value <= 120 else None
    if fact == "care_level":
        if NEVER_ASSESSED.search(text) or re.search(r"没做|没有做|不知道|don'?t know|not sure|never|haven'?t", text,
                                                    re.IGNORECASE):
            return NOT_ASSESSED
        value = number_in(text)
        if value is None and yes_no(text, intent) is False:  # "没有" to "做过评估吗？"
            return NOT_ASSESSED
        return value if value is not None and 0 <= value <= 6 else None
    if fact == "income_status":
        for status, pattern in _INCOME:
            if pattern.search(text):
                return status
        return "normal" if intent == "deny" else None
    if fact == "gender":
        for gender, pattern in _GENDER:
            if pattern.search(text):
                return gender
        return None
    return yes_no(text, intent)


_LANGUAGE_WORDS = {"en": r"english|英语|英文|英国话",
                   "zh": r"chinese|mandarin|putonghua|中文|普通话|汉语|国语|华语|中国话"}
_NOT_LANGUAGE = re.compile(r"(?:不懂|不会|不太会|听不懂|看不懂|听不明白|不要|别|不说|不讲|不想)[说讲用听]?\s*$|"
                           r"\b(?:don't|do not|dont|can't|cannot|can not|cant|no|not)\s+(?:\w+\s+){0,2}$",
                           re.IGNORECASE)
_NOT_AFTER = re.compile(r"^\s*(?:我|俺|他|她|老人家?)?(?:听|看|说|讲)?(?:不懂|不会|不太懂|不行|不来)")


def language_asked(text: str, said: str | None, current: str) -> str:
    """The language someone asks to speak: one named and not refused ("我听不懂英文，说中文" is
    Mandarin), the other one when the only one named is refused ("我不会说英语"), else the
    model's entity, else a switch."""
    wanted: list[tuple[int, str]] = []
    refused: set[str] = set()
    for lang, words in _LANGUAGE_WORDS.items():
        for found in re.finditer(words, text, re.IGNORECASE):
            if (_NOT_LANGUAGE.search(text[max(0, found.start() - 20):found.start()])
                    or _NOT_AFTER.search(text[found.end():found.end() + 12])):
                refused.add(lang)
            else:
                wanted.append((found.start(), lang))
    named = {lang for _, lang in wanted} - refused
    if len(named) == 1:
        return named.pop()
    if len(refused) == 1 and not named:
        return "zh" if refused == {"en"} else "en"
    if said in ("zh", "en"):
        return said
    return "en" if current == "zh" else "zh"
