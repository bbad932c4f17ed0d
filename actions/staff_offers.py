"""Offers of a person. A reply that ends "shall I connect you to a member of staff?" remembers the
offer in the ``pending`` slot, so that the yes which follows opens a hand-off and a no is
answered; before, such a yes was told "there is nothing to confirm".

The offer holds for the next message only: a yes said later, after other questions, answers
whatever was asked last, not an offer long gone.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Context
from careline.catalogue import say

STAFF = "staff"


def _messages(ctx: Context) -> int:
    return sum(1 for event in ctx.tracker.events if event.get("event") == "user")


def staff_offer(ctx: Context, key: str) -> dict[str, Any]:
    """The ``pending`` value of an offer made in answer to the current message."""
    return {"kind": STAFF, "reason": key.rsplit(".", 1)[-1], "after": _messages(ctx)}


def offer_staff(ctx: Context, dispatcher: CollectingDispatcher, key: str, *,
                json_message: dict[str, Any] | None = None, **values: Any) -> list[dict[str, Any]]:
    """Say ``key`` (a text that ends by offering a person) with yes and no buttons, and remember it."""
    from actions.base import confirm_buttons

    dispatcher.utter_message(text=say(key, ctx.lang, **values), buttons=confirm_buttons(ctx.lang),
                             json_message=json_message)
    return [SlotSet("pending", staff_offer(ctx, key))]


def offered_staff(ctx: Context) -> bool:
    """A person was offered in the reply to the previous message."""
    pending = ctx.slot("pending")
    return (isinstance(pending, dict) and pending.get("kind") == STAFF
            and pending.get("after") == _messages(ctx) - 1)


def accept(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """The yes to an offer of a person: the conversation goes to the consultants' queue."""
    from actions.conversation import hand_off
    from knowledge.handoffs import Urgency

    handoff_id = hand_off(ctx, Urgency.REQUESTED, "requested")
    dispatcher.utter_message(text=say("actions.handoff", ctx.lang), json_message={"handoff": handoff_id})
    return [SlotSet("pending", None)]


def decline(ctx: Context, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    dispatcher.utter_message(text=say("actions.staff_declined", ctx.lang))
    return [SlotSet("pending", None)]
