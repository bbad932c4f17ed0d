"""What a consultant does to a conversation: claim it, say something to the person, write a
private note, hand it back to the bot, resolve it, transfer it to a colleague.

Each action is one transaction that checks the actor may act (their districts; only the
consultant holding a conversation speaks in it, hands it back or resolves it), does the work,
and writes its audit record; then the live events go out (:mod:`bot.hub.live`). Claiming is
a conditional UPDATE of the waiting hand-off, so of two consultants pressing claim at once
exactly one wins, on SQLite and on PostgreSQL alike; the other is told who has it.

A consultant's reply reaches the person through their channel: queued in the durable outbox,
pushed by the dispatcher on Telegram, handed to a same-breath channel (the terminal, a phone
line) with its next exchange or when it polls (``Hub.pending``).

The HTTP layer (sessions, CSRF) comes with the accounts work; it calls these methods with the
:class:`~knowledge.actors.Actor` of the logged-in consultant and shows a :class:`Refused`'s
``say(lang)`` (its ``status`` is the HTTP status to answer with).
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.console import views
from bot.hub import live, satisfaction
from bot.hub.bot_client import BotSilent, BotUnavailable
from bot.hub.hub import Hub
from bot.hub.lookup import address_of
from bot.hub.messages import Reply
from careline.catalogue import N_, say
from knowledge import outbox
from knowledge.actors import Actor
from knowledge.audit import audit
from knowledge.db import reading, transaction
from knowledge.handoffs import HANDED_BACK, OUTCOMES, RESOLVED, TAKEN, WAITING, hub_sender
from knowledge.models import Consultant, Conversation, Handoff, Message, utcnow
from knowledge.phones import display_phone

log = structlog.get_logger("careline.console")

MAX_TEXT = 2000
#: outcomes after which the person is not asked how well they were helped (nobody answered)
NOT_ASKED = frozenset({"no_reply"})

#: what each refusal says, by its code
REFUSALS = {"not_found": N_("console.not_found"), "taken": N_("console.taken"),
            "nothing_to_claim": N_("console.nothing_to_claim"), "not_yours": N_("console.not_yours"),
            "empty_text": N_("console.empty_text"), "text_too_long": N_("console.text_too_long"),
            "bad_outcome": N_("console.bad_outcome"), "unknown_consultant": N_("console.unknown_consultant"),
            "no_elder": N_("console.no_elder"), "bad_choice": N_("console.bad_choice"),
            "choice_not_found": N_("console.choice_not_found"), "booking_not_found": N_("console.booking_not_found"),
            "policy_not_found": N_("console.policy_not_found"), "reply_not_found": N_("console.reply_not_found"),
            "reply_district_refused": N_("console.reply_district_refused"),
            "reply_language_refused": N_("console.reply_language_refused"), "reply_empty": N_("console.reply_empty"),
            "reply_too_long": N_("console.reply_too_long"), "reply_bundle_fixed": N_("console.reply_bundle_fixed"),
            "refused_full": N_("console.refused_full"), "refused_past": N_("console.refused_past"),
            "refused_already_booked": N_("console.refused_already_booked"),
            "refused_not_served": N_("console.refused_not_served"), "refused_too_late": N_("console.refused_too_late"),
            "refused_no_delivery": N_("console.refused_no_delivery"),
            "refused_unavailable_time": N_("console.refused_unavailable_time"),
            "refused_already_cancelled": N_("console.refused_already_cancelled"),
            "refused_inactive": N_("console.refused_inactive"), "refused_other": N_("console.refused_other"),
            "call_ended": N_("console.refused_call_ended"),
            "call_ended_no_number": N_("console.refused_call_ended_no_number")}


class Refused(Exception):
    """An action the console does not do; ``status`` is the HTTP status it stands for."""

    def __init__(self, code: str, status: int, **values: Any) -> None:
        super().__init__(code)
        self.code, self.status, self.values = code, status, values

    def say(self, lang: str) -> str:
        return say(REFUSALS[self.code], lang, **self.values)


class Taken(Refused):
    """Another consultant holds the conversation."""

    def __init__(self, consultant_id: int | None, name: str) -> None:
        super().__init__("taken", 409, name=name)
        self.consultant_id = consultant_id


@dataclass(frozen=True)
class Claimed:
    conversation_id: int
    consultant_id: int
    already: bool
    """The actor held it already (pressing claim twice is not an error)."""
    district_id: int | None = None


@dataclass(frozen=True)
class Written:
    """A transcript message an action wrote, and the conversation's district (which tells the
    consoles' live streams who may see the event)."""

    message_id: int
    district_id: int | None


