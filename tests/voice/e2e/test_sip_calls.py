"""Whole calls over SIP: baresip, a real softphone on 127.0.0.1, calls the ``careline hotline``
process, which talks to the ``careline hub`` process, Rasa and the action server.

The caller speaks synthetic speech (Piper) as G.711 μ-law RTP and presses keys as RFC 4733
telephone-events; what baresip received is recognised with the project's own recogniser
(Whisper base) to check what the caller heard, and the database is read to check what the call
did. Each test calls from a fresh copy of a fixture elder, so none sees another's calls."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable

import pytest
from rapidfuzz import fuzz
from sqlalchemy import func, select

from bot.console.service import ConsoleService
from bot.hub.runtime import HubRuntime
from knowledge.actors import actor_for
from knowledge.handoffs import Urgency
from knowledge.models import Booking, Consultant, District, Elder, Handoff, Message, ServicePoint
from tests.voice.e2e.conftest import System, conversation_of, messages, new_elder
from tests.voice.e2e.softphone import SOUND_RMS, Softphone
from tests.voice.heard import says_number
from tests.voice.telephony.tools import rms, sip_options
from tests.voice.toneless import toneless
from voice.call import CALL_RATE
from voice.prompts import prompt_text
from voice.stt.base import Recognizer
from voice.stt.registry import Recognizers

pytestmark = pytest.mark.dialogue

#: Call audio from the answer to the first sound of the greeting: no longer than the silence the
#: hotline ever leaves (``voice_max_gap_seconds``), the first call after start-up included.
GREETING_WITHIN = 2.0
#: Seconds of a long answer the caller listens to before hanging up.
ANSWER_HEARD = 10.0
#: An emergency hand-off must exist this soon after the caller's last word (turn end, recognition,
#: the hub's emergency rules; measured ~2–4 s on a loaded 2-core machine).
EMERGENCY_WITHIN = 8.0
Voice = Callable[[str, str], bytes]


def words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", text.lower()).split())


def similar(heard: str, said: str, at_least: float = 75, language: str = "en") -> bool:
    """``said`` (or most of it) is in ``heard``, as a recogniser writes it (Mandarin by sound)."""
    if language == "zh":
        return fuzz.partial_ratio(toneless(said), toneless(heard)) >= at_least
    return fuzz.partial_ratio(words(said), words(heard)) >= at_least


def digits_joined(text: str) -> str:
    """'Call 1-2-0 now' → 'Call 120 now' (how a recogniser may write digits said one by one)."""
    return re.sub(r"(?<=\d)[-\s,.](?=\d)", "", text)


def tail(pcm: bytes, seconds: float = 12.0) -> bytes:
    """The last ``seconds`` of ``pcm`` (what the recogniser decodes in its short window)."""
    return pcm[-int(seconds * CALL_RATE) * 2:]


def transcribe(recognizer: Recognizer, pcm: bytes) -> str:
    return recognizer.transcribe(pcm, CALL_RATE).text


def greeted(phone: Softphone, system: System) -> None:
    """Dial the hotline; its greeting must begin at once."""
    phone.dial(system.sip_port)
    deadline = time.monotonic() + 30
    while (started := phone.seconds_until_sound(0)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert started is not None and started <= GREETING_WITHIN, \
        f"the caller waited {started} s in silence before the greeting"


def answered(phone: Softphone, system: System) -> bytes:
    """Dial the hotline and hear the whole greeting."""
    greeted(phone, system)
    return phone.until_answered(0, quiet=1.5, timeout=30)


def replied(system: System, phone: Softphone) -> Callable[[], bool]:
    """True once the hub has recorded an answer (the bot's or a consultant's, not "one moment")
    newer than anything in the call's conversation now."""
    conversation = conversation_of(system, phone).id
    with system.sessions() as session:
        newest = session.scalar(select(func.max(Message.id)).where(Message.conversation_id == conversation)) or 0

    def check() -> bool:
        with system.sessions() as session:
            return session.scalar(select(Message.id).where(
                Message.conversation_id == conversation, Message.id > newest,
                Message.sender.in_(("bot", "consultant"))).limit(1)) is not None

    return check


