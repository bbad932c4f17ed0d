"""The hub's live events, published where it records messages and hand-offs. Publishing never
stops a message: a bus that fails is logged and the message goes on."""

from __future__ import annotations

from typing import Any

import structlog

from bot.hub.events_bus import MESSAGE, QUEUE, EventBus, LiveEvent

log = structlog.get_logger("careline.hub.events")


async def publish(bus: EventBus, event: LiveEvent) -> None:
    try:
        await bus.publish(event)
    except Exception as error:  # a console missing an event must not cost a person their answer
        log.warning("hub.event_not_published", kind=event.kind, conversation=event.conversation_id,
                    error=type(error).__name__)


async def message(bus: EventBus, conversation_id: int, message_id: int, sender: str,
                  district_id: int | None = None) -> None:
    """A new message in a conversation: ``user`` (the person), ``bot``, ``system``, ``consultant``
    or ``note``. ``district_id``: the conversation's, when known (consoles then check access
    without the database)."""
    await publish(bus, LiveEvent(MESSAGE, conversation_id, {"message_id": message_id, "sender": sender},
                                 district_id))


async def queue(bus: EventBus, conversation_id: int, change: str, district_id: int | None = None,
                **facts: Any) -> None:
    """The consultants' queue changed: ``handoff`` (opened or raised; with ``urgency``),
    ``claimed``, ``handed_back``, ``resolved``, ``transferred``, ``call_ended`` (a phone call's
    caller is gone; with what became of its ``handoff``)."""
    await publish(bus, LiveEvent(QUEUE, conversation_id, {"change": change, **facts}, district_id))
