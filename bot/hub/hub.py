"""The conversation hub: every channel's messages go through here.

For each message the hub keeps the transcript, runs the emergency check before anything else,
and routes: to the dialogue engine while the bot owns the conversation (status ``pending``), to
the consultants' queue once a person does (``open``). Replies go back through the channel the
message came from: returned at once to channels that answer in the same breath (the terminal,
a phone call), through the durable outbox to channels that push (Telegram).

When the engine cannot be reached, the person hears a holding reply; a pushing channel's
message is kept and sent to the engine again once it is back, so the question still gets its
answer (the engine's tracker store keeps the slots across its restart).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.emergency import detect
from bot.hub import texts
from bot.hub.bot_client import BotSilent, BotUnavailable, RasaClient
from bot.hub.messages import Inbound, Kind, Reply
from bot.hub.ratelimit import RateLimiter
from knowledge import events, outbox
from knowledge.db import transaction
from knowledge.handoffs import Urgency, hub_sender, open_handoff
from knowledge.models import ChannelAccount, Conversation, District, Elder, Message, utcnow

log = structlog.get_logger("careline.hub")

WAITING, ANSWERED, UNANSWERED, EXPIRED, HELD = "waiting", "answered", "unanswered", "expired", "held"


@dataclass
class Received:
    conversation_id: int
    message_id: int
    language: str
    to_bot: bool
    emergency: bool
    replies: list[Reply]
    metadata: dict[str, Any] = field(default_factory=dict)
    earlier_waiting: bool = False
    for_bot: str = ""


class Hub:
    def __init__(self, sessions: sessionmaker[Session], bot: RasaClient, *, push_channels: set[str] | None = None,
                 limiter: RateLimiter | None = None, retry_window: float = 600.0, default_language: str = "zh",
                 on_queued: Callable[[], None] | None = None) -> None:
        self.sessions = sessions
        self.bot = bot
        self.push_channels = set(push_channels or ())
        self.limiter = limiter
        self.retry_window = dt.timedelta(seconds=retry_window)
        self.default_language = default_language
        self.on_queued = on_queued or (lambda: None)
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    # -- the one entry point -------------------------------------------------------------------

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Take one message; return the replies for a channel that answers at once (a pushing
        channel gets them through the outbox and may ignore the return value)."""
        key = f"{inbound.channel}:{inbound.conversation}"
        limited = self.limiter is not None and not self.limiter.allow(key)
        received = await asyncio.to_thread(self._receive, inbound, limited)
        if limited and not self.limiter.should_tell(key):
            received.replies = []
        if limited:
            log.info("hub.rate_limited", channel=inbound.channel, conversation=received.conversation_id)
        if received.emergency:
            log.warning("hub.emergency", channel=inbound.channel, conversation=received.conversation_id)
        if not received.to_bot:
            return await self._send(received, received.replies, origin=received.message_id)
        lock = self._lock(received.conversation_id)
        async with lock:
            if received.earlier_waiting and inbound.channel in self.push_channels:
                await self._retry_conversation(received.conversation_id)
            replies = await self._ask(received, received.for_bot, push=inbound.channel in self.push_channels)
        return replies

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

    def _lock(self, conversation_id: int) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

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
            if limited:
                message.bot_state = HELD
                received.replies = [Reply(texts.t("slow_down", language), role="notice")]
                return received
            received.emergency = inbound.kind in (Kind.TEXT, Kind.SPEECH) and detect(inbound.text) is not None
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
            message.bot_state = WAITING
            received.earlier_waiting = session.scalar(
                select(Message.id).where(Message.conversation_id == conversation.id, Message.bot_state == WAITING,
                                         Message.id < message.id).limit(1)) is not None
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

    async def _ask(self, received: Received, text: str, push: bool) -> list[Reply]:
        try:
            replies = await self.bot.send(hub_sender(received.conversation_id), text, received.metadata)
            state = ANSWERED
        except BotUnavailable as error:
            log.warning("hub.bot_unavailable", conversation=received.conversation_id, error=str(error))
            state = WAITING if push else UNANSWERED
            replies = [Reply(texts.t("holding", received.language), role="holding")]
            if received.emergency:
                replies = [await asyncio.to_thread(self._emergency_without_bot, received)]
                state = UNANSWERED
        except BotSilent as error:
            log.warning("hub.bot_silent", conversation=received.conversation_id, error=str(error))
            state = UNANSWERED
            replies = [Reply(texts.t("holding", received.language), role="holding")]
        if not received.emergency and any(r.role == "emergency" for r in replies):
            await asyncio.to_thread(self._model_emergency, received)
        return await self._send(received, replies, origin=received.message_id, state=state)

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
                    state: str | None = None) -> list[Reply]:
        """Record the replies (and what became of the message they answer) in one transaction,
        and queue them for a pushing channel."""
        if replies or state:
            await asyncio.to_thread(self._record_and_queue, received.conversation_id, replies, origin, state)
        if replies:
            self.on_queued()
        return replies

    def _record_and_queue(self, conversation_id: int, replies: list[Reply], origin: int,
                          state: str | None = None) -> None:
        with transaction(self.sessions) as session:
            if state is not None:
                session.execute(update(Message).where(Message.id == origin).values(bot_state=state)
                                .execution_options(synchronize_session=False))
            conversation = session.get(Conversation, conversation_id)
            push = conversation.channel in self.push_channels
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
        """Send kept messages to the engine again, oldest first; stop at the first that still
        cannot get through. Returns how many were answered or given up."""
        conversation_ids = await asyncio.to_thread(self._waiting_conversations)
        done = 0
        for conversation_id in conversation_ids:
            async with self._lock(conversation_id):
                handled, reachable = await self._retry_conversation(conversation_id)
            done += handled
            if not reachable:
                break
        return done

    def _waiting_conversations(self) -> list[int]:
        with self.sessions() as session:
            rows = session.execute(select(Message.conversation_id).where(Message.bot_state == WAITING)
                                   .order_by(Message.id)).scalars().all()
        return list(dict.fromkeys(rows))

    async def _retry_conversation(self, conversation_id: int) -> tuple[int, bool]:
        handled = 0
        for message_id, text, created_at, received in await asyncio.to_thread(self._waiting_of, conversation_id):
            if utcnow() - created_at > self.retry_window:
                await self._send(received, [Reply(texts.t("expired", received.language), role="notice")],
                                 origin=message_id, state=EXPIRED)
                handled += 1
                continue
            try:
                replies = await self.bot.send(hub_sender(conversation_id), text, received.metadata)
            except BotUnavailable:
                return handled, False
            except BotSilent:
                replies = []
            await self._send(received, replies, origin=message_id, state=ANSWERED)
            handled += 1
        return handled, True

    def _waiting_of(self, conversation_id: int) -> list[tuple[int, str, dt.datetime, Received]]:
        with self.sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
            district = self._district(session, conversation, None)
            metadata = {"language": conversation.language, "channel": conversation.channel,
                        **({"elder": elder.key} if elder else {}), **({"district": district.key} if district else {})}
            messages = session.scalars(select(Message).where(Message.conversation_id == conversation_id,
                                                             Message.bot_state == WAITING).order_by(Message.id)).all()
            return [(m.id, _bot_text(m), m.created_at,
                     Received(conversation_id, m.id, conversation.language, True, False, [], metadata))
                    for m in messages]


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
