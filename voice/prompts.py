"""Fixed prompts of the voice hotline, in Mandarin and English (their texts are in the catalogue).

Every prompt here is synthesised at start-up into the prompt cache (:mod:`voice.tts.cache`), so
playing one costs nothing at call time and works when the online voice is unreachable. Prompts
are short and plain, one idea each, for elders on a phone line. Answers that depend on data
come from the dialogue engine and are synthesised when needed.
"""

from __future__ import annotations

from careline.catalogue import N_, say
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
}


def prompt_text(key: str, language: str) -> str:
    """The text of fixed prompt ``key`` in ``language`` (KeyError for an unknown key)."""
    return say(PROMPTS[key], check_language(language))
