"""Quick actions on a conversation: book or cancel on the elder's behalf, send a policy summary,
and the canned replies a conversation may use.

Bookings follow the assistant's rules (:mod:`knowledge.offers` over :mod:`knowledge.booking`):
the consultant chooses, reads exactly what will be booked (what, when, where, price, for whom),
and only the confirmation writes, in one transaction with the consultant's turn in the
transcript, its delivery to the person's channel, the elder event that tells linked family (as
the assistant's bookings do) and the audit record. What a consultant sends is said in the
conversation's language; what the console shows, in the consultant's."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.console.service import ConsoleService, Refused, Written, _deliver, _must_hold, _transcribe, _visible
from bot.hub.messages import Reply
from careline import clock
from careline.catalogue import N_, say
from knowledge import canned, offers
from knowledge.actors import Actor
from knowledge.audit import audit
from knowledge.booking import Refusal, cancel_booking, list_bookings
from knowledge.db import transaction
from knowledge.eligibility import Verdict, evaluate
from knowledge.facts import profile_facts
from knowledge.handoffs import hub_sender
from knowledge.models import Booking, CannedReply, Conversation, District, Elder, Policy
from knowledge.text import person_name
from knowledge.wording import amount_text, describe_booking

T = TypeVar("T")


@dataclass(frozen=True)
class ForElder:
    """The elder a conversation is about, as the console's pages name them."""

    elder_id: int
    name: str
    district_id: int


@dataclass(frozen=True)
class CancelReadBack:
    booking_id: int
    for_whom: str
    what: str
    problem: Refusal | None


@dataclass(frozen=True)
class PolicyChoice:
    policy_id: int
    title: str
    district: str


@dataclass(frozen=True)
class PolicyPreview:
    policy_id: int
    title: str
    text: str
    """What the person will be sent, in the conversation's language."""
    language: str


@dataclass(frozen=True)
class CannedChoice:
    reply_id: int
    title: str
    text: str


def local_now(district: District | None) -> dt.datetime:
    return clock.local_now(district.timezone if district else None).replace(second=0, microsecond=0)


