"""A reply that tells the person staff are coming is only said with a hand-off behind it (a row
in the consultants' queue).

The engine's hand-off and emergency actions open theirs themselves. What the hub backs:

- "The system is busy; I'm connecting you to a member of staff" (``role`` trouble: the engine's
  turn broke down, its action server is unreachable, or the database failed an action): the hub
  opens the hand-off the words promise.
- A message the hub's own rules read as an emergency (whose linked family are told that staff
  know) that the engine answered without its emergency reply (a slow or broken turn, a dialogue
  that went elsewhere): the hub queues the emergency and says what to do, first.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker

from bot.hub.emergencies import emergency_without_bot
from bot.hub.messages import Reply
from bot.hub.received import Received
from knowledge.db import transaction
from knowledge.handoffs import Urgency, open_handoff
from knowledge.models import Conversation, Message

TROUBLE = "trouble"


async def backed(sessions: sessionmaker[Session], received: Received, replies: list[Reply],
                 first: bool) -> list[Reply]:
    """The replies to say, with the hand-offs they promise opened; ``first``: the message's own
    exchange (a follow-up's emergency was answered then)."""
    if received.emergency and first and not any(r.role == "emergency" for r in replies):
        said = await asyncio.to_thread(emergency_without_bot, sessions, received)
        received.handoff = True
        return [said, *(r for r in replies if r.role != TROUBLE)]
    if any(r.role == TROUBLE for r in replies):
        await asyncio.to_thread(_trouble_handoff, sessions, received)
        received.handoff = True
    return replies


def _trouble_handoff(sessions: sessionmaker[Session], received: Received) -> None:
    with transaction(sessions) as session:
        conversation = session.get(Conversation, received.conversation_id)
        message = session.get(Message, received.message_id)
        open_handoff(session, conversation, Urgency.MISUNDERSTOOD, TROUBLE, received.language,
                     (message.text if message else "")[:200])
