"""A family member's language on Telegram: what they type decides (Chinese characters Mandarin,
Latin letters English) whatever their Telegram app's language, unless they pressed a language
button (/language), before their first question or in the middle of a conversation. Real
python-telegram-bot against the Bot API stand-in, the hub, Rasa and the action server."""

from __future__ import annotations

import pytest

from careline.stack import Stack
from tests.bot.channels.test_telegram import link, new_user, said
from tests.bot.conftest import RunningHub
from tests.standins.telegram_api import TelegramAPI, User

pytestmark = pytest.mark.dialogue

WAIT = 60.0
ASK = {"zh": "最近有什么活动", "en": "what activities are coming up"}
LISTED = {"zh": "近期的活动", "en": "Coming up"}
LANGUAGE_SET = {"zh": "以后用中文", "en": "I'll use English"}
BUTTON = {"zh": "中文", "en": "English"}


def _ask(api: TelegramAPI, user: User, written: str, answered: str) -> None:
    api.send_text(user, ASK[written])
    [reply] = api.wait_for(user.id, 1, WAIT, lambda m: any(t in (m.text or "") for t in LISTED.values()))
    assert LISTED[answered] in reply.text, reply.text


def _choose(api: TelegramAPI, user: User, language: str) -> None:
    api.send_text(user, "/language")
    [menu] = api.wait_for(user.id, 1, WAIT, lambda m: bool(m.buttons))
    api.press_button(user, menu, text=BUTTON[language])
    api.wait_for(user.id, 1, WAIT, lambda m: LANGUAGE_SET[language] in (m.text or ""))


@pytest.mark.parametrize(("app", "written"), [("en", "zh"), ("zh-hans", "en")],
                         ids=["chinese-from-an-english-app", "english-from-a-chinese-app"])
def test_what_a_family_member_types_decides_the_language(hub: RunningHub, telegram_api: TelegramAPI,
                                                         servers: Stack, app: str, written: str) -> None:
    api, user = telegram_api, new_user(telegram_api, app)
    link(api, servers, user, "li")
    _ask(api, user, written, written)
    other = "en" if written == "zh" else "zh"
    _ask(api, user, other, other)


def test_a_language_button_wins_over_what_is_typed(hub: RunningHub, telegram_api: TelegramAPI,
                                                  servers: Stack) -> None:
    api, user = telegram_api, new_user(telegram_api, "zh-hans")
    link(api, servers, user, "li")
    _choose(api, user, "en")  # before the first question: no conversation yet
    _ask(api, user, "zh", "en")
    _choose(api, user, "zh")  # in the middle of one
    _ask(api, user, "en", "zh")
    assert "Traceback" not in said(api, user)
