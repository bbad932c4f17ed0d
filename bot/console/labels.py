"""How the console names a code it shows (a channel, a language, a reason, an outcome, a sender,
a gender): the catalogue key of each, so that ``pybabel extract`` sees every one."""

from __future__ import annotations

from careline.catalogue import N_, say

LABELS: dict[str, dict[str, str]] = {
    "channel": {"phone": N_("console.channel_phone"), "telegram": N_("console.channel_telegram"),
                "terminal": N_("console.channel_terminal"), "cli": N_("console.channel_cli")},
    "language": {"zh": N_("console.language_zh"), "en": N_("console.language_en")},
    "reason": {"emergency": N_("console.reason_emergency"), "requested": N_("console.reason_requested"),
               "misunderstood": N_("console.reason_misunderstood"), "trouble": N_("console.reason_trouble")},
    "gender": {"female": N_("console.gender_female"), "male": N_("console.gender_male")},
    "sender": {"user": N_("console.sender_user"), "bot": N_("console.sender_bot"),
               "system": N_("console.sender_system"), "consultant": N_("console.sender_consultant"),
               "note": N_("console.sender_note")},
    "outcome": {"answered": N_("console.outcome_answered"), "booked": N_("console.outcome_booked"),
                "referred": N_("console.outcome_referred"),
                "emergency_handled": N_("console.outcome_emergency_handled"),
                "no_reply": N_("console.outcome_no_reply"), "other": N_("console.outcome_other")},
    "origin": {"bundle": N_("console.origin_bundle"), "console": N_("console.origin_console")},
}


def label(kind: str, value: str | None, lang: str) -> str:
    """The wording of a code in ``lang``; the code itself when it has none."""
    key = LABELS[kind].get(value or "")
    return say(key, lang) if key else (value or "")
