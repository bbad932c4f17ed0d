"""Someone who wants to give help: become a volunteer, join the time bank, know how their hours
are recorded. The answer is the district's own scheme, read from its policies (how to join is
its ``how_to_apply``); a district that lists none is said so, with a person offered."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.base import CareAction
from actions.context import Context
from actions.formatting import person_name
from actions.staff_offers import offer_staff
from careline.catalogue import N_, say
from knowledge.models import Policy

#: Words that name a volunteering scheme in a policy's title, aliases or keywords, the surest first.
SCHEME_WORDS = (("时间银行", "time bank"), ("志愿者", "volunteer"), ("义工", "volunteering"))


#: Saying one wants to become a volunteer, not to have one ("I'd like to volunteer", "我想当志愿者"):
#: the model has read it as asking for a volunteer's visit.
_WANTS_TO_VOLUNTEER = re.compile(
    r"\b(?:i|we)(?:'d| would)?\s+(?:really\s+)?(?:like|love|want|wanna|wish|hope)\s+to\s+(?:volunteer|"
    r"be(?:come)?\s+(?:a\s+)?volunteers?|join\s+(?:the\s+|your\s+)?(?:time\s*bank|volunteers))\b|"
    r"\bhow\s+(?:do|can|could)\s+(?:i|we)\s+(?:volunteer|become\s+(?:a\s+)?volunteers?|join\s+(?:the\s+)?time\s*bank)\b|"
    r"\b(?:can|could|may)\s+(?:i|we)\s+(?:volunteer|be\s+(?:a\s+)?volunteers?|join\s+(?:the\s+)?time\s*bank)\b|"
    r"\bsign\s+(?:me|us)\s+up\s+(?:as|to\s+be)\s+(?:a\s+)?volunteers?\b|"
    r"(?:我|俺|咱|我们)(?:也)?(?:想|要|愿意|打算|能不能|可不可以|可以)(?:去)?(?:当|做|成为|报名当?|报名做|参加)(?:个|一名|一个)?"
    r"(?:志愿者|义工|时间银行)|怎么(?:样)?(?:才能)?(?:当|做|成为|加入)(?:志愿者|义工|时间银行)|"
    r"(?:我|俺|咱|我们)(?:也)?(?:想|要)?加入时间银行")


def wants_to_volunteer(text: str) -> bool:
    return bool(_WANTS_TO_VOLUNTEER.search(text.lower()))


def _words(policy: Policy) -> list[str]:
    words = [policy.title.get("zh", ""), policy.title.get("en", "")]
    for field in (policy.aliases or {}, policy.keywords or {}):
        for language in ("zh", "en"):
            words += [str(w) for w in field.get(language) or []]
    return [w.lower() for w in words]


def volunteering_scheme(ctx: Context) -> Policy | None:
    """The district's time bank or volunteering scheme, if it lists one."""
    if ctx.district is None:
        return None
    policies = list(ctx.session.scalars(select(Policy).where(Policy.district_id == ctx.district.id)
                                        .order_by(Policy.id)))
    for zh, en in SCHEME_WORDS:
        for policy in policies:
            if any(zh in word or en in word for word in _words(policy)):
                return policy
    return None


class ActionVolunteerJoin(CareAction):
    action_name = "action_volunteer_join"
    needs_district = True

    def act(self, ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
        scheme = volunteering_scheme(ctx)
        if scheme is None:
            return offer_staff(ctx, dispatcher, N_("actions.volunteer_join_none"))
        volunteer = ctx.volunteer()
        if volunteer is not None:
            dispatcher.utter_message(text=say("actions.volunteer_join_already", ctx.lang,
                                              name=person_name(volunteer.name, ctx.lang)))
        dispatcher.utter_message(text=say("actions.volunteer_join", ctx.lang, title=scheme.title[ctx.lang],
                                          summary=scheme.summary[ctx.lang], how=scheme.how_to_apply[ctx.lang]))
        return [SlotSet("policy_key", scheme.key)]
