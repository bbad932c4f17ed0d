"""Rule-based emergency detection: high recall for danger now, not fooled by the same words in
harmless sentences ("I fell asleep", "上次摔倒的补贴").

Pure Python with no dependencies: the Rasa pipeline (engine venv) and the hub (app venv) both
run it on every message before any model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Danger said now. STRONG patterns always count; WEAK ones count unless the sentence also reads
# as a harmless one (a question about a subsidy after last year's fall, "I fell asleep").
_ZH_STRONG = [
    r"救命", r"救救我", r"快来人", r"来人啊",
    r"(起不来|爬不起来?|站不起来|动不了)(了|啦)",
    r"(摔|跌|滑|绊)(倒|跤|了一跤|下去|下来|在地上?)(了|啦)?.{0,8}(起不来|爬不起|动不了|站不起|流血|出血|晕)",
    r"(胸口|心口|心脏|胸)(很|好|特别|突然|一阵|有点)?(疼|痛|闷|难受|绞)",
    r"(喘不(上|过|来)气|上不来气|透不过气|呼吸(困难|不上|不了|不过来)|憋得慌|气都喘不)",
    r"(晕倒|昏倒|昏过去|昏迷|不省人事|叫不醒|没(有)?反应了|没(了)?呼吸|没(了)?心跳|抽搐|抽风|口吐白沫)",
    r"(中风了|脑梗了|嘴(巴)?歪了|半边(身子)?(不能动|动不了|麻了))",
    r"(大出血|流了?好多血|流了?很多血|血止不住|止不住血)",
    r"(着火了|失火了|起火了|煤气(泄漏|漏了)|天然气(泄漏|漏了)|闻到煤气味?)",
    r"(噎住了|卡住喉咙|喉咙卡住)",
    r"(吃错药了|药吃多了|喝了农药|服毒)",
    r"(快|赶紧|马上|帮我|帮忙)(叫|打|喊)(个|一下)?(救护车|120|一二零|幺二零)",
    r"(人不行了|快不行了)",
]
_ZH_WEAK = [r"(摔|跌)(倒|伤|了一跤)了", r"帮帮我", r"要死了", r"出事了"]
_EN_STRONG = [
    r"^\s*help\s*[.!]*\s*$", r"\bhelp\s*!+", r"\bsave me\b", r"\bsomeone help\b",
    r"\b(can'?t|cannot|can not|unable to) (get up|stand up|breathe|breath|breed|catch (my|his|her) breath)\b",
    r"\b(chest|chess) (pain|pains|hurts|is tight|tightness|pressure)\b", r"\bheart attack\b",
    r"\b(not breathing|stopped breathing|trouble breathing|short of breath|difficulty breathing|struggling to breathe)\b",
    r"\b(unconscious|unresponsive|won'?t wake up|not waking up|having a seizure|having a fit|choking)\b",
    r"\b(bleeding (badly|a lot|heavily)|lot of blood|won'?t stop bleeding)\b",
    r"\b(gas leak|smell gas|smells of gas|house is on fire|on fire)\b",
    r"\b(call|get|send) (me )?(an? )?(ambulance|120)\b",
    r"\b(overdose|took too many pills|swallowed poison)\b",
]
_EN_WEAK = [
    r"\bhelp me\b(?!\s+(find|with|to|book|get|know|understand|choose|check|cancel|look|apply|sign|order|see|work))",
    r"\bemergency\b(?!\s+(call button|button|device|alarm|pendant|number|contact)\b)",
    r"\b(fallen|fell|collapsed|passed out|fainted|blacked out|had a fall)\b",
    r"\bstroke\b", r"\bfire\b", r"\bambulance\b", r"\bdying\b",
]
_ZH_SAFE = [r"睡着", r"(补贴|补助|津贴|保险|报销|政策|讲座|课|培训|预防|防跌倒|防摔|评估)", r"(上次|去年|以前|那次|上回|之前)"]
_EN_SAFE = [r"\b(fell|fall|falling) asleep\b", r"\bprevent", r"\b(subsidy|subsidies|allowance|insurance|claim|grant|talk|class|lecture|course|drill|alarm)\b",
            r"\b(last (year|month|week|time|winter|summer)|years? ago|months? ago|previous|used to|dying to|in love)\b"]

_STRONG = [re.compile(p, re.IGNORECASE) for p in _ZH_STRONG + _EN_STRONG]
_WEAK = [re.compile(p, re.IGNORECASE) for p in _ZH_WEAK + _EN_WEAK]
_SAFE = [re.compile(p, re.IGNORECASE) for p in _ZH_SAFE + _EN_SAFE]


@dataclass(frozen=True)
class EmergencyMatch:
    pattern: str
    excerpt: str


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def detect(text: str) -> EmergencyMatch | None:
    """The danger pattern a message matches, or None."""
    text = _normalise(text)[:2000]
    if not text:
        return None
    for pattern in _STRONG:
        found = pattern.search(text)
        if found:
            return EmergencyMatch(pattern.pattern, found.group(0))
    if any(safe.search(text) for safe in _SAFE):
        return None
    for pattern in _WEAK:
        found = pattern.search(text)
        if found:
            return EmergencyMatch(pattern.pattern, found.group(0))
    return None


def is_emergency(text: str) -> bool:
    return detect(text) is not None
