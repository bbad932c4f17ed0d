"""Asking the dialogue engine about a message the hub has claimed, and turning whatever
happens (an answer, "one moment", no engine, a broken turn) into replies and a message state.

Before a turn, the engine's tracker is told the conversation's language when it changed since
the engine last heard it (:mod:`bot.hub.language` decides it), so that Rasa's own responses
("Sorry, I didn't understand") follow it as the actions do. After it, a language the person
chose in the conversation ("please speak English") is kept, and what the replies promise is
backed (:mod:`bot.hub.promises`)."""

from __future__ import annotations

import asyncio
import time

import structlog
from sqlalchemy import select

from bot.hub import live
from bot.hub.bot_client import BotLate, BotSilent, BotUnavailable
from bot.hub.context import HubContext
from bot.hub.emergencies import emergency_without_bot, model_emergency
from bot.hub.messages import Reply
from bot.hub.promises import backed
from bot.hub.received import ANSWERED, EXPIRED, LATE, UNANSWERED, WAITING, Received
from bot.hub.recording import Recorder
from careline.catalogue import say
from knowledge.handoffs import hub_sender
from knowledge.models import Conversation

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
            await self._tell_language(received)
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
        handed_off = received.handoff
        replies = await backed(self.context.sessions, received, replies, first=not again)
        if again and received.handoff and not handed_off:  # the hub's own exchange publishes it otherwise
            await live.queue(self.context.events, received.conversation_id, "handoff")
        if state == LATE:
            log.info("hub.bot_late_turn", conversation=received.conversation_id, message=received.message_id)
        heard = state in (ANSWERED, LATE)  # the engine has the message, so its tracker has the language
        return await self.recorder.send(received, replies, origin=received.message_id, state=state, later=again,
                                        engine_language=received.language if heard else None), state

    async def _tell_language(self, received: Received) -> None:
        """Set the engine's ``language`` slot when the conversation's language is not the one its
        tracker was last given. A conversation the engine has never heard of is left alone: its
        first message starts the tracker's session with the language in its metadata."""
        told = await asyncio.to_thread(self._engine_language, received.conversation_id)
        if told is None or told == received.language:
            return
        event = {"event": "slot", "name": "language", "value": received.language, "timestamp": time.time()}
        try:
            await self.context.bot.append_events(hub_sender(received.conversation_id), [event])
        except BotSilent as error:  # the actions still follow the metadata; Rasa's own responses may not
            log.warning("hub.language_not_told", conversation=received.conversation_id, error=str(error))

    def _engine_language(self, conversation_id: int) -> str | None:
        with self.context.sessions() as session:
            return session.scalar(select(Conversation.engine_language).where(Conversation.id == conversation_id))