class ConsoleService:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.context = hub.context

    # -- the actions ---------------------------------------------------------------------------

    async def claim(self, conversation_id: int, actor: Actor) -> Claimed:
        claimed = await asyncio.to_thread(self._claim, conversation_id, actor)
        if not claimed.already:
            await live.queue(self.context.events, conversation_id, "claimed", claimed.district_id,
                             consultant_id=actor.consultant_id)
        return claimed

    async def say(self, conversation_id: int, actor: Actor, text: str) -> int:
        """Send the person ``text`` through their channel; returns the transcript message's id."""
        written = await asyncio.to_thread(self._say, conversation_id, actor, _clean(text))
        self.context.on_queued()
        return await self.said(conversation_id, written, "consultant")

    async def note(self, conversation_id: int, actor: Actor, text: str) -> int:
        """A private note in the transcript, for colleagues; never sent to the person."""
        written = await asyncio.to_thread(self._note, conversation_id, actor, _clean(text))
        return await self.said(conversation_id, written, "note")

    async def hand_back(self, conversation_id: int, actor: Actor) -> None:
        """The bot takes the same conversation up again, with the slots its tracker kept: the
        conversation goes back to ``pending`` (so the person's next message goes to the engine),
        the person is told, and a ``resume`` (Rasa's ConversationResumed) is appended to the
        tracker. The hand-off actions do not pause the tracker (the hub keeps messages away from
        the engine while a person owns the conversation), so an engine that cannot be reached
        now does not hold the hand-back up: it is logged."""
        written = await asyncio.to_thread(self._hand_back, conversation_id, actor)
        self.context.on_queued()
        try:
            await self.context.bot.append_events(hub_sender(conversation_id),
                                                 [{"event": "resume", "timestamp": time.time()}])
        except (BotUnavailable, BotSilent) as error:
            log.warning("console.resume_not_appended", conversation=conversation_id, error=str(error))
        await self.said(conversation_id, written, "system")
        await live.queue(self.context.events, conversation_id, "handed_back", written.district_id,
                         consultant_id=actor.consultant_id)

    async def resolve(self, conversation_id: int, actor: Actor, outcome: str) -> None:
        """Close the conversation with an outcome (:data:`knowledge.handoffs.OUTCOMES`) and ask
        the person to rate the help (:mod:`bot.hub.satisfaction`; not after ``no_reply``); their
        next message is the rating, or goes to the bot."""
        if outcome not in OUTCOMES:
            raise Refused("bad_outcome", 422, outcomes=", ".join(OUTCOMES))
        asked, district_id = await asyncio.to_thread(self._resolve, conversation_id, actor, outcome)
        if asked is not None:
            self.context.on_queued()
            await self.said(conversation_id, Written(asked, district_id), "system")
        await live.queue(self.context.events, conversation_id, "resolved", district_id,
                         consultant_id=actor.consultant_id, outcome=outcome)

    async def transfer(self, conversation_id: int, actor: Actor, to_consultant_id: int) -> None:
        """Give a conversation the actor holds (an administrator: anyone's) to a consultant of
        its district."""
        district_id = await asyncio.to_thread(self._transfer, conversation_id, actor, to_consultant_id)
        await live.queue(self.context.events, conversation_id, "transferred", district_id,
                         consultant_id=to_consultant_id)

    async def said(self, conversation_id: int, written: Written, sender: str) -> int:
        """Tell the open consoles of a message an action wrote; its id."""
        await live.message(self.context.events, conversation_id, written.message_id, sender, written.district_id)
        return written.message_id

    # -- what a consultant reads -------------------------------------------------------------

    async def queue(self, actor: Actor, statuses: tuple[str, ...] = (WAITING,)) -> list[views.QueueRow]:
        """The actor's queue: waiting hand-offs (``statuses`` adds ``taken`` ones), most urgent first."""
        def read() -> list[views.QueueRow]:
            with reading(self.context.sessions) as session:
                return views.queue(session, actor, statuses)

        return await asyncio.to_thread(read)

    async def conversation(self, conversation_id: int, actor: Actor, lang: str) -> views.ConversationView:
        """A conversation's screen; opening it is audited (it shows the elder's profile). The
        bot's slots are read from its tracker (none when the engine cannot be reached)."""
        view = await asyncio.to_thread(self._read, conversation_id, actor, lang)
        try:
            slots = await self.context.bot.slots(hub_sender(conversation_id))
        except (BotUnavailable, BotSilent) as error:
            log.warning("console.slots_unread", conversation=conversation_id, error=str(error))
            slots = {}
        return dataclasses.replace(view, slots=slots)

    def _read(self, conversation_id: int, actor: Actor, lang: str) -> views.ConversationView:
        with transaction(self.context.sessions) as session:
            _visible(session, conversation_id, actor)
            view = views.conversation(session, conversation_id, lang)
            if view is None:
                raise Refused("not_found", 404)
            audit(session, actor, "view", conversation_id, {"elder": view.profile.elder_id if view.profile else None})
            return view

    # -- in one transaction each ---------------------------------------------------------------

    def _claim(self, conversation_id: int, actor: Actor) -> Claimed:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            won = session.execute(update(Handoff).where(Handoff.conversation_id == conversation_id,
                                                        Handoff.status == WAITING)
                                  .values(status=TAKEN, consultant_id=actor.consultant_id, taken_at=utcnow())
                                  .execution_options(synchronize_session=False)).rowcount
            if not won:
                holder = _held_by(session, conversation_id)
                if holder is None:
                    raise Refused("nothing_to_claim", 409)
                if holder != actor.consultant_id:
                    raise Taken(holder, _name(session, holder))
                return Claimed(conversation_id, actor.consultant_id, already=True,
                               district_id=conversation.district_id)
            conversation.assignee_id = actor.consultant_id
            audit(session, actor, "claim", conversation_id)
            return Claimed(conversation_id, actor.consultant_id, already=False, district_id=conversation.district_id)

    def _say(self, conversation_id: int, actor: Actor, text: str) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            _must_hold(session, conversation_id, actor)
            _must_be_on_the_line(session, conversation)
            message = _transcribe(session, conversation, "consultant", "consultant", text, actor)
            _deliver(session, conversation, Reply(text, role="consultant"), f"consultant:{message.id}")
            audit(session, actor, "say", conversation_id, {"message_id": message.id})
            return Written(message.id, conversation.district_id)

    def _note(self, conversation_id: int, actor: Actor, text: str) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            message = _transcribe(session, conversation, "note", "note", text, actor)
            audit(session, actor, "note", conversation_id, {"message_id": message.id})
            return Written(message.id, conversation.district_id)

    def _hand_back(self, conversation_id: int, actor: Actor) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            handoff = _must_hold(session, conversation_id, actor)
            handoff.status, handoff.closed_at = HANDED_BACK, utcnow()
            conversation.status, conversation.assignee_id, conversation.priority = "pending", None, 0
            said = say("hub.handed_back", conversation.language)
            message = _transcribe(session, conversation, "system", "handed_back", said, actor)
            _deliver(session, conversation, Reply(said, role="notice"), f"handed_back:{message.id}")
            audit(session, actor, "hand_back", conversation_id, {"handoff": handoff.id})
            return Written(message.id, conversation.district_id)

    def _resolve(self, conversation_id: int, actor: Actor, outcome: str) -> tuple[int | None, int | None]:
        """The satisfaction question's transcript message (if the person was asked), and the
        conversation's district."""
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            handoff = _must_hold(session, conversation_id, actor)
            handoff.status, handoff.outcome, handoff.closed_at = RESOLVED, outcome, utcnow()
            conversation.status, conversation.assignee_id, conversation.priority = "resolved", None, 0
            audit(session, actor, "resolve", conversation_id, {"handoff": handoff.id, "outcome": outcome})
            asked = None if outcome in NOT_ASKED else satisfaction.ask(session, conversation, handoff,
                                                                        actor.consultant_id)
            return asked, conversation.district_id

    def _transfer(self, conversation_id: int, actor: Actor, to_consultant_id: int) -> int | None:
        """The conversation's district."""
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            target = session.get(Consultant, to_consultant_id)
            if target is None or target.district_id != conversation.district_id:
                raise Refused("unknown_consultant", 422)
            query = update(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.status == TAKEN)
            if actor.district_ids is not None:  # an administrator may move anyone's conversation
                query = query.where(Handoff.consultant_id == actor.consultant_id)
            moved = session.execute(query.values(consultant_id=to_consultant_id)
                                    .execution_options(synchronize_session=False)).rowcount
            if not moved:
                raise Refused("not_yours", 409)
            conversation.assignee_id = to_consultant_id
            audit(session, actor, "transfer", conversation_id, {"to": to_consultant_id})
            return conversation.district_id


