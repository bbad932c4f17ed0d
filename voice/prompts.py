"""Fixed prompts of the voice hotline, in Mandarin and English (their texts are in the catalogue).

Every prompt here is synthesised at start-up into the prompt cache (:mod:`voice.tts.cache`), so
playing one costs nothing at call time and works when the online voice is unreachable. Prompts
are short and plain, one idea each, for elders on a phone line. Answers that depend on data
come from the dialogue engine and are synthesised when needed.
"""

from __future__ import annotations

import math

from careline.catalogue import N_, placeholders, say
from voice.languages import check_language

#: every fixed prompt, by its key
PROMPTS: dict[str, str] = {
    "welcome": N_("voice.prompt.welcome"),
    "choose_language": N_("voice.prompt.choose_language"),
    "say_again": N_("voice.prompt.say_again"),
    "not_heard": N_("voice.prompt.not_heard"),
    "yes_no_menu": N_("voice.prompt.yes_no_menu"),
    "confirm_prompt": N_("voice.prompt.confirm_prompt"),
    "one_moment": N_("voice.prompt.one_moment"),
    "still_working": N_("voice.prompt.still_working"),
    "connecting": N_("voice.prompt.connecting"),
    "consultants_busy": N_("voice.prompt.consultants_busy"),
    "emergency": N_("voice.prompt.emergency"),
    "technical_problem": N_("voice.prompt.technical_problem"),
    "anything_else": N_("voice.prompt.anything_else"),
    "hotline_unavailable": N_("voice.prompt.hotline_unavailable"),
    "hotline_busy": N_("voice.prompt.hotline_busy"),
    "goodbye": N_("voice.prompt.goodbye"),
    "greet_unknown": N_("voice.prompt.greet_unknown"),
    "reprompt": N_("voice.prompt.reprompt"),
    "keypad_offer": N_("voice.prompt.keypad_offer"),
    "no_answer_goodbye": N_("voice.prompt.no_answer_goodbye"),
    "line_trouble": N_("voice.prompt.line_trouble"),
    "queue_next": N_("voice.prompt.queue_next"),
    "queue_wait": N_("voice.prompt.queue_wait"),
    "queue_wait_one": N_("voice.prompt.queue_wait_one"),
    "with_consultant_hold": N_("voice.prompt.with_consultant_hold"),
    "transfer_offer": N_("voice.prompt.transfer_offer"),
    "transfer_now": N_("voice.prompt.transfer_now"),
    "transfer_failed": N_("voice.prompt.transfer_failed"),
    "link_ask_year_again": N_("voice.prompt.link_ask_year_again"),
    "link_no_year": N_("voice.prompt.link_no_year"),
    "link_wrong_year": N_("voice.prompt.link_wrong_year"),
    "link_refused": N_("voice.prompt.link_refused"),
    "link_code": N_("voice.prompt.link_code"),
    "choice_item": N_("voice.prompt.choice_item"),
    "nothing_to_repeat": N_("voice.prompt.nothing_to_repeat"),
}


def prompt_text(key: str, language: str, **values: object) -> str:
    """The text of fixed prompt ``key`` in ``language`` (KeyError for an unknown key); a prompt
    with fields (``{ahead}``) is filled from ``values`` and is not cached (:func:`has_fields`)."""
    return say(PROMPTS[key], check_language(language), **values)


def queue_prompt(position: int, minutes_per_caller: float) -> tuple[str, dict[str, int]]:
    """What a caller waiting at ``position`` (1 = next) in the consultants' queue is told."""
    if position <= 1:
        return "queue_next", {}
    ahead = position - 1
    minutes = max(1, math.ceil(position * minutes_per_caller))
    return ("queue_wait_one" if ahead == 1 else "queue_wait"), {"ahead": ahead, "minutes": minutes}


def has_fields(key: str) -> bool:
    """A prompt with fields is made when it is said, not warmed into the cache."""
    return bool(placeholders(PROMPTS[key]))
