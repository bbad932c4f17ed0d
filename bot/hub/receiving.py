"""Receiving a message: its conversation (created on first use) and its language
(:mod:`bot.hub.language`), the transcript, the emergency check before anything else, the rate
limit's verdict, and where it goes next: an empty message is answered with a gentle prompt and
goes nowhere; a rating of the help just given (:mod:`bot.hub.satisfaction`) is recorded and
thanked; otherwise to the engine while the bot owns the conversation (``pending``; a ``resolved``
one goes back to it), to the consultants once a person does (``open``). An emergency goes to the
top of the consultants' queue in the same transaction as the message, whoever owns the
conversation: the consoles hear of it before the engine is asked (the engine still answers it,
and its emergency action finds the hand-off open)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.emergency import detect
from bot.hub import satisfaction
from bot.hub.context import HubContext
from bot.hub.emergencies import alert_family, queue_emergency
from bot.hub.language import LANGUAGES, LanguageState, decide
from bot.hub.lookup import district_of, last_bot_message
from bot.hub.messages import Inbound, Kind, Reply
from bot.hub.received import HELD, SENDING, Received
from careline.catalogue import say
from knowledge.db import transaction
from knowledge.models import Conversation, District, Elder, Message, utcnow


class Receiver:
    def __init__(self, context: HubContext) -> None:
        self.context = context

    def receive(self, inbound: Inbound, limited: bool) -> Received:
        """Record the message (one transaction) and decide where it goes; ``limited``: the
        sender is over the rate limit, so it is held unless it is a cry for help."""
        language = inbound.language if inbound.language in LANGUAGES else self.context.default_language
        with transaction(self.context.sessions) as session:
            seen = session.scalar(select(Message.conversation_id).where(Message.external_id == inbound.external_id)) \
                if inbound.external_id else None
            if seen is not None:  # handed over again after an error: it was received the first time
                return Received(seen, 0, language, to_bot=False, emergency=False, replies=[])
            conversation, district = _conversation(session, inbound, language)
            language = _decide_language(conversation, inbound)
            message = Message(conversation_id=conversation.id, sender="user", kind=str(inbound.kind),
                              text=inbound.text, language=language, meta=_meta(inbound),
                              external_id=inbound.external_id)
            session.add(message)
            session.flush()
            received = Received(conversation.id, message.id, language, to_bot=False, emergency=False, replies=[],
                                district_id=conversation.district_id)
            received.emergency = inbound.kind in (Kind.TEXT, Kind.SPEECH) and detect(inbound.text) is not None
            if limited and not received.emergency:  # a cry for help is never held back
                message.bot_state, received.held = HELD, True
                received.replies = [Reply(say("hub.slow_down", language), role="notice")]
                return received
            if not inbound.for_bot().strip():  # nothing said: not a turn for anyone, and no failed one
                received.replies = [Reply(say("hub.listening", language), role="notice")]
                return received
            thanks = satisfaction.take_answer(session, conversation, message, inbound, received.emergency)
            if thanks is not None:  # a rating of the help just given: the conversation stays as it is
                received.replies = thanks
                return received
            if conversation.status == "resolved":  # the person is back: the bot answers
                conversation.status = "pending"
            elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
            if received.emergency and elder is not None:
                alert_family(session, conversation, inbound.text)
            if conversation.status == "open":
                received.replies = _for_consultant(session, conversation, message, received.emergency,
                                                   district, language)
                received.handoff = received.emergency
                return received
            if received.emergency:
                queue_emergency(session, conversation, message, district, language)
                received.handoff = True
            received.to_bot = True
            received.for_bot = _numbered_choice(session, conversation.id, inbound) or inbound.for_bot()
            if received.for_bot != inbound.text:
                message.meta = {**message.meta, "payload": received.for_bot}
            message.bot_state, message.bot_until = SENDING, utcnow() + self.context.lease
            received.metadata = {"language": language, "channel": inbound.channel,
                                 "elder": elder.key if elder else None,
                                 "district": district.key if district else None,
                                 **({"volunteer": inbound.meta["volunteer"]} if inbound.meta.get("volunteer") else {})}
            received.metadata = {k: v for k, v in received.metadata.items() if v is not None}
            return received


def _conversation(session: Session, inbound: Inbound, language: str) -> tuple[Conversation, District | None]:
    """The conversation of a message, created on first use, and the district it is about."""
    conversation = session.scalar(select(Conversation).where(Conversation.channel == inbound.channel,
                                                             Conversation.external_id == inbound.conversation))
    if conversation is None:
        conversation = Conversation(channel=inbound.channel, external_id=inbound.conversation, language=language,
                                    channel_language=inbound.language if inbound.language in LANGUAGES else None,
                                    language_chosen=inbound.language_chosen and inbound.language in LANGUAGES,
                                    status="pending", priority=0)
        session.add(conversation)
    if inbound.elder_id is not None:
        conversation.elder_id = inbound.elder_id
    if inbound.account_id is not None:
        conversation.account_id = inbound.account_id
    district = district_of(session, conversation, inbound.district_key)
    if district is not None:
        conversation.district_id = district.id
    session.flush()
    return conversation, district


def _decide_language(conversation: Conversation, inbound: Inbound) -> str:
    """The conversation's language from this message on (:func:`bot.hub.language.decide`)."""
    state = decide(LanguageState(conversation.language, bool(conversation.language_chosen),
                                 conversation.channel_language), inbound.language, inbound.text, inbound.kind)
    conversation.language, conversation.language_chosen = state.current, state.chosen
    conversation.channel_language = state.channel
    return state.current


def _for_consultant(session: Session, conversation: Conversation, message: Message, emergency: bool,
                    district: District | None, language: str) -> list[Reply]:
    """A message in a conversation a person owns waits for them; the sender is told once."""
    if emergency:
        return [queue_emergency(session, conversation, message, district, language)]
    told = session.scalar(select(Message.id).where(
        Message.conversation_id == conversation.id, Message.sender == "system", Message.kind == "with_consultant",
        Message.id > last_bot_message(session, conversation.id)).limit(1))
    return [] if told is not None else [Reply(say("hub.with_consultant", language), role="with_consultant")]


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