class QuickActions:
    """The quick actions of the console, beside :class:`ConsoleService` (same hub, same rules)."""

    def __init__(self, console: ConsoleService) -> None:
        self.console = console
        self.context = console.context

    @staticmethod
    def _run(work: Callable[..., T], *args: Any) -> Awaitable[T]:
        return asyncio.to_thread(work, *args)

    # -- booking and cancelling -----------------------------------------------------------------

    async def booking_options(self, conversation_id: int, actor: Actor, lang: str) -> tuple[ForElder, offers.Options]:
        def read() -> tuple[ForElder, offers.Options]:
            with transaction(self.context.sessions) as session:
                elder = _elder(session, _visible(session, conversation_id, actor), actor)
                return _named(elder), offers.options(session, elder, local_now(elder.district), lang)

        return await self._run(read)

    async def booking_read_back(self, conversation_id: int, actor: Actor, token: str, lang: str) -> offers.ReadBack:
        def read() -> offers.ReadBack:
            with transaction(self.context.sessions) as session:
                elder = _elder(session, _visible(session, conversation_id, actor), actor)
                return _read_back(session, elder, token, lang)

        return await self._run(read)

    async def book(self, conversation_id: int, actor: Actor, token: str) -> int:
        """Book the choice for the conversation's elder and tell the person; the message's id."""
        written = await self._run(self._book, conversation_id, actor, token)
        self.context.on_queued()
        return await self.console.said(conversation_id, written, "consultant")

    def _book(self, conversation_id: int, actor: Actor, token: str) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            _must_hold(session, conversation_id, actor)
            elder = _elder(session, conversation, actor)
            lang = conversation.language
            said = _read_back(session, elder, token, lang, check=False)
            outcome = offers.book(session, elder.id, said.choice, local_now(elder.district), via="console",
                                  source=hub_sender(conversation_id))
            if not outcome.ok or outcome.booking is None:
                raise _refused(outcome.refusal, elder.name)
            told = (N_("console.told_requested") if said.choice.kind == offers.HOME_SERVICE
                    else N_("console.told_booked"))
            text = say(told, lang, who=_who(conversation, elder, lang), what=_what(said, lang), price=said.price)
            message = _transcribe(session, conversation, "consultant", "consultant", text, actor)
            _deliver(session, conversation, Reply(text, role="consultant"), f"consultant:{message.id}")
            audit(session, actor, "book", conversation_id, {"booking": outcome.booking.id, "kind": said.choice.kind,
                                                            "message_id": message.id}, elder_id=elder.id)
            return Written(message.id, conversation.district_id)

    async def cancel_options(self, conversation_id: int, actor: Actor, lang: str) -> tuple[ForElder,
                                                                                          list[tuple[int, str]]]:
        """The elder's bookings still to come (id, in words)."""
        def read() -> tuple[ForElder, list[tuple[int, str]]]:
            with transaction(self.context.sessions) as session:
                elder = _elder(session, _visible(session, conversation_id, actor), actor)
                now = local_now(elder.district)
                return _named(elder), [(b.id, describe_booking(b, lang, now.date()))
                                       for b in list_bookings(session, elder.id, now)]

        return await self._run(read)

    async def cancel_read_back(self, conversation_id: int, actor: Actor, booking_id: int,
                               lang: str) -> CancelReadBack:
        def read() -> CancelReadBack:
            with transaction(self.context.sessions) as session:
                elder = _elder(session, _visible(session, conversation_id, actor), actor)
                item = _booking_of(session, elder, booking_id)
                now = local_now(elder.district)
                savepoint = session.begin_nested()
                try:
                    problem = cancel_booking(session, item.id, now, elder_id=elder.id).refusal
                finally:
                    savepoint.rollback()
                item = _booking_of(session, elder, booking_id)
                return CancelReadBack(item.id, elder.name, describe_booking(item, lang, now.date()), problem)

        return await self._run(read)

    async def cancel(self, conversation_id: int, actor: Actor, booking_id: int) -> int:
        written = await self._run(self._cancel, conversation_id, actor, booking_id)
        self.context.on_queued()
        return await self.console.said(conversation_id, written, "consultant")

    def _cancel(self, conversation_id: int, actor: Actor, booking_id: int) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            _must_hold(session, conversation_id, actor)
            elder = _elder(session, conversation, actor)
            item = _booking_of(session, elder, booking_id)
            now = local_now(elder.district)
            outcome = cancel_booking(session, item.id, now, elder_id=elder.id, via="console",
                                     source=hub_sender(conversation_id))
            if not outcome.ok:
                raise _refused(outcome.refusal, elder.name)
            lang = conversation.language
            text = say("console.told_cancelled", lang, who=_who(conversation, elder, lang),
                           what=describe_booking(item, lang, now.date()))
            message = _transcribe(session, conversation, "consultant", "consultant", text, actor)
            _deliver(session, conversation, Reply(text, role="consultant"), f"consultant:{message.id}")
            audit(session, actor, "cancel", conversation_id, {"booking": item.id, "message_id": message.id},
                  elder_id=elder.id)
            return Written(message.id, conversation.district_id)

    # -- policy summaries ---------------------------------------------------------------------

    async def policies(self, conversation_id: int, actor: Actor, lang: str) -> list[PolicyChoice]:
        """The policies of the elder's district, or of all the consultant's districts when the
        conversation's elder is not known."""
        def read() -> list[PolicyChoice]:
            with transaction(self.context.sessions) as session:
                conversation = _visible(session, conversation_id, actor)
                elder = _known_elder(session, conversation, actor)
                query = select(Policy, District).join(District, District.id == Policy.district_id) \
                    .where(Policy.active.is_(True))
                if elder is not None:
                    query = query.where(Policy.district_id == elder.district_id)
                elif actor.district_ids is not None:
                    query = query.where(Policy.district_id.in_(actor.district_ids))
                rows = session.execute(query.order_by(District.key, Policy.key)).all()
                return [PolicyChoice(p.id, p.title.get(lang) or p.key, d.name.get(lang) or d.key) for p, d in rows]

        return await self._run(read)

    async def policy_preview(self, conversation_id: int, actor: Actor, policy_id: int) -> PolicyPreview:
        def read() -> PolicyPreview:
            with transaction(self.context.sessions) as session:
                return _policy_summary(session, _visible(session, conversation_id, actor), actor, policy_id)

        return await self._run(read)

    async def send_policy(self, conversation_id: int, actor: Actor, policy_id: int) -> int:
        written = await self._run(self._send_policy, conversation_id, actor, policy_id)
        self.context.on_queued()
        return await self.console.said(conversation_id, written, "consultant")

    def _send_policy(self, conversation_id: int, actor: Actor, policy_id: int) -> Written:
        with transaction(self.context.sessions) as session:
            conversation = _visible(session, conversation_id, actor)
            _must_hold(session, conversation_id, actor)
            summary = _policy_summary(session, conversation, actor, policy_id)
            message = _transcribe(session, conversation, "consultant", "consultant", summary.text, actor)
            _deliver(session, conversation, Reply(summary.text, role="consultant"), f"consultant:{message.id}")
            audit(session, actor, "send_policy", conversation_id, {"policy": policy_id, "message_id": message.id},
                  elder_id=conversation.elder_id)
            return Written(message.id, conversation.district_id)

    # -- canned replies -----------------------------------------------------------------------

    async def canned(self, conversation_id: int, actor: Actor) -> list[CannedChoice]:
        """The canned replies of the conversation's district in its language."""
        def read() -> list[CannedChoice]:
            with self.context.sessions() as session:
                conversation = _visible(session, conversation_id, actor)
                return [CannedChoice(r.id, r.title, r.text)
                        for r in canned.offered(session, conversation.district_id, conversation.language)]

        return await self._run(read)

    async def canned_text(self, conversation_id: int, actor: Actor, reply_id: int) -> str:
        """The text of one canned reply, if this conversation may use it (its district and language)."""
        def read() -> str:
            with self.context.sessions() as session:
                conversation = _visible(session, conversation_id, actor)
                reply = session.get(CannedReply, reply_id)
                if reply is None or reply.district_id != conversation.district_id \
                        or reply.language != conversation.language:
                    raise Refused("reply_not_found", 404)
                return reply.text

        return await self._run(read)


