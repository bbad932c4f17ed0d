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
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.emergency import detect
from bot.hub import texts
from bot.hub.bot_client import BotLate, BotSilent, BotUnavailable, RasaClient
from bot.hub.locks import ConversationLocks, conversation_locks
from bot.hub.messages import Inbound, Kind, Reply
from bot.hub.ratelimit import RateLimiter
from knowledge import events, outbox
from knowledge.db import transaction
from knowledge.handoffs import Urgency, hub_sender, open_handoff
from knowledge.models import ChannelAccount, Conversation, District, Elder, Message, OutboxMessage, utcnow

log = structlog.get_logger("careline.hub")

SENDING, WAITING, LATE = "sending", "waiting", "late"
ANSWERED, UNANSWERED, EXPIRED, HELD = "answered", "unanswered", "expired", "held"
FINAL = (ANSWERED, UNANSWERED, EXPIRED)


@dataclass
class Received:
    conversation_id: int
    message_id: int
    language: str
    to_bot: bool
    emergency: bool
    replies: list[Reply]
    metadata: dict[str, Any] = field(default_factory=dict)
    held: bool = False
    for_bot: str = ""


class Hub:
    def __init__(self, sessions: sessionmaker[Session], bot: RasaClient, *, push_channels: set[str] | None = None,
                 limiter: RateLimiter | None = None, retry_window: float = 600.0, default_language: str = "zh",
                 on_queued: Callable[[], None] | None = None, locks: ConversationLocks | None = None,
                 lock_storage: str = "", claim_lease: float | None = None, follow_ups: int = 8) -> None:
        """``claim_lease``: seconds before a dying hub's claim on a message lapses (by default well
        beyond the engine client's timeout); ``lock_storage``: where conversation locks live (see
        :func:`bot.hub.locks.conversation_locks`); ``follow_ups``: conversations asked again at once."""
        self.sessions = sessions
        self.bot = bot
        self.push_channels = set(push_channels or ())
        self.limiter = limiter
        self.retry_window = dt.timedelta(seconds=retry_window)
        self.default_language = default_language
        self.on_queued = on_queued or (lambda: None)
        if claim_lease is None:
            claim_lease = 2 * (getattr(getattr(bot, "timeout", None), "read", None) or 30.0) + 60.0
        self.lease = dt.timedelta(seconds=claim_lease)
        self.locks = locks or conversation_locks(lock_storage, _database_url(sessions), wait=claim_lease)
        self._follow_ups = follow_ups

    # -- the one entry point -------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Take one message; return the replies for a channel that answers at once (a pushing
        channel gets them through the outbox and may ignore the return value)."""
        key = f"{inbound.channel}:{inbound.conversation}"
        limited = self.limiter is not None and not self.limiter.allow(key)
        received = await asyncio.to_thread(self._receive, inbound, limited)
        if received.held:
            log.info("hub.rate_limited", channel=inbound.channel, conversation=received.conversation_id)
            if self.limiter is not None and not self.limiter.should_tell(key):
                received.replies = []
        if received.emergency:
            log.warning("hub.emergency", channel=inbound.channel, conversation=received.conversation_id,
                        rate_limited=limited)
        if not received.to_bot:
            replies = await self._send(received, received.replies, origin=received.message_id)
        else:
            async with self.locks.hold(received.conversation_id):
                await self._follow_up(received.conversation_id, before=received.message_id)
                replies, _ = await self._ask(received, received.for_bot)
        if inbound.channel in self.push_channels:
            return replies
        return await self._take_queued(received.conversation_id) + replies

    async def pending(self, channel: str, conversation: str) -> list[Reply]:
        """Replies that came after their exchange (the answer that follows "one moment"), for a
        channel that answers in the same breath and polls while the person waits; each is
        handed out once. Empty for a pushing channel (the dispatcher delivers those)."""
        if channel in self.push_channels:
            return []
        conversation_id = await asyncio.to_thread(self._conversation_id, channel, conversation)
        return await self._take_queued(conversation_id) if conversation_id is not None else []

    def _conversation_id(self, channel: str, conversation: str) -> int | None:
        with self.sessions() as session:
            return session.scalar(select(Conversation.id).where(Conversation.channel == channel,
                                                                Conversation.external_id == conversation))

    async def _take_queued(self, conversation_id: int) -> list[Reply]:
        return await asyncio.to_thread(self._take_queued_now, conversation_id)

    def _take_queued_now(self, conversation_id: int) -> list[Reply]:
        taken: list[Reply] = []
        with transaction(self.sessions) as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or conversation.channel in self.push_channels:
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

    async def notify(self, channel: str, address: str, reply: Reply, dedupe_key: str | None = None,
                     conversation_id: int | None = None) -> None:
        """Queue something a channel says on its own (help, link results) behind the replies
        already queued for the same address, so order is kept."""
        await asyncio.to_thread(self._enqueue, channel, address, reply, dedupe_key, conversation_id)
        self.on_queued()

    def _enqueue(self, channel: str, address: str, reply: Reply, dedupe_key: str | None,
                 conversation_id: int | None) -> None:
        with transaction(self.sessions) as session:
            outbox.enqueue(session, channel, address, reply.to_body(), dedupe_key=dedupe_key,
                           conversation_id=conversation_id)

    # -- receiving -----------------------------------------------------------------------------

    def _conversation(self, session: Session, inbound: Inbound, language: str) -> tuple[Conversation, District | None]:
        """The conversation of a message, created on first use, and the district it is about."""
        conversation = session.scalar(select(Conversation).where(Conversation.channel == inbound.channel,
                                                                 Conversation.external_id == inbound.conversation))
        if conversation is None:
            conversation = Conversation(channel=inbound.channel, external_id=inbound.conversation, language=language,
                                        status="pending", priority=0)
            session.add(conversation)
        if inbound.elder_id is not None:
            conversation.elder_id = inbound.elder_id
        if inbound.account_id is not None:
            conversation.account_id = inbound.account_id
        if inbound.language in ("zh", "en"):
            conversation.language = inbound.language
        if conversation.status == "resolved":
            conversation.status = "pending"
        district = self._district(session, conversation, inbound.district_key)
        if district is not None:
            conversation.district_id = district.id
        session.flush()
        return conversation, district

    @staticmethod
    def _district(session: Session, conversation: Conversation, key: str | None) -> District | None:
        if conversation.elder_id is not None:
            elder = session.get(Elder, conversation.elder_id)
            if elder is not None:
                return session.get(District, elder.district_id)
        if key:
            found = session.scalar(select(District).where(District.key == key))
            if found is not None:
                return found
        if conversation.district_id is not None:
            return session.get(District, conversation.district_id)
        return session.scalars(select(District).order_by(District.key)).first()

    def _receive(self, inbound: Inbound, limited: bool) -> Received:
        language = inbound.language if inbound.language in ("zh", "en") else self.default_language
        with transaction(self.sessions) as session:
            seen = session.scalar(select(Message.conversation_id).where(Message.external_id == inbound.external_id)) \
                if inbound.external_id else None
            if seen is not None:  # handed over again after an error: it was received the first time
                return Received(seen, 0, language, to_bot=False, emergency=False, replies=[])
            conversation, district = self._conversation(session, inbound, language)
            language = conversation.language
            message = Message(conversation_id=conversation.id, sender="user", kind=str(inbound.kind),
                              text=inbound.text, language=language, meta=_meta(inbound),
                              external_id=inbound.external_id)
            session.add(message)
            session.flush()
            received = Received(conversation.id, message.id, language, to_bot=False, emergency=False, replies=[])
            received.emergency = inbound.kind in (Kind.TEXT, Kind.SPEECH) and detect(inbound.text) is not None
            if limited and not received.emergency:  # a cry for help is never held back
                message.bot_state, received.held = HELD, True
                received.replies = [Reply(texts.t("slow_down", language), role="notice")]
                return received
            elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
            if received.emergency and elder is not None:
                events.record(session, elder.id, events.EMERGENCY, source=hub_sender(conversation.id),
                              channel=inbound.channel, data={"text": inbound.text[:200]})
            if conversation.status == "open":
                received.replies = self._for_consultant(session, conversation, message, received.emergency,
                                                        district, language)
                return received
            received.to_bot = True
            received.for_bot = _numbered_choice(session, conversation.id, inbound) or inbound.for_bot()
            if received.for_bot != inbound.text:
                message.meta = {**message.meta, "payload": received.for_bot}
            message.bot_state, message.bot_until = SENDING, utcnow() + self.lease
            received.metadata = {"language": language, "channel": inbound.channel,
                                 "elder": elder.key if elder else None,
                                 "district": district.key if district else None,
                                 **({"volunteer": inbound.meta["volunteer"]} if inbound.meta.get("volunteer") else {})}
            received.metadata = {k: v for k, v in received.metadata.items() if v is not None}
            return received

    def _for_consultant(self, session: Session, conversation: Conversation, message: Message, emergency: bool,
                        district: District | None, language: str) -> list[Reply]:
        """A message in a conversation a person owns waits for them; the sender is told once."""
        if emergency:
            open_handoff(session, conversation, Urgency.EMERGENCY, "emergency", language, message.text[:200])
            return [self._emergency_reply(district, language)]
        told = session.scalar(select(Message.id).where(
            Message.conversation_id == conversation.id, Message.sender == "system", Message.kind == "with_consultant",
            Message.id > _last_bot_message(session, conversation.id)).limit(1))
        return [] if told is not None else [Reply(texts.t("with_consultant", language), role="with_consultant")]

    @staticmethod
    def _emergency_reply(district: District | None, language: str) -> Reply:
        number = district.emergency_number if district else "120"
        advice = (district.emergency_advice or {}).get(language, "") if district else ""
        advice = f"{advice} " if advice and language == "en" else advice
        return Reply(texts.t("emergency_now", language, number=number, advice=advice), role="emergency")

    # -- the engine ----------------------------------------------------------------------------

    async def _ask(self, received: Received, text: str, again: bool = False, last: bool = False,
                   was: str = WAITING) -> tuple[list[Reply], str]:
        """Ask the engine about a message this hub has claimed; record and deliver what it said.
        ``again``: a follow-up (the replies come later than the message's own exchange), which
        says nothing while the turn still runs and raises BotUnavailable when no engine answers;
        ``last``: its retry window is over, so a turn still running is given up; ``was``: the
        state a follow-up goes back to when no engine answers."""
        try:
            replies = await self.bot.send(hub_sender(received.conversation_id), text, received.metadata,
                                          message_id=f"hub-{received.message_id}", repeat=again)
            state = LATE if replies and all(r.role == "holding" for r in replies) else ANSWERED
        except BotUnavailable as error:
            log.warning("hub.bot_unavailable", conversation=received.conversation_id, error=str(error))
            if again:
                await self._send(received, [], origin=received.message_id, state=LATE if was == LATE else WAITING)
                raise
            state, replies = WAITING, [Reply(texts.t("holding", received.language), role="holding")]
            if received.emergency:
                replies = [await asyncio.to_thread(self._emergency_without_bot, received)]
                state = UNANSWERED
        except BotLate as error:
            log.warning("hub.bot_late", conversation=received.conversation_id, error=str(error))
            state, replies = LATE, [Reply(texts.t("holding", received.language), role="holding")]
        except BotSilent as error:
            log.warning("hub.bot_silent", conversation=received.conversation_id, error=str(error))
            state, replies = UNANSWERED, [Reply(texts.t("holding", received.language), role="holding")]
            if again:
                replies = [Reply(texts.t("expired", received.language), role="notice")]
        if again and state == LATE:
            replies = []  # the person heard "one moment" already
            if last:
                state, replies = EXPIRED, [Reply(texts.t("expired", received.language), role="notice")]
        if not received.emergency and any(r.role == "emergency" for r in replies):
            await asyncio.to_thread(self._model_emergency, received)
        if state == LATE:
            log.info("hub.bot_late_turn", conversation=received.conversation_id, message=received.message_id)
        return await self._send(received, replies, origin=received.message_id, state=state, later=again), state

    def _model_emergency(self, received: Received) -> None:
        """The engine's model saw an emergency the rules did not: family members hear of it too."""
        with transaction(self.sessions) as session:
            conversation = session.get(Conversation, received.conversation_id)
            message = session.get(Message, received.message_id)
            if conversation.elder_id is not None:
                events.record(session, conversation.elder_id, events.EMERGENCY, source=hub_sender(conversation.id),
                              channel=conversation.channel, data={"text": message.text[:200]})

    def _emergency_without_bot(self, received: Received) -> Reply:
        with transaction(self.sessions) as session:
            conversation = session.get(Conversation, received.conversation_id)
            message = session.get(Message, received.message_id)
            open_handoff(session, conversation, Urgency.EMERGENCY, "emergency", received.language, message.text[:200])
            district = self._district(session, conversation, None)
            return self._emergency_reply(district, received.language)

    async def _send(self, received: Received, replies: list[Reply], origin: int,
                    state: str | None = None, later: bool = False) -> list[Reply]:
        """Record the replies (and what became of the message they answer) in one transaction,
        and queue them for a pushing channel, or, when they come ``later`` than the message's own
        exchange, for any channel."""
        if replies or state:
            await asyncio.to_thread(self._record_and_queue, received.conversation_id, replies, origin, state, later)
        if replies:
            self.on_queued()
        return replies

    def _record_and_queue(self, conversation_id: int, replies: list[Reply], origin: int,
                          state: str | None = None, later: bool = False) -> None:
        with transaction(self.sessions) as session:
            if state is not None:
                session.execute(update(Message).where(Message.id == origin).values(bot_state=state, bot_until=None)
                                .execution_options(synchronize_session=False))
            conversation = session.get(Conversation, conversation_id)
            push = later or conversation.channel in self.push_channels
            address = _address_of(session, conversation)
            for index, reply in enumerate(replies):
                sender = "bot" if reply.role in ("answer", "emergency") else "system"
                session.add(Message(conversation_id=conversation_id, sender=sender, kind=reply.role,
                                    text=reply.text, language=conversation.language,
                                    meta={"buttons": [[b.title, b.payload] for b in reply.buttons]}))
                if push and address:
                    outbox.enqueue(session, conversation.channel, address, reply.to_body(),
                                   dedupe_key=f"{reply.role}:{origin}:{index}", conversation_id=conversation_id)

    # -- retrying what reached no engine -------------------------------------------------------

    async def retry_waiting(self) -> int:
        """Ask the engine again about the messages it has not answered yet: those that reached
        no engine (oldest first; a conversation stops at the first that still cannot get
        through) and those whose answer is late. Several conversations are followed up at once.
        Returns how many messages were answered or given up."""
        conversation_ids = await asyncio.to_thread(self._due_conversations)
        gate = asyncio.Semaphore(self._follow_ups)

        async def one(conversation_id: int) -> int:
            async with gate, self.locks.hold(conversation_id):
                return (await self._follow_up(conversation_id))[0]

        return sum(await asyncio.gather(*(one(c) for c in conversation_ids)))

    def _due(self, now: dt.datetime) -> Any:
        """Messages to ask the engine about again: unanswered ones, and claims of dead hubs."""
        return or_(Message.bot_state.in_((WAITING, LATE)),
                   and_(Message.bot_state == SENDING, Message.bot_until < now))

    def _due_conversations(self) -> list[int]:
        with self.sessions() as session:
            rows = session.execute(select(Message.conversation_id).where(self._due(utcnow()))
                                   .order_by(Message.id)).scalars().all()
        return list(dict.fromkeys(rows))

    def _claim(self, message_id: int) -> bool:
        """Take a message to ask the engine about; False when another hub has it or it is done."""
        now = utcnow()
        with transaction(self.sessions) as session:
            return session.execute(update(Message).where(Message.id == message_id, self._due(now))
                                   .values(bot_state=SENDING, bot_until=now + self.lease)
                                   .execution_options(synchronize_session=False)).rowcount == 1

    async def _follow_up(self, conversation_id: int, before: int | None = None) -> tuple[int, bool]:
        """Ask again, in order, about the conversation's due messages (those before ``before``).
        Returns how many were answered or given up, and whether an engine could be reached."""
        handled = 0
        for message_id, text, created_at, was, received in await asyncio.to_thread(self._waiting_of,
                                                                                     conversation_id, before):
            if not await asyncio.to_thread(self._claim, message_id):
                continue
            expired = utcnow() - created_at > self.retry_window
            if expired and was == WAITING:  # it never reached the engine, and the person has moved on
                await self._send(received, [Reply(texts.t("expired", received.language), role="notice")],
                                 origin=message_id, state=EXPIRED, later=True)
                handled += 1
                continue
            try:
                _, state = await self._ask(received, text, again=True, last=expired, was=was)
            except BotUnavailable:
                return handled, False
            handled += state in FINAL
        return handled, True

    def _waiting_of(self, conversation_id: int,
                    before: int | None = None) -> list[tuple[int, str, dt.datetime, str, Received]]:
        with self.sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
            district = self._district(session, conversation, None)
            metadata = {"language": conversation.language, "channel": conversation.channel,
                        **({"elder": elder.key} if elder else {}), **({"district": district.key} if district else {})}
            query = select(Message).where(Message.conversation_id == conversation_id, self._due(utcnow()))
            if before is not None:
                query = query.where(Message.id < before)
            messages = session.scalars(query.order_by(Message.id)).all()
            return [(m.id, _bot_text(m), m.created_at, m.bot_state or WAITING,
                     Received(conversation_id, m.id, conversation.language, True, False, [], metadata))
                    for m in messages]


def _database_url(sessions: sessionmaker[Session]) -> str:
    bind = sessions.kw.get("bind")
    return bind.url.render_as_string(hide_password=False) if bind is not None else ""


def _meta(inbound: Inbound) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if inbound.payload:
        meta["payload"] = inbound.payload
    if inbound.confidence is not None:
        meta["confidence"] = round(inbound.confidence, 3)
    return meta


def _numbered_choice(session: Session, conversation_id: int, inbound: Inbound) -> str | None:
    """A bare number typed or said after a reply that offered numbered choices picks that choice."""
    text = inbound.text.strip().rstrip(".。")
    if inbound.kind not in (Kind.TEXT, Kind.SPEECH) or not text.isdigit() or len(text) > 2:
        return None
    last = session.scalar(select(Message).where(Message.conversation_id == conversation_id, Message.sender == "bot")
                          .order_by(Message.id.desc()).limit(1))
    buttons = (last.meta or {}).get("buttons") if last is not None else None
    if buttons and 1 <= int(text) <= len(buttons):
        return str(buttons[int(text) - 1][1])
    return None


def _bot_text(message: Message) -> str:
    return Inbound(channel="", conversation="", address="", text=message.text, kind=Kind(message.kind),
                   payload=(message.meta or {}).get("payload")).for_bot()


def _last_bot_message(session: Session, conversation_id: int) -> int:
    return session.scalar(select(Message.id).where(Message.conversation_id == conversation_id,
                                                   Message.sender == "bot").order_by(Message.id.desc()).limit(1)) or 0


def _address_of(session: Session, conversation: Conversation) -> str | None:
    """Where a pushing channel delivers: the account's chat, else the conversation's own id."""
    if conversation.account_id is not None:
        account = session.get(ChannelAccount, conversation.account_id)
        if account is not None:
            return account.address
    return conversation.external_id
