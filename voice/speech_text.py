"""Text as it should be *said*: numbers, money, dates, times, percentages and phone numbers.

Speech engines read "1,200元" or "13812345678" badly (or as one huge number), and an elder on
the phone must understand it the first time. Rules, by language:

Mandarin (cn2an does the numbers)
  1,200元 → 一千二百元; 12.50元 → 十二元五角; ¥3 → 三元; 80% → 百分之八十;
  2026年11月23日 / 2026-11-23 → 二零二六年十一月二十三日 (years digit by digit, as said);
  14:30 → 下午两点半 (12-hour with a part of the day: elders do not use the 24-hour clock);
  2个 → 两个; other numbers as amounts (八十五岁).
  Phone numbers digit by digit in groups (138 1234 5678 → 幺三八，幺二三四，五六七八), with
  **幺 for 1**: it is how numbers are read out over the phone in mainland China (一 and 七 sound
  alike on a bad line). Other digit strings of 7 or more (account, ID) are read digit by digit
  with 一.

English (num2words does the numbers)
  $12.50 → twelve dollars fifty; 1,200元 / ¥1,200 → one thousand two hundred yuan;
  2026-11-23 → November twenty-third, twenty twenty-six; 14:30 → two thirty in the afternoon;
  9:00 am → nine o'clock a.m.; 80% → eighty percent; 3rd → third; "in 2026" → twenty twenty-six;
  phone numbers digit by digit in groups, 0 as "zero".

Phone numbers are recognised by shape (Chinese mobiles, landlines with an area code, 400/800
numbers, NNN-NNN-NNNN) and short service numbers (110, 120, 12345 …) when "call"/"拨打"/
"电话"/"热线" stands just before them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import cn2an
from num2words import num2words as _num2words

from voice.languages import check_language


def num2words(number: float, to: str = "cardinal") -> str:
    """num2words without its commas ("one thousand, two hundred"): a comma is a pause in speech."""
    return str(_num2words(number, to=to)).replace(",", "")

_ZH_DIGITS = "零幺二三四五六七八九"
_ZH_PLAIN_DIGITS = "零一二三四五六七八九"
_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")

_PHONE = re.compile(
    r"(?<![\d.])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?![\d.])"  # Chinese mobile
    r"|(?<![\d.])(0\d{2,3})[- ](\d{7,8})(?![\d.])"  # landline with area code
    r"|(?<![\d.])([48]00)[- ]?(\d{3})[- ]?(\d{4})(?![\d.])"  # 400/800 service numbers
    r"|(?<![\d.])(\d{3})[-.](\d{3})[-.](\d{4})(?![\d.])"  # NNN-NNN-NNNN
)
_SHORT_PHONE = re.compile(
    r"(?:(?<=拨打)|(?<=拨)|(?<=打)|(?<=致电)|(?<=电话)|(?<=热线)|(?<=号码)|(?<=call )|(?<=dial )|(?<=phone )"
    r"|(?<=hotline )|(?<=number ))\s*(\d{3,5})(?![\d.%％])",
    re.IGNORECASE,
)
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


def _digits(text: str, language: str, phone: bool) -> str:
    if language == "zh":
        table = _ZH_DIGITS if phone else _ZH_PLAIN_DIGITS
        return "".join(table[int(d)] for d in text if d.isdigit())
    return " ".join(_EN_DIGITS[int(d)] for d in text if d.isdigit())


def _phone(match: re.Match[str], language: str) -> str:
    groups = [g for g in match.groups() if g]
    return ("，" if language == "zh" else ", ").join(_digits(g, language, True) for g in groups)


def _plain(number: str) -> str:
    return number.replace(",", "")


# --- Mandarin -------------------------------------------------------------------------------------

def _zh_number(number: str) -> str:
    return str(cn2an.an2cn(_plain(number)))


def _zh_money(amount: str) -> str:
    value = _plain(amount)
    whole, _, cents = value.partition(".")
    cents = (cents + "00")[:2]
    jiao, fen = int(cents[0]), int(cents[1])
    said = "" if int(whole) == 0 and (jiao or fen) else _zh_number(whole) + "元"
    if jiao:
        said += _ZH_PLAIN_DIGITS[jiao] + "角"
    elif fen and said:
        said += "零"
    if fen:
        said += _ZH_PLAIN_DIGITS[fen] + "分"
    return said


_ZH_PERIODS = ("凌晨", "早上", "上午", "中午", "下午", "晚上", "傍晚", "夜里")


def _zh_time(match: re.Match[str], before: str) -> str:
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 24 or minute > 59:
        return match.group(0)
    has_period = any(before.endswith(p) for p in _ZH_PERIODS)
    period = ""
    if not has_period:
        period = ("凌晨" if hour < 6 else "早上" if hour < 9 else "上午" if hour < 12 else "中午" if hour < 13
                  else "下午" if hour < 18 else "晚上")
    shown = hour if has_period or hour <= 12 else hour - 12
    said = "两" if shown == 2 else _zh_number(str(shown))
    if minute == 0:
        tail = "点"
    elif minute == 30:
        tail = "点半"
    elif minute < 10:
        tail = f"点零{_zh_number(str(minute))}分"
    else:
        tail = f"点{_zh_number(str(minute))}分"
    return period + said + tail


def _zh_date(year: str | None, month: str | None, day: str | None) -> str:
    said = ""
    if year:
        said += _digits(year, "zh", False) + "年"
    if month:
        said += _zh_number(month) + "月"
    if day:
        said += _zh_number(day) + "日"
    return said


def _sub_with_context(pattern: re.Pattern[str], text: str, render: Callable[[re.Match[str], str], str]) -> str:
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(text[last:match.start()])
        parts.append(render(match, text[max(0, match.start() - 2):match.start()]))
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def _zh(text: str) -> str:
    text = _PHONE.sub(lambda m: _phone(m, "zh"), text)
    text = _SHORT_PHONE.sub(lambda m: _digits(m.group(1), "zh", True), text)
    text = re.sub(r"(?<!\d)(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?!\d)",
                  lambda m: _zh_date(m.group(1), m.group(2), m.group(3)), text)
    text = re.sub(r"(?<!\d)(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?",
                  lambda m: _zh_date(m.group(1), m.group(2), m.group(3)), text)
    text = re.sub(r"(?<!\d)(\d{1,2})月(?:(\d{1,2})([日号]))?",
                  lambda m: _zh_number(m.group(1)) + "月" + (_zh_number(m.group(2)) + m.group(3) if m.group(2) else ""),
                  text)
    text = _sub_with_context(re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])"), text, _zh_time)
    text = re.sub(rf"[¥￥]\s*({_NUMBER})", lambda m: _zh_money(m.group(1)), text)
    text = re.sub(rf"({_NUMBER})\s*元", lambda m: _zh_money(m.group(1)), text)
    text = re.sub(rf"({_NUMBER})\s*块", lambda m: _zh_number(m.group(1)) + "块", text)
    text = re.sub(rf"({_NUMBER})\s*[%％]", lambda m: "百分之" + _zh_number(m.group(1)), text)
    text = re.sub(r"(?<![\d.])2(?=[个位次件天周本只张条间家趟遍])", "两", text)
    text = re.sub(r"(?<![\d.])\d{7,}(?![\d.])", lambda m: _digits(m.group(0), "zh", False), text)
    return re.sub(_NUMBER, lambda m: _zh_number(m.group(0)), text)


# --- English --------------------------------------------------------------------------------------

def _en_number(number: str) -> str:
    value = _plain(number)
    return str(num2words(float(value) if "." in value else int(value)))


def _en_money(amount: str, unit: str, cents_unit: str | None) -> str:
    value = _plain(amount)
    whole, _, fraction = value.partition(".")
    fraction = (fraction + "00")[:2] if fraction else ""
    count = int(whole)
    units = unit if count == 1 or unit == "yuan" else unit + "s"
    said = f"{num2words(count)} {units}" if count or not fraction else ""
    if fraction and int(fraction):
        if not said:
            return f"{num2words(int(fraction))} {cents_unit or 'fen'}"
        small = int(fraction) < 10  # "twelve dollars fifty", but "twelve dollars and five cents"
        said += f" and {num2words(int(fraction))} {cents_unit or 'fen'}" if small else f" {num2words(int(fraction))}"
    return said or f"zero {unit}s"


def _en_time(match: re.Match[str]) -> str:
    hour, minute, suffix = int(match.group(1)), int(match.group(2)), (match.group(3) or "").lower()
    if hour > 24 or minute > 59:
        return match.group(0)
    tail = ""
    if suffix:
        tail = " a.m." if suffix.startswith("a") else " p.m."
    elif hour == 0 or hour == 24:
        tail = " at night"
    elif hour < 12:
        tail = " in the morning"
    elif hour == 12:
        tail = " noon" if minute == 0 else " in the afternoon"
    elif hour < 18:
        tail = " in the afternoon"
    else:
        tail = " in the evening"
    shown = hour % 12 or 12
    if minute == 0:
        said = f"{num2words(shown)} o'clock" if tail not in (" noon",) else "twelve"
    elif minute < 10:
        said = f"{num2words(shown)} oh {num2words(minute)}"
    else:
        said = f"{num2words(shown)} {num2words(minute)}"
    return said + tail


def _en_date(year: str | None, month: int, day: str) -> str:
    said = f"{_MONTHS[month - 1]} {num2words(int(day), to='ordinal')}"
    return f"{said}, {num2words(int(year), to='year')}" if year else said


_MONTH_NAMES = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"  # noqa: E501


def _month_index(name: str) -> int:
    return next(i for i, m in enumerate(_MONTHS, 1) if m.lower().startswith(name.lower()[:3]))


def _en(text: str) -> str:
    text = _PHONE.sub(lambda m: _phone(m, "en"), text)
    text = _SHORT_PHONE.sub(lambda m: _digits(m.group(1), "en", True), text)

    def iso(m: re.Match[str]) -> str:
        month, day = int(m.group(2)), int(m.group(3))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return m.group(0)
        return _en_date(m.group(1), month, m.group(3))

    text = re.sub(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", iso, text)
    text = re.sub(rf"\b{_MONTH_NAMES}\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b",
                  lambda m: _en_date(m.group(3), _month_index(m.group(1)), m.group(2)), text)
    text = re.sub(rf"\b(\d{{1,2}})(?:st|nd|rd|th)? {_MONTH_NAMES}\.?(?:,? (\d{{4}}))?\b",
                  lambda m: _en_date(m.group(3), _month_index(m.group(2)), m.group(1)), text)
    text = re.sub(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])(?:\s*([ap]\.?m\.?)(?![a-z]))?", _en_time, text,
                  flags=re.IGNORECASE)
    text = re.sub(rf"\$\s*({_NUMBER})", lambda m: _en_money(m.group(1), "dollar", "cents"), text)
    text = re.sub(rf"(?:[¥￥]|\bRMB\s*)\s*({_NUMBER})", lambda m: _en_money(m.group(1), "yuan", None), text)
    text = re.sub(rf"({_NUMBER})\s*(?:元|yuan\b|RMB\b)", lambda m: _en_money(m.group(1), "yuan", None), text)
    text = re.sub(rf"({_NUMBER})\s*[%％]", lambda m: _en_number(m.group(1)) + " percent", text)
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", lambda m: num2words(int(m.group(1)), to="ordinal"), text)
    text = re.sub(r"(?<=\b)(in|since|until|by|year|of) (1[1-9]\d\d|20\d\d)\b",
                  lambda m: f"{m.group(1)} {num2words(int(m.group(2)), to='year')}", text, flags=re.IGNORECASE)
    text = re.sub(r"(?<![\d.])\d{7,}(?![\d.])", lambda m: _digits(m.group(0), "en", False), text)
    return re.sub(_NUMBER, lambda m: _en_number(m.group(0)), text)


def spell_digits(code: str, language: str) -> str:
    """A code read digit by digit in groups of three ("one two three, four five six" /
    "幺二三，四五六"), so that it can be written down as it is heard."""
    digits = [d for d in code if d.isdigit()]
    groups = ["".join(digits[i:i + 3]) for i in range(0, len(digits), 3)]
    return ("，" if language == "zh" else ", ").join(_digits(g, language, True) for g in groups)


def for_speaking(text: str, language: str) -> str:
    """``text`` rewritten so that a speech engine says numbers the way people do in ``language``."""
    check_language(language)
    return _zh(text) if language == "zh" else _en(text)
