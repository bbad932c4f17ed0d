"""One phone call, from answer to hang-up: :func:`handle_call` is what the telephony side runs.

The call is a conversation on the hub's ``phone`` channel, like a chat: what the caller says
goes to the hub as text (their keys as keys), the hub's replies are spoken back sentence by
sentence. The session adds what a phone needs and a chat does not:

- **who is calling**: the hub matches the caller's number to an elder and answers with their
  language; an unknown caller hears "press 1 for 普通话, 2 for English, or just speak", and the
  language of what they say decides too;
- **turn-taking** (:mod:`voice.hotline.turns`) and **barge-in** (:mod:`voice.hotline.line`);
- **never silent**: a reprompt after ``voice_reprompt_seconds`` of silence, the keypad offered
  after the second, a consultant (or a kind goodbye) after the third; while an answer is being
  found the caller never waits more than ``voice_max_gap_seconds`` without hearing something;
- **keys** at every choice: 1 yes, 2 no, 0 a person, ``*`` (or "say that again") repeats the last
  answer; at a yes/no question the recogniser is told to expect yes or no, and what it heard
  reaches the dialogue engine as the same intent as the key;
- **a person**: in a consultant's hands the call hears its place in the queue and the wait, the
  consultant's typed replies are spoken, the caller's words go to the console as text, and a
  hand-back returns the call to the bot; emergency advice is spoken first and never cut short.

Logs say when a call starts and ends, its language, outcome and number of turns: never the
caller's number nor what anyone said. The hub is told when a call ends, however it ends
(:meth:`CallSession.run`), so a caller who hung up leaves the consultants' queue.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from bot.hub.messages import Button, Reply
from careline.logging import get_logger
from voice.call import CALL_RATE, Call
from voice.hotline.engines import HotlineEngines, load_engines
from voice.hotline.expect import HANDOFF, is_yes_no, wants_person, wants_repeat, year_in
from voice.hotline.hearing import Heard
from voice.hotline.hub_client import HubClient, HubUnavailable
from voice.hotline.line import CallEnded, HeardKind, Input, Interruption, Line, Verdict
from voice.hotline.recording import RecordingCall, recording_path
from voice.hotline.turns import TurnTaker, sounds_unfinished
from voice.languages import LANGUAGES
from voice.prompts import has_fields, prompt_text, queue_prompt
from voice.speech_text import spell_digits

log = get_logger("voice.hotline")
T = TypeVar("T")
#: Where a pause's words are recognised while the turn-end model listens (one call's judge at a
#: time uses one thread of it).
_JUDGE_WORDS = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="judge-words")
#: Most numbered choices read out on the phone (the rest stay reachable by voice).
MAX_CHOICES_READ = 5
#: the key a caller waiting for a consultant presses to be put through to the consultants' phone
TRANSFER_KEY = "9"
#: years of birth a caller may key in, in one call, before their link code is left to a consultant
LINK_YEAR_TRIES = 2
#: Polls of the hub in a row that may fail (a hub restarting) before the call is ended kindly.
HUB_FAILURES_TOLERATED = 5


def prepare() -> None:
    """Load the engines every call shares; the hotline process runs this at start-up (see
    :mod:`voice.telephony.hotline`), so the first caller does not wait in silence for the models
    and for the fixed prompts to be made (~20 s on 2 cores into an empty prompt cache)."""
    load_engines()


async def handle_call(call: Call) -> None:
    """Talk with the caller until one side hangs up (the telephony side's :data:`CallHandler`)."""
    engines = await asyncio.to_thread(load_engines)
    if not engines.settings.voice_recordings:
        await CallSession(call, engines).run()
        return
    recording = RecordingCall(call, recording_path(engines.settings.recordings_dir, call.call_id))
    try:
        await CallSession(recording, engines).run()
    finally:
        recording.close()


@dataclass
class _TurnTiming:
    """The moments of one caller turn, for the ``call_turn_timing`` log."""

    speech_end: float
    taken: float
    hub: float | None = None
    first: float | None = None
    first_what: str = ""
    answer: float | None = None


class CallSession:
    def __init__(self, call: Call, engines: HotlineEngines, hub: HubClient | None = None) -> None:
        self.call = call
        self.engines = engines
        self.settings = settings = engines.settings
        self.conversation = f"call-{call.call_id}"[:128]
        self.hub = hub or HubClient(settings, self.conversation)
        self.turns = TurnTaker(CALL_RATE, check_ms=settings.voice_turn_check_ms,
                               cap_ms=settings.voice_turn_silence_cap_ms, min_speech_ms=settings.vad_min_speech_ms,
                               max_turn_seconds=settings.voice_max_turn_seconds,
                               aggressiveness=settings.vad_aggressiveness)
        self.line = Line(call, self.turns)
        self.language: str | None = None
        self.known = False
        self.last_answer: list[Reply] = []
        self.choices: tuple[Button, ...] = ()
        self.silences = 0
        self.turn_count = 0
        self._timing: _TurnTiming | None = None  # the current turn's moments (see _first_sound)
        self._gave_up = False  # asking for a person after an answer that never came
        self.with_consultant = False
        self.outcome = "bot"
        self._inflight: set[asyncio.Future[object]] = set()
        """Requests to the hub under way: a hang-up lets them finish, so nothing is half-sent."""
        self._one_moment: dict[str, bytes] = {}

    @property
    def lang(self) -> str:
        return self.language or self.settings.language

    # -- the call ------------------------------------------------------------------------------

    async def run(self) -> None:
        started = time.monotonic()
        log.info("call_start", call=self.call.call_id)
        ended_by = "us"
        try:
            await self._greet()
            while True:
                if self.with_consultant:
                    await self._with_consultant()
                else:
                    await self._step()
        except CallEnded as ended:
            ended_by = ended.reason
        except HubUnavailable as error:
            log.warning("call_hub_unavailable", call=self.call.call_id, error=str(error))
            self.outcome = "hub_unavailable"
            await self._finally_say("line_trouble")
        except _Goodbye:
            pass
        except Exception:  # a fault in one call must end it kindly, never silently
            log.exception("call_failed", call=self.call.call_id)
            self.outcome = "failed"
            await self._finally_say("line_trouble")
        finally:
            if self._inflight:
                await asyncio.wait(self._inflight, timeout=self.settings.hub_bot_timeout + 5)
            try:
                if ended_by == "us":
                    await self.call.hang_up()
            finally:  # the caller is off the line first; then the hub hears of it, however it ended
                # (the line saw the hang-up, even one during our goodbye; else we ended the call)
                await self._tell_hub_ended(self.line.ended or ("transfer" if self.outcome == "transfer" else "local"))
                await self.hub.aclose()
            log.info("call_end", call=self.call.call_id, language=self.language, known=self.known,
                     outcome=self.outcome, turns=self.turn_count, ended_by=ended_by,
                     seconds=round(time.monotonic() - started, 1))

    async def _tell_hub_ended(self, reason: str) -> None:
        """The hub records the end and takes a caller who is gone out of the queue. The call is
        over whatever the hub answers: a hub that cannot be reached is logged, never raised."""
        try:
            await self.hub.end(reason, self.outcome, self.turn_count)
        except HubUnavailable as error:
            log.warning("call_end_not_recorded", call=self.call.call_id, reason=reason, error=str(error))
        except Exception as error:  # noqa: BLE001 - nothing may stop the call's cleanup
            log.warning("call_end_not_recorded", call=self.call.call_id, reason=reason, error=type(error).__name__)

    async def _finally_say(self, key: str) -> None:
        try:
            await self.say_prompt(key, interruptible=False)
        except CallEnded:
            pass
        except Exception:  # noqa: BLE001 - the goodbye itself failed; the call still ends
            log.warning("call_goodbye_failed", call=self.call.call_id)

    async def _greet(self) -> None:
        caller = await self.hub.start(self.call.caller)
        self.known = caller.known
        if caller.known:
            self.language = caller.language
            await self.say_prompt("welcome")
        else:
            for language in LANGUAGES:
                if await self.say_prompt("greet_unknown", language) is not None:
                    break

    async def _step(self) -> None:
        filler = await self._filler()
        heard = await self.line.listen(self.settings.voice_reprompt_seconds, self._judge, self._recognise,
                                       filler, self.settings.voice_max_gap_seconds)
        if heard.kind is HeardKind.SILENCE:
            await self._silence()
            return
        self.silences = 0
        if heard.kind is HeardKind.DIGIT:
            await self._digit(heard.digit)
        else:
            try:
                await self._turn(heard)
            finally:
                self._log_timing()

    # -- what the caller did ---------------------------------------------------------------------

    async def _silence(self) -> None:
        self.silences += 1
        if self.silences == 1:
            await self.say_prompt("reprompt")
        elif self.silences == 2:
            await self.say_prompt("keypad_offer")
        else:
            self.outcome = "no_answer"
            await self._exchange("", kind="choice", payload=HANDOFF)
            if not self.with_consultant:
                await self.say_prompt("no_answer_goodbye", interruptible=False)
                raise _Goodbye

    async def _digit(self, digit: str) -> None:
        if digit == "*":
            await self._repeat()
            return
        if self.language is None and digit in ("1", "2"):
            self.language = "zh" if digit == "1" else "en"
            log.info("call_language", call=self.call.call_id, language=self.language, by="keypad")
            await self.say_prompt("welcome")
            return
        numbered = self.choices and not is_yes_no(self.choices) and digit != "0"
        await self._exchange(digit, kind="text" if numbered else "digit")

    async def _turn(self, heard: Input) -> None:
        said = heard.heard
        if said is None or said.empty:
            await self.say_prompt("say_again")
            return
        if self.language is None:
            self.language = said.language
            log.info("call_language", call=self.call.call_id, language=self.language, by="speech")
        self._timing = _TurnTiming(speech_end=time.monotonic() - heard.quiet_seconds, taken=time.monotonic())
        if heard.filled:
            self._first_sound("one_moment")
        waited = {"told_to_wait": heard.filled}
        if wants_repeat(said.text, said.language):
            await self._repeat()
        elif wants_person(said.text, said.language):
            await self._exchange(said.text, kind="choice", payload=HANDOFF, confidence=said.confidence, **waited)
        elif said.intent is not None:
            await self._exchange(said.text, kind="choice", payload=said.intent, confidence=said.confidence,
                                 **waited)
        else:
            await self._exchange(said.text, kind="speech", confidence=said.confidence, **waited)

    async def _repeat(self) -> None:
        if not self.last_answer:
            await self.say_prompt("nothing_to_repeat")
            return
        await self._speak(self.last_answer, remember=False)

    # -- the hub --------------------------------------------------------------------------------

    async def _exchange(self, text: str, *, kind: str, payload: str | None = None,
                        confidence: float | None = None, told_to_wait: bool = False) -> None:
        """Send one input to the hub and speak what comes back, never leaving the line silent;
        ``told_to_wait``: "one moment" was said while the caller's words were made out."""
        self.turn_count += 1
        replies = await self._filled(self.hub.send(text, self.lang, kind=kind, payload=payload,
                                                   confidence=confidence), told_to_wait)
        if self._timing is not None:
            self._timing.hub = time.monotonic()
        await self._speak(replies)
        if replies and all(r.role == "holding" for r in replies):
            await self._slow_answer()
        if any(r.role == "family_link" for r in replies):
            await self._family_link()
        await self._check_owner()

    async def _slow_answer(self) -> None:
        """The engine said "one moment": its answer comes later, collected from the hub."""
        deadline = time.monotonic() + self.settings.voice_slow_answer_seconds
        told = time.monotonic()
        while time.monotonic() < deadline:
            await self.line.pause(self.settings.voice_poll_seconds)
            replies = await self.hub.pending()
            if replies:
                await self._speak(replies)
                return
            if time.monotonic() - told >= self.settings.voice_still_working_seconds:
                await self.say_prompt("still_working", interruptible=False)
                told = time.monotonic()
        log.warning("call_slow_answer_gave_up", call=self.call.call_id, seconds=self.settings.voice_slow_answer_seconds)
        if not self.with_consultant and not self._gave_up:  # a person, rather than more waiting
            self._gave_up, self.outcome = True, "handoff"
            try:
                await self._exchange("", kind="choice", payload=HANDOFF)
            finally:
                self._gave_up = False

    async def _filled(self, work: Awaitable[T], told_to_wait: bool = False) -> T:
        """Await ``work`` while the line is kept alive: "one moment" once the line has been silent
        for the longest allowed gap (counted from the end of the caller's turn when there is one:
        ``_sound_by``), "still looking" every ``voice_still_working_seconds`` after that; "still
        looking" first when the caller was ``told_to_wait`` already.

        The gap is kept even when the answer might come a moment after it: with ten callers at
        once, giving answers 0.8 s of grace left the median turn silent for 2.3 s and the longest
        for 3.1 s against a 2 s gap, and the answer began no sooner (3.07 s at the median against
        3.11 s with the gap kept)."""
        task = asyncio.ensure_future(work)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        if told_to_wait:
            next_word, key = time.monotonic() + self.settings.voice_still_working_seconds, "still_working"
        else:
            next_word, key = self._sound_by or time.monotonic() + self.settings.voice_max_gap_seconds, "one_moment"
        while not task.done():
            left = next_word - time.monotonic()
            if left <= 0:
                await self._say_meanwhile(key)
                next_word, key = time.monotonic() + self.settings.voice_still_working_seconds, "still_working"
                continue
            await self.line.pause(left, until=task)
        return task.result()

    async def _say_meanwhile(self, key: str) -> None:
        """Start a fixed prompt and return at once: an answer ready while it plays is made into
        speech meanwhile and follows it (waiting for "one moment" to end first put the answer
        0.7 s later at the median with ten callers at once)."""
        speech = await asyncio.to_thread(self.engines.speaker.prompt, key, self.lang, CALL_RATE)
        self._first_sound(key)
        self.call.play(speech.pcm)

    async def _check_owner(self) -> None:
        state = await self.hub.state()
        if state.status == "open" and not self.with_consultant:
            self.with_consultant = True
            if self.outcome == "bot":
                self.outcome = "handoff"

    async def _with_consultant(self) -> None:
        """A person owns the conversation: tell the wait, speak their replies, pass the caller's
        words on, until the conversation is handed back."""
        state = await self.hub.state()
        if state.status != "open":
            self.with_consultant = False
            return
        if state.waiting and state.position == 1:
            await self.say_prompt("queue_next")
        elif state.waiting and state.position:
            key, values = queue_prompt(state.position, self.settings.voice_queue_minutes_per_caller)
            await self.say_prompt(key, **values)
        else:
            await self.say_prompt("with_consultant_hold")
        transferable = state.waiting and bool(self.settings.voice_transfer_uri)
        if transferable:
            await self.say_prompt("transfer_offer")
        told = time.monotonic()
        failures = 0
        while time.monotonic() - told < self.settings.voice_hold_seconds:
            heard = await self.line.listen(self.settings.voice_poll_seconds, self._judge, self._recognise)
            if heard.kind is HeardKind.DIGIT and heard.digit == "*":
                await self._repeat()
            elif heard.kind is HeardKind.DIGIT and heard.digit == TRANSFER_KEY and transferable:
                await self._put_through()
                transferable = False
            elif heard.kind is HeardKind.DIGIT:
                await self._speak(await self.hub.send(heard.digit, self.lang, kind="digit"))
            elif heard.kind is HeardKind.TURN and heard.heard is not None and not heard.heard.empty:
                if wants_repeat(heard.heard.text, heard.heard.language):
                    await self._repeat()
                else:
                    self.turn_count += 1
                    await self._speak(await self.hub.send(heard.heard.text, self.lang, kind="speech",
                                                          confidence=heard.heard.confidence))
            try:
                replies = await self.hub.pending()
                owner = (await self.hub.state()).status
                failures = 0
            except HubUnavailable:
                failures += 1
                if failures >= HUB_FAILURES_TOLERATED:
                    raise
                continue
            if replies:
                await self._speak(replies)
                told = time.monotonic()
            if owner != "open":
                self.with_consultant = False
                return

    async def _family_link(self) -> None:
        """The engine asked for the year of birth (the caller wants their family link code):
        take it on the keypad or by voice, let the hub check it, read the code out twice."""
        for attempt in range(LINK_YEAR_TRIES):
            year = await self._year_of_birth()
            if year is None:
                await self.say_prompt("link_no_year")
                return
            answer = await self.hub.link_code(year)
            if answer.outcome == "issued" and answer.code:
                spoken = prompt_text("link_code", self.lang, code=spell_digits(answer.code, self.lang),
                                     hours=f"{answer.hours:g}")
                self.last_answer = [Reply(spoken)]  # "*" or "say that again" reads it once more
                await self.say_text(spoken, interruptible=False)
                return
            if answer.outcome == "wrong_year" and attempt + 1 < LINK_YEAR_TRIES:
                await self.say_prompt("link_wrong_year")
                continue
            break
        await self.say_prompt("link_refused")

    async def _year_of_birth(self) -> int | None:
        """Four keys, or a year said ("1948", "一九四八"); None after two silences."""
        keys = ""
        silences = 0
        while silences < 2:
            heard = await self.line.listen(self.settings.voice_reprompt_seconds, self._judge, self._recognise)
            if heard.kind is HeardKind.DIGIT and heard.digit.isdigit():
                keys += heard.digit
                if len(keys) == 4:
                    return int(keys)
            elif heard.kind is HeardKind.TURN and heard.heard is not None:
                year = year_in(heard.heard.text)
                if year is not None:
                    return year
                await self.say_prompt("link_ask_year_again")
            elif heard.kind is HeardKind.SILENCE:
                silences += 1
                keys = ""  # keys pressed before a pause are not half of the next try
                if silences < 2:
                    await self.say_prompt("link_ask_year_again")
        return None

    async def _put_through(self) -> None:
        """Blind transfer (SIP REFER) to the consultants' own phone. Once the network took the
        call, this session is over (its hand-off leaves the queue: the caller is with a person);
        if it did not, the caller keeps waiting here."""
        await self.say_prompt("transfer_now", interruptible=False)
        if await self.call.transfer(self.settings.voice_transfer_uri):
            self.outcome = "transfer"
            log.info("call_transferred", call=self.call.call_id)
            raise _Goodbye
        log.warning("call_transfer_refused", call=self.call.call_id)
        await self.say_prompt("transfer_failed")

    # -- speaking -------------------------------------------------------------------------------

    async def _speak(self, replies: list[Reply], remember: bool = True) -> None:
        """Say the replies, emergency advice first and uninterrupted; read out a reply's choices."""
        replies = sorted(replies, key=lambda r: r.role != "emergency")
        spoken = [r for r in replies if r.text.strip()]
        if remember and spoken and any(r.role not in ("holding", "notice") for r in spoken):
            self.last_answer = spoken
        if any(r.role == "emergency" for r in replies):
            self.outcome = "emergency"
        offering = [r for r in replies if r.buttons]
        if offering:
            self.choices = offering[-1].buttons
        elif any(r.role in ("answer", "consultant") for r in replies):
            self.choices = ()
        for reply in spoken:
            if await self.say_text(reply.text, interruptible=reply.role != "emergency") is not None:
                return
            if reply.buttons and await self._read_choices(reply.buttons) is not None:
                return

    async def _read_choices(self, buttons: tuple[Button, ...]) -> Interruption | None:
        if is_yes_no(buttons):
            return await self.say_prompt("yes_no_menu")
        for number, button in enumerate(buttons[:MAX_CHOICES_READ], start=1):
            interrupted = await self.say_prompt("choice_item", title=button.title, number=number)
            if interrupted is not None:
                return interrupted
        return None

    async def say_prompt(self, key: str, language: str | None = None, interruptible: bool = True,
                         **values: object) -> Interruption | None:
        language = language or self.lang
        if has_fields(key):
            return await self.say_text(prompt_text(key, language, **values), language, interruptible)
        speech = await asyncio.to_thread(self.engines.speaker.prompt, key, language, CALL_RATE)
        self._first_sound(key)
        return await self.line.play(speech.pcm, interruptible)

    async def say_text(self, text: str, language: str | None = None,
                       interruptible: bool = True) -> Interruption | None:
        """Speak ``text`` sentence by sentence: the next sentence is made while one plays."""
        sentences = iter(self.engines.speaker.speak(text, language or self.lang, CALL_RATE))
        upcoming = asyncio.ensure_future(asyncio.to_thread(next, sentences, None))
        while True:
            speech = await (upcoming if self._sound_by is None else self._filled(upcoming))
            if speech is None:
                return None
            upcoming = asyncio.ensure_future(asyncio.to_thread(next, sentences, None))
            self._first_sound("answer")
            interrupted = await self.line.play(speech.pcm, interruptible)
            if interrupted is not None:
                upcoming.cancel()
                return interrupted

    @property
    def _sound_by(self) -> float | None:
        """When the line, silent since the caller's turn ended, must sound again (see
        :meth:`_filled`); None once it has, or outside a turn."""
        timing = self._timing
        if timing is None or timing.first is not None:
            return None
        return timing.speech_end + self.settings.voice_max_gap_seconds

    def _first_sound(self, what: str) -> None:
        """Note the moment the line sounds again after the caller's turn (``what``: the answer or
        a prompt such as "one moment"), and when the answer itself begins."""
        timing = self._timing
        if timing is None:
            return
        now = time.monotonic()
        if timing.first is None:
            timing.first, timing.first_what = now, what
        if what == "answer" and timing.answer is None:
            timing.answer = now

    def _log_timing(self) -> None:
        """Log, once per turn, how long the caller heard nothing after they stopped speaking, and
        where that time went (turn end, recogniser and hub, voice), and when the answer began
        ("one moment" may come first): ``bench/voice_bench.py`` and operators read it."""
        timing, self._timing = self._timing, None
        if timing is None or timing.first is None:
            return
        end = timing.speech_end
        hub = timing.hub if timing.hub is not None else timing.first
        voiced = timing.answer if timing.answer is not None else timing.first
        answer = {} if timing.answer is None else {"answer_ms": round((timing.answer - end) * 1000)}
        log.info("call_turn_timing", call=self.call.call_id, first=timing.first_what,
                 silence_ms=round((timing.first - end) * 1000), turn_end_ms=round((timing.taken - end) * 1000),
                 hub_ms=round((hub - timing.taken) * 1000), voice_ms=round(max(0.0, voiced - hub) * 1000), **answer)

    # -- hearing --------------------------------------------------------------------------------

    async def _filler(self) -> bytes | None:
        """The "one moment" prompt in the caller's language, made once a call (None until the
        language is known)."""
        if self.language is None:
            return None
        if self._one_moment.get(self.language) is None:
            speech = await asyncio.to_thread(self.engines.speaker.prompt, "one_moment", self.language, CALL_RATE)
            self._one_moment[self.language] = speech.pcm
        return self._one_moment[self.language]

    def _recognise(self, audio: bytes) -> Heard:
        """Blocking: the turn's words, told to expect yes or no at a confirmation."""
        return self.engines.ears.hear(audio, self.language, yes_no=is_yes_no(self.choices))

    def _judge(self, audio: bytes) -> Verdict:
        """Blocking: has the caller finished? (see :mod:`voice.hotline.turns`) The words are
        recognised while the turn-end model listens, not after it: the verdict comes at the
        slower of the two rather than their sum (measured on a loaded 2-core machine: 350 ms for
        Smart Turn, 770-1060 ms for Whisper), and an unfinished verdict carries the words too,
        so a turn that ends at the silence cap is not recognised again."""
        model = self.engines.turn_model
        if model is None:
            return Verdict(False, None)
        words = _JUDGE_WORDS.submit(self._recognise, audio)
        try:
            finished = model.probability(audio, CALL_RATE) >= self.settings.voice_turn_threshold
        finally:
            heard = words.result()
        if not finished or (not heard.empty and sounds_unfinished(heard.text, heard.language, heard.last_word)):
            return Verdict(False, heard)
        return Verdict(True, heard)


class _Goodbye(Exception):
    """The session ends the call after saying goodbye."""
