"""The conversation hub: every channel's messages go through here.

For each message the hub keeps the transcript, runs the emergency check before anything else,
and routes: to the dialogue engine while the bot owns the conversation (status ``pending``), to
the consultants' queue once a person does (``open``). Replies go back through the channel the
message came from: returned at once to channels that answer in the same breath (the terminal,
a phone call), through the durable outbox to channels that push (Telegram).

What becomes of a message sent to the engine (``Message.bot_state``):

- ``sending``: a hub is asking the engine now. It claimed the message (``bot_until`` is when
  the claim lapses, should that hub die); every later ask claims it first with a conditional
  UPDATE, so two hubs never ask the engine about one message at once.
- ``waiting``: no engine could be reached. The person heard a holding reply; the message is
  asked again, oldest first, by :meth:`Hub.retry_waiting` or before the conversation's next
  message, until ``retry_window`` has passed (then the person is asked to say it again).
- ``late``: the engine took the message but answered "one moment" (its turn is slow and goes
  on in the background). It is asked again under the same message id, which the engine's REST
  channel (``bot/channels/rest.py``) takes once: the repeat waits for the running turn or reads
  the finished turn's replies from the tracker. So the real answer (a booking's confirmation
  included) follows "one moment", and a turn whose engine died is run again.
- ``answered``, ``unanswered`` (the engine broke down on it), ``expired``, ``held`` (rate
  limited: never sent).

Replies that come later than the message's own exchange (the answer after "one moment", the
answer to a retried message) are recorded in the transcript and queued in the outbox. A pushing
channel gets them from the dispatcher. A channel that answers in the same breath (terminal,
phone) gets them with its next exchange (before that exchange's own replies) or, while it waits
in silence, by polling :meth:`Hub.pending`; the dispatcher never touches them.

A conversation's messages go to the engine one at a time and in order, across every hub sharing
the database: the hub holds the conversation's lock (:mod:`bot.hub.locks`) while it asks.

The work is done by parts with one job each: :mod:`bot.hub.receiving` (the transcript, the
emergency check, where a message goes), :mod:`bot.hub.language` (the conversation's language),
:mod:`bot.hub.engine_turns` (asking the engine), :mod:`bot.hub.promises` (a hand-off behind every
promise of staff), :mod:`bot.hub.recording` (replies into the transcript and the outbox),
:mod:`bot.hub.retries` (messages the engine has not answered yet), :mod:`bot.hub.emergencies`;
this class puts them in order and publishes live events (:mod:`bot.hub.live`) for the
consultants' console.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.hub import live
from bot.hub.bot_client import RasaClient
from bot.hub.context import HubContext
from bot.hub.engine_turns import EngineTurns
from bot.hub.events_bus import EventBus, LocalBus
from bot.hub.locks import ConversationLocks, conversation_locks
from bot.hub.lookup import open_urgency
from bot.hub.messages import Inbound, Reply
from bot.hub.ratelimit import RateLimiter
from bot.hub.received import ANSWERED, EXPIRED, FINAL, HELD, LATE, SENDING, UNANSWERED, WAITING, Received
from bot.hub.receiving import Receiver
from bot.hub.recording import Recorder
from bot.hub.retries import Retries
from knowledge.db import reading, transaction
from knowledge.handoffs import Urgency
from knowledge.models import Conversation

__all__ = ["ANSWERED", "EXPIRED", "FINAL", "HELD", "LATE", "SENDING", "UNANSWERED", "WAITING", "Hub", "Received"]

log = structlog.get_logger("careline.hub")


class Hub:
    def __init__(self, sessions: sessionmaker[Session], bot: RasaClient, *, push_channels: set[str] | None = None,
                 limiter: RateLimiter | None = None, retry_window: float = 600.0, default_language: str = "zh",
                 on_queued: Callable[[], None] | None = None, locks: ConversationLocks | None = None,
                 lock_storage: str = "", claim_lease: float | None = None, follow_ups: int = 8,
                 events: EventBus | None = None) -> None:
        """``claim_lease``: seconds before a dying hub's claim on a message lapses (by default well
        beyond the engine client's timeout); ``lock_storage``: where conversation locks live (see
        :func:`bot.hub.locks.conversation_locks`); ``follow_ups``: conversations asked again at once;
        ``events``: where live events go (:mod:`bot.hub.events_bus`; in the process by default)."""
        if claim_lease is None:
            claim_lease = 2 * (getattr(getattr(bot, "timeout", None), "read", None) or 30.0) + 60.0
        self.context = HubContext(
            sessions=sessions, bot=bot, push_channels=set(push_channels or ()), default_language=default_language,
            retry_window=dt.timedelta(seconds=retry_window), lease=dt.timedelta(seconds=claim_lease),
            locks=locks or conversation_locks(lock_storage, _database_url(sessions), wait=claim_lease),
            on_queued=on_queued or (lambda: None), events=events or LocalBus())
        self.limiter = limiter
        self.receiver = Receiver(self.context)
        self.recorder = Recorder(self.context)
        self.turns = EngineTurns(self.context, self.recorder)
        self.retries = Retries(self.context, self.turns, self.recorder, follow_ups)

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.context.sessions

    @property
    def bot(self) -> RasaClient:
        return self.context.bot

    @property
    def push_channels(self) -> set[str]:
        return self.context.push_channels

    @property
    def events(self) -> EventBus:
        return self.context.events

    @property
    def locks(self) -> ConversationLocks:
        return self.context.locks

    # -- the one entry point -------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Take one message; return the replies for a channel that answers at once (a pushing
        channel gets them through the outbox and may ignore the return value)."""
        key = f"{inbound.channel}:{inbound.conversation}"
        limited = self.limiter is not None and not self.limiter.allow(key)
        received = await asyncio.to_thread(self.receiver.receive, inbound, limited)
        await live.message(self.events, received.conversation_id, received.message_id, "user", received.district_id)
        if received.handoff:  # the emergency check queued it: the consoles see it before anything else happens
            await live.queue(self.events, received.conversation_id, "handoff", received.district_id,
                             urgency=int(Urgency.EMERGENCY))
        if received.held:
            log.info("hub.rate_limited", channel=inbound.channel, conversation=received.conversation_id)
            if self.limiter is not None and not self.limiter.should_tell(key):
                received.replies = []
        if received.emergency:
            log.warning("hub.emergency", channel=inbound.channel, conversation=received.conversation_id,
                        rate_limited=limited)
        if not received.to_bot:
            replies = await self.recorder.send(received, received.replies, origin=received.message_id)
        else:
            async with self.locks.hold(received.conversation_id):
                await self.retries.follow_up(received.conversation_id, before=received.message_id)
                replies, _ = await self.turns.ask(received, received.for_bot)
        await self._queue_changed(received)
        if inbound.channel in self.push_channels:
            return replies
        return await self.recorder.take_queued(received.conversation_id) + replies

    async def _queue_changed(self, received: Received) -> None:
        """A hand-off the engine opened on this message (an emergency was published already)."""
        if not received.to_bot or received.emergency:
            return
        urgency = await asyncio.to_thread(self._handed_off, received.conversation_id)
        if urgency is not None:
            await live.queue(self.events, received.conversation_id, "handoff", received.district_id, urgency=urgency)

    def _handed_off(self, conversation_id: int) -> int | None:
        with reading(self.sessions) as session:
            status = session.scalar(select(Conversation.status).where(Conversation.id == conversation_id))
            return open_urgency(session, conversation_id) if status == "open" else None

    async def pending(self, channel: str, conversation: str) -> list[Reply]:
        """Replies that came after their exchange (the answer that follows "one moment"), for a
        channel that answers in the same breath and polls while the person waits; each is
        handed out once. Empty for a pushing channel (the dispatcher delivers those)."""
        if channel in self.push_channels:
            return []
        conversation_id = await asyncio.to_thread(self._conversation_id, channel, conversation)
        return await self.recorder.take_queued(conversation_id) if conversation_id is not None else []

    def _conversation_id(self, channel: str, conversation: str) -> int | None:
        with reading(self.sessions) as session:
            return session.scalar(select(Conversation.id).where(Conversation.channel == channel,
                                                                Conversation.external_id == conversation))

    async def notify(self, channel: str, address: str, reply: Reply, dedupe_key: str | None = None,
                     conversation_id: int | None = None) -> None:
        """Queue something a channel says on its own (help, link results) behind the replies
        already queued for the same address, so order is kept."""
        await asyncio.to_thread(self.recorder.enqueue, channel, address, reply, dedupe_key, conversation_id)
        self.context.on_queued()

    async def choose_language(self, channel: str, account_id: int, language: str) -> None:
        """The person chose ``language`` on the channel (Telegram's /language button): every
        conversation of their account keeps it, whatever script they type in (bot/hub/language.py);
        the engine hears of it with the next message."""
        await asyncio.to_thread(self._choose_language, channel, account_id, language)

    def _choose_language(self, channel: str, account_id: int, language: str) -> None:
        with transaction(self.sessions) as session:
            session.execute(update(Conversation).where(Conversation.channel == channel,
                                                       Conversation.account_id == account_id)
                            .values(language=language, language_chosen=True, channel_language=language)
                            .execution_options(synchronize_session=False))

    async def retry_waiting(self) -> int:
        """Ask the engine again about the messages it has not answered yet (:mod:`bot.hub.retries`)."""
        return await self.retries.retry_waiting()


def _database_url(sessions: sessionmaker[Session]) -> str:
    bind = sessions.kw.get("bind")
    return bind.url.render_as_string(hide_password=False) if bind is not None else ""
