"""The satisfaction question: asked when a consultant resolves a conversation, answered by the
person's next message.

The console's conversation service asks (:func:`ask`, in the resolve's own transaction): the
question goes into the transcript and the person's channel, as buttons 1–5 on a channel that
shows buttons (Telegram), as "answer with a digit" on the others (the terminal, a phone line).
The hub's receiving path hands every message to :func:`take_answer` first: a rating right after
the question reached the person (a button, a digit, a full-width digit, 一 to 五, a keypad key) is
recorded once and thanked; anything else lets the question lapse and goes to the bot as usual. A
message sent before the question reached the person (a same-breath channel takes it with the
next exchange) is not about it and leaves it open.
"""

from __future__ import annotations

import unicodedata

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.hub.lookup import address_of
from bot.hub.messages import Button, Inbound, Kind, Reply
from careline.catalogue import N_, say
from knowledge import outbox
from knowledge.models import Conversation, Handoff, Message, OutboxMessage, Satisfaction, utcnow

ASKED, ANSWERED, LAPSED = "asked", "answered", "lapsed"
#: what a rating button stands for: ``rating:4``
PAYLOAD = "rating:"
#: channels that show a reply's buttons; the others are asked for a digit
BUTTON_CHANNELS = frozenset({"telegram"})
#: channels where the person speaks or presses keys
SPOKEN_CHANNELS = frozenset({"phone"})
SCALE = range(1, 6)
_WORDS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_TRAILING = " \t.。!！分"


def question(channel: str, language: str) -> Reply:
    """The question, worded for what the channel can show."""
    if channel in BUTTON_CHANNELS:
        return Reply(say("hub.satisfaction_buttons", language),
                     tuple(Button(str(n), f"{PAYLOAD}{n}") for n in SCALE), role="satisfaction")
    key = N_("hub.satisfaction_phone") if channel in SPOKEN_CHANNELS else N_("hub.satisfaction_digits")
    return Reply(say(key, language), role="satisfaction")


def rating_of(inbound: Inbound) -> int | None:
    """The rating a message gives, if it is one: a rating button, or a lone 1–5 typed, said or
    pressed (full-width digits and Mandarin numerals too)."""
    if inbound.kind is Kind.CHOICE:
        payload = inbound.payload or ""
        if payload.startswith(PAYLOAD) and payload[len(PAYLOAD):].isascii() and payload[len(PAYLOAD):].isdigit():
            number = int(payload[len(PAYLOAD):])
            return number if number in SCALE else None
        return None
    text = unicodedata.normalize("NFKC", inbound.text).strip().strip(_TRAILING).lower()
    number = int(text) if text.isascii() and text.isdigit() and len(text) == 1 else _WORDS.get(text)
    return number if number in SCALE else None


def is_rating_button(inbound: Inbound) -> bool:
    return inbound.kind is Kind.CHOICE and (inbound.payload or "").startswith(PAYLOAD)


def ask(session: Session, conversation: Conversation, handoff: Handoff, consultant_id: int | None) -> int | None:
    """Ask the person of a conversation just resolved (queued for their channel, once per
    hand-off); the question's transcript message id, or None when there is nowhere to ask."""
    address = address_of(session, conversation)
    if not address:
        return None
    _lapse(session, conversation.id)
    reply = question(conversation.channel, conversation.language)
    message = Message(conversation_id=conversation.id, sender="system", kind="satisfaction", text=reply.text,
                      language=conversation.language,
                      meta={"buttons": [[b.title, b.payload] for b in reply.buttons], "consultant_id": consultant_id})
    session.add(message)
    session.add(Satisfaction(conversation_id=conversation.id, handoff_id=handoff.id, consultant_id=consultant_id,
                             district_id=conversation.district_id, channel=conversation.channel, status=ASKED,
                             asked_at=utcnow()))
    session.flush()
    outbox.enqueue(session, conversation.channel, address, reply.to_body(), dedupe_key=_key(handoff.id),
                   conversation_id=conversation.id)
    return message.id


def take_answer(session: Session, conversation: Conversation, message: Message, inbound: Inbound,
                emergency: bool = False) -> list[Reply] | None:
    """What the hub answers to a message that rates the help (the thanks), or None when the
    message is something else for the bot (an open question then lapses). A rating repeated
    right after the first (a second digit, a button pressed again) is not recorded twice."""
    rating = None if emergency else rating_of(inbound)
    language = conversation.language
    open_question = session.scalar(select(Satisfaction).where(Satisfaction.conversation_id == conversation.id,
                                                              Satisfaction.status == ASKED)
                                   .order_by(Satisfaction.id.desc()).limit(1))
    if open_question is not None and not _reached(session, open_question):
        return None  # the person has not seen the question yet: this message is not about it
    if open_question is not None:
        if rating is None:
            _lapse(session, conversation.id)
            return None
        won = session.execute(update(Satisfaction).where(Satisfaction.id == open_question.id,
                                                         Satisfaction.status == ASKED)
                              .values(status=ANSWERED, rating=rating, answered_at=utcnow(),
                                      answer_message_id=message.id)
                              .execution_options(synchronize_session=False)).rowcount
        message.meta = {**(message.meta or {}), "rating": rating}
        key = N_("hub.satisfaction_thanks") if won else N_("hub.satisfaction_already")
        return [Reply(say(key, language), role="notice")]
    if rating is None:
        return None
    last = session.scalar(select(Satisfaction).where(Satisfaction.conversation_id == conversation.id)
                          .order_by(Satisfaction.id.desc()).limit(1))
    button = is_rating_button(inbound)
    repeated = last is not None and last.status == ANSWERED and \
        (button or last.answer_message_id == _previous(session, message))
    if repeated:
        return [Reply(say("hub.satisfaction_already", language), role="notice")]
    if button:  # a rating button of a question that lapsed: never something for the bot
        return [Reply(say("hub.satisfaction_closed", language), role="notice")]
    return None


def _reached(session: Session, question: Satisfaction) -> bool:
    """Whether the question has left the outbox (a same-breath channel takes it with its next
    exchange or when it polls; the dispatcher pushes it to Telegram)."""
    status = session.scalar(select(OutboxMessage.status).where(OutboxMessage.dedupe_key == _key(question.handoff_id)))
    return status not in (outbox.PENDING, outbox.SENDING)


def _key(handoff_id: int | None) -> str:
    return f"satisfaction:{handoff_id}"


def _previous(session: Session, message: Message) -> int | None:
    """The person's message before this one."""
    return session.scalar(select(Message.id).where(Message.conversation_id == message.conversation_id,
                                                   Message.sender == "user", Message.id < message.id)
                          .order_by(Message.id.desc()).limit(1))


def _lapse(session: Session, conversation_id: int) -> None:
    session.execute(update(Satisfaction).where(Satisfaction.conversation_id == conversation_id,
                                               Satisfaction.status == ASKED).values(status=LAPSED)
                    .execution_options(synchronize_session=False))
