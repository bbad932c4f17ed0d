"""Asking the dialogue engine about a message the hub has claimed, and turning whatever
happens (an answer, "one moment", no engine, a broken turn) into replies and a message state."""

from __future__ import annotations

import asyncio

import structlog

from bot.hub.bot_client import BotLate, BotSilent, BotUnavailable
from bot.hub.context import HubContext
from bot.hub.emergencies import emergency_without_bot, model_emergency
from bot.hub.messages import Reply
from bot.hub.received import ANSWERED, EXPIRED, LATE, UNANSWERED, WAITING, Received
from bot.hub.recording import Recorder
from careline.catalogue import say
from knowledge.handoffs import hub_sender

log = structlog.get_logger("careline.hub")


class EngineTurns:
    def __init__(self, context: HubContext, recorder: Recorder) -> None:
        self.context = context
        self.recorder = recorder

    async def ask(self, received: Received, text: str, again: bool = False, last: bool = False,
                  was: str = WAITING) -> tuple[list[Reply], str]:
        """Ask the engine about a message this hub has claimed; record and deliver what it said.
        ``again``: a follow-up (the replies come later than the message's own exchange), which
        says nothing while the turn still runs and raises BotUnavailable when no engine answers;
        ``last``: its retry window is over, so a turn still running is given up; ``was``: the
        state a follow-up goes back to when no engine answers."""
        try:
            replies = await self.context.bot.send(hub_sender(received.conversation_id), text, received.metadata,
                                                  message_id=f"hub-{received.message_id}", repeat=again)
            state = LATE if replies and all(r.role == "holding" for r in replies) else ANSWERED
        except BotUnavailable as error:
            log.warning("hub.bot_unavailable", conversation=received.conversation_id, error=str(error))
            if again:
                await self.recorder.send(received, [], origin=received.message_id,
                                         state=LATE if was == LATE else WAITING)
                raise
            state, replies = WAITING, [Reply(say("hub.holding", received.language), role="holding")]
            if received.emergency:
                replies = [await asyncio.to_thread(emergency_without_bot, self.context.sessions, received)]
                received.handoff = True
                state = UNANSWERED
        except BotLate as error:
            log.warning("hub.bot_late", conversation=received.conversation_id, error=str(error))
            state, replies = LATE, [Reply(say("hub.holding", received.language), role="holding")]
        except BotSilent as error:
            log.warning("hub.bot_silent", conversation=received.conversation_id, error=str(error))
            state, replies = UNANSWERED, [Reply(say("hub.holding", received.language), role="holding")]
            if again:
                replies = [Reply(say("hub.expired", received.language), role="notice")]
        if again and state == LATE:
            replies = []  # the person heard "one moment" already
            if last:
                state, replies = EXPIRED, [Reply(say("hub.expired", received.language), role="notice")]
        if not received.emergency and any(r.role == "emergency" for r in replies):
            await asyncio.to_thread(model_emergency, self.context.sessions, received)
        if state == LATE:
            log.info("hub.bot_late_turn", conversation=received.conversation_id, message=received.message_id)
        return await self.recorder.send(received, replies, origin=received.message_id, state=state,
                                        later=again), state
