"""How a family member gets linked to an elder: the elder's one-time link code.

On the phone, an elder calling from their registered number is asked for their year of birth
(``family_link`` in the reply's custom part tells the hotline to take it on the keypad and fetch
the code from the hub, which checks it: the code never passes through the dialogue engine).
Anyone else, and everyone in chat, is told where a code comes from and what to do with it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.base import CareAction
from actions.context import Context
from actions.staff_offers import offer_staff
from careline.catalogue import N_, say

#: the reply's custom part that starts the hotline's check (``voice.hotline.session``)
FAMILY_LINK = "family_link"


class ActionFamilyLink(CareAction):
    action_name = "action_family_link"

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        if ctx.slot("channel") == "phone":
            if ctx.elder is None:
                return offer_staff(ctx, dispatcher, N_("actions.family_link_phone_unknown"))
            if ctx.elder.birth_date is None:
                return offer_staff(ctx, dispatcher, N_("actions.family_link_no_check"))
            dispatcher.utter_message(text=say("actions.family_link_ask_year", ctx.lang),
                                     json_message={FAMILY_LINK: True})
            return []
        hotline = ctx.district.hotline if ctx.district is not None and ctx.district.hotline else ""
        key = N_("actions.family_link_how") if hotline else N_("actions.family_link_how_no_number")
        dispatcher.utter_message(text=say(key, ctx.lang, hotline=hotline))
        return []
