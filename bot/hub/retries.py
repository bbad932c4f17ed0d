"""Asking the engine again about messages it has not answered: those that reached no engine
(``waiting``), those whose answer is ``late``, and those a dead hub had claimed. Each is claimed
with a conditional UPDATE first, so two hubs never ask about one message at once."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import and_, or_, select, update

from bot.hub.bot_client import BotUnavailable
from bot.hub.context import HubContext
from bot.hub.engine_turns import EngineTurns
from bot.hub.lookup import district_of
from bot.hub.messages import Inbound, Kind, Reply
from bot.hub.received import EXPIRED, FINAL, LATE, SENDING, WAITING, Received
from bot.hub.recording import Recorder
from careline.catalogue import say
from knowledge.db import reading, transaction
from knowledge.models import Conversation, Elder, Message, utcnow


class Retries:
    def __init__(self, context: HubContext, turns: EngineTurns, recorder: Recorder, follow_ups: int = 8) -> None:
        self.context = context
        self.turns = turns
        self.recorder = recorder
        self.follow_ups = follow_ups

    async def retry_waiting(self) -> int:
        """Ask the engine again about the messages it has not answered yet: those that reached
        no engine (oldest first; a conversation stops at the first that still cannot get
        through) and those whose answer is late. Several conversations are followed up at once.
        Returns how many messages were answered or given up."""
        conversation_ids = await asyncio.to_thread(self._due_conversations)
        gate = asyncio.Semaphore(self.follow_ups)

        async def one(conversation_id: int) -> int:
            async with gate, self.context.locks.hold(conversation_id):
                return (await self.follow_up(conversation_id))[0]

        return sum(await asyncio.gather(*(one(c) for c in conversation_ids)))

    async def follow_up(self, conversation_id: int, before: int | None = None) -> tuple[int, bool]:
        """Ask again, in order, about the conversation's due messages (those before ``before``);
        the caller holds the conversation's lock. Returns how many were answered or given up,
        and whether an engine could be reached."""
        handled = 0
        for message_id, text, created_at, was, received in await asyncio.to_thread(self._waiting_of,
                                                                                     conversation_id, before):
            if not await asyncio.to_thread(self._claim, message_id):
                continue
            expired = utcnow() - created_at > self.context.retry_window
            if expired and was == WAITING:  # it never reached the engine, and the person has moved on
                await self.recorder.send(received, [Reply(say("hub.expired", received.language), role="notice")],
                                         origin=message_id, state=EXPIRED, later=True)
                handled += 1
                continue
            try:
                _, state = await self.turns.ask(received, text, again=True, last=expired, was=was)
            except BotUnavailable:
                return handled, False
            handled += state in FINAL
        return handled, True

    @staticmethod
    def _due(now: dt.datetime) -> Any:
        """Messages to ask the engine about again: unanswered ones, and claims of dead hubs."""
        return or_(Message.bot_state.in_((WAITING, LATE)),
                   and_(Message.bot_state == SENDING, Message.bot_until < now))

    def _due_conversations(self) -> list[int]:
        with reading(self.context.sessions) as session:
            rows = session.execute(select(Message.conversation_id).where(self._due(utcnow()))
                                   .order_by(Message.id)).scalars().all()
        return list(dict.fromkeys(rows))

    def _claim(self, message_id: int) -> bool:
        """Take a message to ask the engine about; False when another hub has it or it is done."""
        now = utcnow()
        with transaction(self.context.sessions) as session:
            return session.execute(update(Message).where(Message.id == message_id, self._due(now))
                                   .values(bot_state=SENDING, bot_until=now + self.context.lease)
                                   .execution_options(synchronize_session=False)).rowcount == 1

    def _waiting_of(self, conversation_id: int,
                    before: int | None = None) -> list[tuple[int, str, dt.datetime, str, Received]]:
        with reading(self.context.sessions) as session:
            conversation = session.get(Conversation, conversation_id)
            elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
            district = district_of(session, conversation, None)
            metadata = {"channel": conversation.channel,
                        **({"elder": elder.key} if elder else {}), **({"district": district.key} if district else {})}
            query = select(Message).where(Message.conversation_id == conversation_id, self._due(utcnow()))
            if before is not None:
                query = query.where(Message.id < before)
            messages = session.scalars(query.order_by(Message.id)).all()
            # each in the language the hub decided for it when it came (bot/hub/language.py)
            said = [(m, m.language or conversation.language) for m in messages]
            return [(m.id, _bot_text(m), m.created_at, m.bot_state or WAITING,
                     Received(conversation_id, m.id, language, True, False, [], {"language": language, **metadata},
                              district_id=conversation.district_id))
                    for m, language in said]


def _bot_text(message: Message) -> str:
    return Inbound(channel="", conversation="", address="", text=message.text, kind=Kind(message.kind),
                   payload=(message.meta or {}).get("payload")).for_bot()
