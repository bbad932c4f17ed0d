"""The hub's replies: written to the transcript and, for a channel that must be pushed to (or
for a reply later than its exchange), queued in the durable outbox in the same transaction.
Replies a same-breath channel missed are handed to it once (:meth:`Recorder.take_queued`)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select, update

from bot.hub import live
from bot.hub.context import HubContext
from bot.hub.lookup import address_of
from bot.hub.messages import Reply
from bot.hub.received import Received
from knowledge import outbox
from knowledge.db import transaction
from knowledge.models import Conversation, Message, OutboxMessage, utcnow


class Recorder:
    def __init__(self, context: HubContext) -> None:
        self.context = context

    async def send(self, received: Received, replies: list[Reply], origin: int,
                   state: str | None = None, later: bool = False, engine_language: str | None = None) -> list[Reply]:
        """Record the replies (and what became of the message they answer) in one transaction,
        and queue them for a pushing channel, or, when they come ``later`` than the message's own
        exchange, for any channel. ``engine_language``: the engine's tracker now has this language
        (a language a reply says the person chose replaces it, and becomes the conversation's)."""
        if replies or state:
            recorded = await asyncio.to_thread(self.record_and_queue, received.conversation_id, replies, origin,
                                               state, later, engine_language)
            for message_id, sender in recorded:
                await live.message(self.context.events, received.conversation_id, message_id, sender,
                                   received.district_id)
        if replies:
            self.context.on_queued()
        return replies

    def record_and_queue(self, conversation_id: int, replies: list[Reply], origin: int,
                         state: str | None = None, later: bool = False,
                         engine_language: str | None = None) -> list[tuple[int, str]]:
        """Returns the recorded messages' ids and senders."""
        recorded: list[Message] = []
        with transaction(self.context.sessions) as session:
            if state is not None:
                session.execute(update(Message).where(Message.id == origin).values(bot_state=state, bot_until=None)
                                .execution_options(synchronize_session=False))
            conversation = session.get(Conversation, conversation_id)
            chosen = next((r.chosen_language for r in replies if r.chosen_language), None)
            if chosen is not None:  # "please speak English": the person's choice, kept (bot/hub/language.py)
                conversation.language, conversation.language_chosen = chosen, True
            if engine_language is not None:
                conversation.engine_language = chosen or engine_language
            push = later or conversation.channel in self.context.push_channels
            address = address_of(session, conversation)
            for index, reply in enumerate(replies):
                sender = "bot" if reply.role in ("answer", "emergency") else "system"
                message = Message(conversation_id=conversation_id, sender=sender, kind=reply.role,
                                  text=reply.text, language=conversation.language,
                                  meta={"buttons": [[b.title, b.payload] for b in reply.buttons]})
                session.add(message)
                recorded.append(message)
                if push and address:
                    outbox.enqueue(session, conversation.channel, address, reply.to_body(),
                                   dedupe_key=f"{reply.role}:{origin}:{index}", conversation_id=conversation_id)
            session.flush()
            return [(m.id, m.sender) for m in recorded]

    async def take_queued(self, conversation_id: int) -> list[Reply]:
        return await asyncio.to_thread(self.take_queued_now, conversation_id)

    def take_queued_now(self, conversation_id: int) -> list[Reply]:
        """The replies queued for a same-breath channel's conversation, each handed out once."""
        taken: list[Reply] = []
        with transaction(self.context.sessions) as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.channel in self.context.push_channels:
                return taken
            rows = session.execute(select(OutboxMessage.id, OutboxMessage.body).where(
                OutboxMessage.conversation_id == conversation_id, OutboxMessage.channel == conversation.channel,
                OutboxMessage.status == outbox.PENDING).order_by(OutboxMessage.id)).all()
            for row_id, body in rows:
                if session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id,
                                                               OutboxMessage.status == outbox.PENDING)
                                   .values(status=outbox.SENT, sent_at=utcnow())
                                   .execution_options(synchronize_session=False)).rowcount:
                    taken.append(Reply.from_body(body))
        return taken

    def enqueue(self, channel: str, address: str, reply: Reply, dedupe_key: str | None,
                conversation_id: int | None) -> None:
        with transaction(self.context.sessions) as session:
            outbox.enqueue(session, channel, address, reply.to_body(), dedupe_key=dedupe_key,
                           conversation_id=conversation_id)
