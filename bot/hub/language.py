"""The language of a conversation: the one place that decides it, for every message.

- A message typed only in Chinese characters (digits, punctuation and emoji aside) is answered in
  Mandarin, one typed only in Latin letters in English, unless the person chose the other
  language: said so ("please speak English", "我用中文说吧": the engine's change of language,
  reported with its reply), pressed a language button (Telegram's /language), or the channel
  switched (a caller pressed 2 for English).
- Anything else keeps the current language: a mixed message ("太极 tomorrow morning"), digits
  only, a pressed button or key (their titles are in the current language), and speech, which
  was recognised in the language the channel asked for, so its script says nothing new.
- A Latin-only message of one or two letters ("ok", "hi", common in Chinese chat) decides nothing.

The conversation row keeps the outcome (``language``, ``language_chosen``, ``channel_language``);
the hub gives the engine the language with every message, and tells its tracker before a turn
when it changed (:mod:`bot.hub.engine_turns`), so that Rasa's own responses follow too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.hub.messages import Kind

LANGUAGES = ("zh", "en")
#: fewer Latin letters than this decide nothing ("ok", "hi")
MIN_LATIN_LETTERS = 3

_HAN = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def script_language(text: str) -> str | None:
    """``zh`` for letters that are all Chinese characters, ``en`` for letters that are all Latin
    (at least :data:`MIN_LATIN_LETTERS`), None for mixed scripts, other scripts or no letters."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    if all(_HAN.match(c) for c in letters):
        return "zh"
    if len(letters) >= MIN_LATIN_LETTERS and all("LATIN" in unicodedata.name(c, "") for c in letters):
        return "en"
    return None


@dataclass(frozen=True)
class LanguageState:
    """What a conversation knows of its language."""

    current: str
    chosen: bool = False
    """The person chose ``current`` explicitly: the script of what they type no longer changes it."""
    channel: str | None = None
    """The language the channel said last (a change is the person's choice, made on the channel)."""


def decide(state: LanguageState, channel_says: str | None, text: str, kind: Kind) -> LanguageState:
    """The conversation's language after a message ``text`` of ``kind``, which the channel sent
    saying ``channel_says`` (None: it said nothing)."""
    said = channel_says if channel_says in LANGUAGES else None
    if said is not None and state.channel is not None and said != state.channel:
        return LanguageState(said, chosen=True, channel=said)
    channel = said or state.channel
    written = script_language(text) if kind is Kind.TEXT else None
    if written is None or written == state.current or state.chosen:
        return LanguageState(state.current, state.chosen, channel)
    return LanguageState(written, chosen=False, channel=channel)