def _visible(session: Session, conversation_id: int, actor: Actor) -> Conversation:
    """The conversation, if the actor may act on it; another district's is as good as absent."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not actor.may_act_in(conversation.district_id):
        raise Refused("not_found", 404)
    return conversation


def _must_be_on_the_line(session: Session, conversation: Conversation) -> None:
    """A reply to a call that ended would never be heard: the consultant is told to call back."""
    call = views.call_back(session, conversation)
    if call is None or call.ended_at is None:
        return
    if call.number is None:
        raise Refused("call_ended_no_number", 409)
    raise Refused("call_ended", 409, number=display_phone(call.number))


def _held_by(session: Session, conversation_id: int) -> int | None:
    return session.scalar(select(Handoff.consultant_id).where(Handoff.conversation_id == conversation_id,
                                                              Handoff.status == TAKEN).limit(1))


def _must_hold(session: Session, conversation_id: int, actor: Actor) -> Handoff:
    handoff = session.scalar(select(Handoff).where(Handoff.conversation_id == conversation_id,
                                                   Handoff.status == TAKEN).limit(1))
    if handoff is None or handoff.consultant_id != actor.consultant_id:
        raise Refused("not_yours", 409)
    return handoff


def _name(session: Session, consultant_id: int | None) -> str:
    consultant = session.get(Consultant, consultant_id) if consultant_id is not None else None
    return consultant.name if consultant is not None else "?"


def _transcribe(session: Session, conversation: Conversation, sender: str, kind: str, text: str,
                actor: Actor) -> Message:
    message = Message(conversation_id=conversation.id, sender=sender, kind=kind, text=text,
                      language=conversation.language, meta={"consultant_id": actor.consultant_id})
    session.add(message)
    session.flush()
    return message


def _deliver(session: Session, conversation: Conversation, reply: Reply, dedupe_key: str) -> None:
    """Queue for the person's channel: the dispatcher pushes it (Telegram); a same-breath
    channel takes it with its next exchange or when it polls."""
    address = address_of(session, conversation)
    if address:
        outbox.enqueue(session, conversation.channel, address, reply.to_body(), dedupe_key=dedupe_key,
                       conversation_id=conversation.id)


def _clean(text: str) -> str:
    text = (text or "").strip()
    if not text or "\x00" in text:
        raise Refused("empty_text", 422)
    if len(text) > MAX_TEXT:
        raise Refused("text_too_long", 422, limit=MAX_TEXT)
    return text