def _known_elder(session: Session, conversation: Conversation, actor: Actor) -> Elder | None:
    elder = session.get(Elder, conversation.elder_id) if conversation.elder_id else None
    if elder is None or not elder.active or not actor.may_act_in(elder.district_id):
        return None
    return elder


def _elder(session: Session, conversation: Conversation, actor: Actor) -> Elder:
    elder = _known_elder(session, conversation, actor)
    if elder is None:
        raise Refused("no_elder", 409)
    return elder


def _named(elder: Elder) -> ForElder:
    return ForElder(elder.id, elder.name, elder.district_id)


def _read_back(session: Session, elder: Elder, token: str, lang: str, check: bool = True) -> offers.ReadBack:
    choice = offers.parse_choice(token)
    if choice is None:
        raise Refused("bad_choice", 422)
    said = offers.read_back(session, elder, choice, local_now(elder.district), lang, check=check)
    if said is None:
        raise Refused("choice_not_found", 404)
    return said


def _booking_of(session: Session, elder: Elder, booking_id: int) -> Booking:
    """One of the elder's bookings; anyone else's is as good as absent."""
    item = session.get(Booking, booking_id)
    if item is None or item.elder_id != elder.id:
        raise Refused("booking_not_found", 404)
    return item


def _refused(refusal: Refusal | None, name: str) -> Refused:
    known = {Refusal.FULL, Refusal.PAST, Refusal.ALREADY_BOOKED, Refusal.NOT_SERVED, Refusal.TOO_LATE,
             Refusal.NO_DELIVERY, Refusal.UNAVAILABLE_TIME, Refusal.ALREADY_CANCELLED, Refusal.INACTIVE}
    code = f"refused_{refusal.value}" if refusal in known else "refused_other"
    return Refused(code, 409, who=name)


def refusal_text(refusal: Refusal | None, name: str, lang: str) -> str:
    return _refused(refusal, name).say(lang)


def _who(conversation: Conversation, elder: Elder, lang: str) -> str:
    """The elder as the person in the conversation hears them named: "you" on the elder's own
    line, their name to a family member on Telegram."""
    if conversation.channel == "telegram":
        return person_name(elder.name, lang)
    return say("console.who_you", lang)


def _what(said: offers.ReadBack, lang: str) -> str:
    where = say("console.delivered", lang) if said.delivery else (said.where or "")
    return say("console.booking_line", lang, what=said.what, when=said.when, where=where) if where \
        else say("console.booking_line_nowhere", lang, what=said.what, when=said.when)


def _policy_summary(session: Session, conversation: Conversation, actor: Actor, policy_id: int) -> PolicyPreview:
    """A policy in a few sentences, in the conversation's language: what it is and gives, how
    much, who qualifies in plain words, whether the elder does and why, how to apply."""
    policy = session.get(Policy, policy_id)
    elder = _known_elder(session, conversation, actor)
    allowed = (policy is not None and policy.active and actor.may_act_in(policy.district_id)
               and (elder is None or policy.district_id == elder.district_id))
    if not allowed or policy is None:
        raise Refused("policy_not_found", 404)
    lang = conversation.language
    sep = "" if lang == "zh" else " "
    parts = [say("console.policy_intro", lang, title=policy.title[lang], summary=policy.summary[lang])]
    amount = amount_text(policy.amount, lang)
    if amount:
        parts.append(say("console.policy_amount", lang, amount=amount))
    criteria = [c["text"][lang] for c in policy.criteria]
    parts.append(say("console.policy_who", lang, criteria=_listing(criteria, lang)) if criteria
                 else say("console.policy_everyone", lang))
    if elder is not None and criteria:
        result = evaluate(policy, profile_facts(elder, local_now(elder.district).date()))
        who = _who(conversation, elder, lang)
        key = {Verdict.ELIGIBLE: N_("console.policy_elder_yes"),
               Verdict.NOT_ELIGIBLE: N_("console.policy_elder_no")}.get(
            result.verdict, N_("console.policy_elder_unknown"))
        parts.append(say(key, lang, who=who, reasons=_listing(result.reasons(lang), lang)))
    parts.append(say("console.policy_apply", lang, how=policy.how_to_apply[lang]))
    return PolicyPreview(policy.id, policy.title[lang], sep.join(parts), lang)


def _listing(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "；".join(items)
    return "; ".join(items)