def handoffs(system: System, phone: Softphone) -> list[Handoff]:
    conversation = conversation_of(system, phone)
    with system.sessions() as session:
        return list(session.scalars(select(Handoff).where(Handoff.conversation_id == conversation.id)))


def call_end(system: System, phone: Softphone) -> dict[str, object]:
    """The hotline's own record of how the call ended (its ``call_end`` log line)."""
    return system.hotline.wait_event("call_end", 30, call=phone.call_id)


@pytest.mark.parametrize(("like", "question", "language"), [
    ("smith", "Where is the nearest dining hall?", "en"),
    ("wang", "离我最近的服务点在哪儿？", "zh"),
], ids=["english", "mandarin"])
def test_a_caller_known_by_number_hears_the_nearest_service_point(
        system: System, caller_voice: Voice, recognizers: Recognizers, like: str, question: str, language: str) -> None:
    key, number = new_elder(system, like)
    recognizer = recognizers.get(language)
    with system.phone(number) as phone:
        greeting = answered(phone, system)
        mark, answer_recorded = phone.mark, replied(system, phone)
        phone.say(caller_voice(question, language))
        answer = phone.until_answered(mark, longest=ANSWER_HEARD, ready=answer_recorded)
        phone.hang_up()  # while the hotline reads out the farther ones
    assert similar(transcribe(recognizer, greeting), prompt_text("welcome", language), 70, language), "greeted"
    conversation = conversation_of(system, phone)
    with system.sessions() as session:
        elder = session.scalar(select(Elder.id).where(Elder.key == key))
        names = [p.name[language] for p in session.scalars(select(ServicePoint).join(District).where(
            District.key == "maple-town"))]
    assert conversation.language == language and conversation.elder_id == elder
    said = " ".join(m.text for m in messages(system, phone, "bot"))
    named = sorted((said.index(name), name) for name in names if name in said)
    assert named, said
    heard = transcribe(recognizer, answer)
    assert similar(heard, named[0][1], 80, language), (heard, named[0][1])
    if language == "en":  # the answer as a whole, not only the name
        assert fuzz.partial_ratio(words(heard), words(said)) >= 70, (heard, said)
    assert [m.kind for m in messages(system, phone, "user")] == ["speech"]
    assert call_end(system, phone)["ended_by"] == "caller"


def test_a_caller_books_a_meal_by_voice_and_confirms_with_1(
        system: System, caller_voice: Voice, english: Recognizer) -> None:
    key, number = new_elder(system, "margaret-ho")  # Huaxi's canteen has room (Maple's lunch: 2 a day)
    with system.phone(number) as phone:
        answered(phone, system)
        mark, offered = phone.mark, replied(system, phone)
        phone.say(caller_voice("Can you deliver lunch to me tomorrow?", "en"))
        offer = phone.until_answered(mark, ready=offered)
        with system.sessions() as session:  # nothing is booked before the yes
            assert session.scalars(select(Booking).join(Elder).where(Elder.key == key)).all() == []
        mark, confirmed = phone.mark, replied(system, phone)
        phone.press("1")
        done = phone.until_answered(mark, ready=confirmed)
        phone.hang_up()
    with system.sessions() as session:
        meals = session.scalars(select(Booking).join(Elder).where(Elder.key == key, Booking.kind == "meal")).all()
    assert len(meals) == 1
    user = messages(system, phone, "user")
    assert [(m.kind, m.text) for m in user][1:] == [("digit", "1")], [(m.kind, m.text) for m in user]
    bot = messages(system, phone, "bot")
    read_back = next(m.text for m in bot if m.id < user[1].id and "?" in m.text)
    booked = " ".join(m.text for m in bot if m.id > user[1].id)
    heard_offer, heard_done = transcribe(english, tail(offer)), transcribe(english, done)
    assert similar(heard_offer, read_back[-40:]), (heard_offer, read_back)
    assert similar(heard_offer, prompt_text("yes_no_menu", "en")), heard_offer
    assert similar(heard_done, booked[:40]), (heard_done, booked)


