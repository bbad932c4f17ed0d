"""What a caller may say at a choice, and what it stands for.

At a confirmation the recogniser is told the yes/no phrases (a Vosk grammar, a Whisper prompt:
:mod:`voice.stt.phrases`), and a phrase heard is sent to the dialogue engine as the intent it
stands for (``/affirm``, ``/deny``), the same as keys 1 and 2. Asking to hear the answer again
and asking for a person are recognised in every state, and only when they are the whole
utterance ("a person please", not "a person to clean my flat").

These are language data for matching speech, not texts anyone hears.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.hub.messages import DIGIT_PAYLOADS, Button
from voice.stt.phrases import normalise

AFFIRM, DENY, HANDOFF = DIGIT_PAYLOADS["1"], DIGIT_PAYLOADS["2"], DIGIT_PAYLOADS["0"]

YES = {"en": ("yes", "yeah", "yes please", "yes it is", "correct", "that's right", "right", "okay", "sure"),
       "zh": ("是", "是的", "对", "对的", "对对", "好", "好的", "可以", "没错", "行", "确认")}
NO = {"en": ("no", "nope", "no thanks", "no thank you", "not right", "wrong", "cancel"),
      "zh": ("不", "不是", "不对", "不要", "不用", "不用了", "算了", "取消")}
REPEAT = {"en": ("say that again", "say it again", "please say that again", "repeat", "repeat that",
                 "repeat please", "pardon", "come again", "what did you say"),
          "zh": ("再说一遍", "请再说一遍", "再说一次", "重复一遍", "再讲一遍", "没听清", "你说什么")}
PERSON = {"en": ("a person please", "a person", "person please", "operator", "talk to a person",
                 "speak to a person", "a real person", "human please", "a consultant please", "agent"),
          "zh": ("找人工", "人工", "转人工", "人工服务", "我要人工", "找真人", "接人工", "转接人工", "找咨询员")}
#: How close (0..100) the whole utterance must be to a phrase of REPEAT or PERSON.
WHOLE_MATCH = 82.0


def _whole(text: str, phrases: Sequence[str]) -> bool:
    said = normalise(text)
    return bool(said) and any(fuzz.ratio(said, normalise(p)) >= WHOLE_MATCH for p in phrases)


def wants_repeat(text: str, language: str) -> bool:
    return _whole(text, REPEAT[language])


def wants_person(text: str, language: str) -> bool:
    return _whole(text, PERSON[language])


_ZH_YEAR_DIGITS = str.maketrans("〇零幺一二两三四五六七八九", "0011223456789")
_YEAR = re.compile(r"(?<!\d)(19\d\d|20[0-2]\d)(?!\d)")


def year_in(text: str) -> int | None:
    """A year of birth said in ``text`` as a recogniser writes it ("1948", "一九四八年"), or None."""
    found = _YEAR.search(text.translate(_ZH_YEAR_DIGITS))
    return int(found.group(1)) if found else None


def is_yes_no(buttons: Sequence[Button]) -> bool:
    """The reply asks yes or no (its buttons are the affirm and deny intents)."""
    payloads = {b.payload.split("{")[0] for b in buttons}
    return bool(payloads) and payloads <= {AFFIRM, DENY}


def yes_no_phrases(language: str) -> list[str]:
    return [*YES[language], *NO[language]]


def yes_no_intent(phrase: str, language: str) -> str | None:
    """``/affirm`` or ``/deny`` for a phrase of :func:`yes_no_phrases`."""
    if phrase in YES[language]:
        return AFFIRM
    if phrase in NO[language]:
        return DENY
    return None