def test_0_queues_the_call_and_a_consultants_reply_is_heard(system: System, english: Recognizer) -> None:
    key, number = new_elder(system, "smith")
    loop = asyncio.new_event_loop()
    runtime = HubRuntime.build(system.settings)
    console = ConsoleService(runtime.hub)
    with system.sessions() as session:
        consultant = session.scalar(select(Consultant.id).join(District).where(District.key == "maple-town"))
        actor = actor_for(session, consultant)
    reply = "Hello, this is Anna. I will book the doctor for you."
    try:
        with system.phone(number) as phone:
            greeted(phone, system)
            time.sleep(1.0)
            mark, handed_off = phone.mark, replied(system, phone)
            phone.press("0")  # over the greeting, which stops
            queued = phone.until_answered(mark, ready=handed_off)  # the answer, then the queue prompt
            waiting, conversation = handoffs(system, phone), conversation_of(system, phone)
            loop.run_until_complete(console.claim(conversation.id, actor))
            mark, spoke = phone.mark, replied(system, phone)
            loop.run_until_complete(console.say(conversation.id, actor, reply))
            spoken = phone.until_answered(mark, quiet=2.0, ready=spoke)
            phone.hang_up()
    finally:
        loop.run_until_complete(runtime.bot.aclose())
        loop.close()
    assert [(h.reason, h.status) for h in waiting] == [("requested", "waiting")], waiting
    assert conversation.status == "open"
    assert similar(transcribe(english, tail(queued)), "stay on the line"), "the caller hears they wait for a person"
    assert similar(transcribe(english, spoken), reply), "the consultant's reply is spoken to the caller"
    assert [m.kind for m in messages(system, phone, "user")] == ["digit"]


def test_an_emergency_sentence_opens_a_top_urgency_hand_off_at_once(
        system: System, caller_voice: Voice, english: Recognizer) -> None:
    key, number = new_elder(system, "smith")
    with system.phone(number) as phone:
        greeted(phone, system)
        time.sleep(1.0)
        mark, advised = phone.mark, replied(system, phone)
        phone.say(caller_voice("Help me, I have fallen and I cannot get up.", "en"))  # over the greeting
        spoken_at = time.monotonic()
        opened: list[Handoff] = []
        while not opened and time.monotonic() - spoken_at < 30:
            opened = handoffs(system, phone)
            time.sleep(0.1)
        opened_after = time.monotonic() - spoken_at
        advice = phone.until_answered(mark, longest=ANSWER_HEARD, ready=advised)
        phone.hang_up()
    assert [(h.urgency, h.reason) for h in opened] == [(int(Urgency.EMERGENCY), "emergency")]
    assert opened_after < EMERGENCY_WITHIN, f"the hand-off was opened {opened_after:.1f} s after the caller spoke"
    heard = digits_joined(transcribe(english, advice))
    assert says_number(heard, "120"), heard
    assert call_end(system, phone)["outcome"] == "emergency"


def test_a_caller_who_hangs_up_mid_sentence_leaves_nothing_half_written(system: System, caller_voice: Voice) -> None:
    key, number = new_elder(system, "smith")
    speech = caller_voice("Can you deliver lunch to me tomorrow?", "en")
    with system.phone(number) as phone:
        answered(phone, system)
        sent_before = len(phone.sent())
        seconds = phone.say(speech, wait=False)
        time.sleep(seconds / 2)
        phone.hang_up()
        spoken = phone.sent()[sent_before:]
    assert rms(spoken) > SOUND_RMS and len(spoken) >= seconds / 3 * 2 * CALL_RATE, "half a sentence went out"
    ended = call_end(system, phone)
    assert (ended["ended_by"], ended["turns"]) == ("caller", 0), ended
    assert system.hotline.popen.poll() is None, "the hotline process survives"
    assert messages(system, phone, "user") == []
    assert all(m.bot_state not in ("sending", "waiting") for m in messages(system, phone)), "no turn left open"
    assert handoffs(system, phone) == []
    with system.sessions() as session:
        assert session.scalars(select(Booking).join(Elder).where(Elder.key == key)).all() == []
    # the hotline goes on: a trunk's keep-alive and the next call are answered
    assert sip_options(system.sip_port) == b"SIP/2.0 200 OK"
    with system.phone(number) as again:
        greeted(again, system)
        again.hang_up()
