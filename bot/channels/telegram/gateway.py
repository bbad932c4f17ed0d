"""The family members' Telegram channel, on python-telegram-bot.

Each Telegram user is a :class:`~knowledge.models.ChannelAccount`; they act for one linked elder
at a time (``/elders`` switches). Every message goes to the hub as the conversation of that user
with that elder; every reply, and everything this channel says on its own, goes out through the
hub's outbox, so order is kept and nothing is lost when Telegram is unreachable.

Only private chats are served, and only new messages: an update from a group or channel, or an
edited message, is dropped before any handler sees it (see :meth:`TelegramGateway.gate`).

Receiving: an update is stored (``knowledge.inbox``) before it is acknowledged: polling moves its
offset past an update only once it is stored, the webhook answers 2xx only then, so a database
error leaves it with Telegram, which delivers it again; a second delivery of a stored update is
ignored. Updates of one chat are handled one at a time, in order; one whose handling failed (the
database was locked) is handled again later, and the hub receives it once (its ``external_id``),
and what the channel says about it is queued once (dedupe keys from the update id). Only one hub
polls at a time (a lease in the database); another takes over when the holder's lease runs out.
Voice notes are transcribed after the rate limit, on their own bounded worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import os
import socket
import threading
import uuid
import weakref
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker
from telegram import Chat, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import emergency
from bot.channels.telegram.deliverer import TelegramDeliverer
from bot.channels.telegram.keyboards import CHANNEL_OWN, PAYLOAD
from bot.channels.telegram.voice_notes import Busy, Transcriber, VoiceNotes
from bot.hub.hub import Hub
from bot.hub.messages import Button, Inbound, Kind, Reply
from careline import catalogue
from careline.catalogue import N_, say, say_both
from careline.secrets import LINK_CODES, secret
from careline.settings import Settings
from knowledge import inbox, leases, links
from knowledge.db import transaction
from knowledge.models import ChannelAccount, ChannelUpdate, Elder, utcnow

log = structlog.get_logger("careline.telegram")

CHANNEL = "telegram"
POLLING_LEASE = "telegram.polling"
VOICE_MARK = "🎤"  # what the transcript of a voice note that was not transcribed (rate limited) reads

#: what a family member is told for each outcome of /link (knowledge.links' refusals)
LINK_OUTCOMES = {"linked": N_("telegram.linked"), "linked_already": N_("telegram.linked_already"),
                 "malformed": N_("telegram.link_malformed"), "unknown": N_("telegram.link_unknown"),
                 "expired": N_("telegram.link_expired"), "used": N_("telegram.link_used"),
                 "too_many": N_("telegram.link_too_many")}


@dataclass
class _Handling:
    """The update a handler is working on: its stored id names what it causes, so handling it
    again after an error does nothing twice; a handler's error marks it failed."""

    row_id: int
    update_id: int
    said: int = 0
    failed: BaseException | None = None


_handling: contextvars.ContextVar[_Handling | None] = contextvars.ContextVar("telegram_update", default=None)


@dataclass(frozen=True)
class Who:
    """The account behind an update, and the elder it acts for (None: not linked, or must choose)."""

    account_id: int
    address: str
    language: str
    elder_id: int | None
    elder_name: str | None
    elders: tuple[tuple[int, str], ...]
    language_chosen: bool = False


class TelegramGateway:
    def __init__(self, hub: Hub, sessions: sessionmaker[Session], token: str, *, base_url: str, base_file_url: str,
                 default_language: str = "zh", transcribe: Transcriber | None = None, link_key: str,
                 link_limits: links.AttemptLimits | None = None,
                 voice_workers: int = 1, voice_queue: int = 10, poll_lease: float = 60.0,
                 poll_timeout: int = 30, update_lease: float = 300.0, update_attempts: int = 8,
                 retry_every: float = 2.0) -> None:
        self.hub = hub
        self.sessions = sessions
        self.default_language = default_language
        self.link_key = link_key
        self.link_limits = link_limits or links.AttemptLimits()
        self.voice_notes = VoiceNotes(transcribe, voice_workers, voice_queue) if transcribe is not None else None
        self.poll_lease = dt.timedelta(seconds=poll_lease)
        self.poll_timeout = poll_timeout
        self.update_lease = dt.timedelta(seconds=update_lease)
        self.update_attempts = update_attempts
        self.retry_every = retry_every
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.application: Application = (
            ApplicationBuilder().token(token).base_url(base_url).base_file_url(base_file_url)
            .connect_timeout(5).read_timeout(15).write_timeout(15).pool_timeout(5)
            .get_updates_read_timeout(35).concurrent_updates(True).updater(None)
            .build())
        self.deliverer = TelegramDeliverer(self.application.bot)
        self._tasks: list[asyncio.Task[None]] = []
        self._active: dict[int, asyncio.Task[None]] = {}  # stored update id → its handler
        self._chat_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        self.polling = False  # whether this hub holds the polling lease
        self._lease_lock = threading.Lock()
        self._lease_given_up = False
        self._register()

    # -- life cycle ----------------------------------------------------------------------------

    async def start(self, mode: str = "polling", webhook_url: str = "", secret: str = "") -> None:
        if mode == "webhook" and not secret:
            raise ValueError(" / ".join(say_both("cli.webhook_secret_missing").values()))
        await self.application.initialize()
        await self.application.start()
        if mode == "webhook":
            await self.application.bot.set_webhook(webhook_url, secret_token=secret,
                                                   allowed_updates=Update.ALL_TYPES)
        else:
            self._tasks.append(asyncio.create_task(self._poll(), name="telegram-polling"))
        self._tasks.append(asyncio.create_task(self._retry_stored(), name="telegram-retry"))
        log.info("telegram.started", mode=mode)

    async def _poll(self) -> None:
        """Long polling while this hub holds the polling lease, with back-off; an unreachable Bot
        API or database never stops the channel. The offset moves past updates once they are stored."""
        offset: int | None = None
        wait = 1.0
        while True:
            try:
                if not await asyncio.to_thread(self._hold_polling_lease):
                    if self.polling:
                        log.info("telegram.polling_lost")
                    self.polling, offset = False, None
                    await asyncio.sleep(min(5.0, self.poll_lease.total_seconds() / 4))
                    continue
                if not self.polling:
                    log.info("telegram.polling_taken", holder=self.holder)
                    self.polling = True
                    await self.application.bot.delete_webhook()
                updates = await self.application.bot.get_updates(offset=offset, timeout=self.poll_timeout,
                                                                 allowed_updates=Update.ALL_TYPES)
                if updates:
                    fresh = await asyncio.to_thread(self._store, updates)
                    offset = updates[-1].update_id + 1
                    for row_id, update in fresh:
                        self._dispatch(row_id, update)
                wait = 1.0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the Bot API or the database: the updates stay with Telegram
                log.info("telegram.poll_failed", error=type(error).__name__, wait=wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, 30.0)

    def _hold_polling_lease(self) -> bool:
        """Runs in a thread that a stopping hub cannot cancel: the lock and the flag keep a renewal
        still on its way from landing after the release (the next hub would wait a whole lease)."""
        with self._lease_lock:
            if self._lease_given_up:
                return False
            with transaction(self.sessions) as session:
                return leases.hold(session, POLLING_LEASE, self.holder, self.poll_lease)

    async def process(self, data: dict[str, Any]) -> bool:
        """An update posted to the hub's webhook. False when it could not be stored: the webhook
        must then answer with an error, so that Telegram delivers it again."""
        try:
            update = Update.de_json(data, self.application.bot)
            fresh = await asyncio.to_thread(self._store, [update])
        except Exception as error:
            log.warning("telegram.store_failed", error=type(error).__name__)
            return False
        for row_id, stored in fresh:
            self._dispatch(row_id, stored)
        return True

    def _store(self, updates: list[Update]) -> list[tuple[int, Update]]:
        """Store updates not seen before; returns the new ones (this hub handles them next)."""
        keys = {self._key(u): u for u in updates}
        with transaction(self.sessions) as session:
            rows = inbox.store(session, CHANNEL, [(key, u.to_dict()) for key, u in keys.items()], self.update_lease)
            new = {row.external_id: row.id for row in rows}
        if len(new) < len(updates):
            log.info("telegram.updates_seen_before", count=len(updates) - len(new))
        return [(new[key], u) for key, u in keys.items() if key in new]

    def _key(self, update: Update) -> str:
        """Update ids are counted per bot."""
        return f"{self.application.bot.id}:{update.update_id}"

    def _dispatch(self, row_id: int, update: Update) -> None:
        if row_id not in self._active:
            self._active[row_id] = asyncio.create_task(self._handle_stored(row_id, update),
                                                       name=f"telegram-update-{update.update_id}")

    async def _handle_stored(self, row_id: int, update: Update) -> None:
        """Handle one stored update after the earlier ones of its chat, and record the outcome."""
        chat = update.effective_chat
        key = str(chat.id) if chat is not None else f"update:{update.update_id}"
        lock = self._chat_locks.get(key)
        if lock is None:
            lock = self._chat_locks[key] = asyncio.Lock()
        try:
            async with lock:
                handling = _Handling(row_id, update.update_id)
                token = _handling.set(handling)
                try:
                    await self.application.process_update(update)
                except Exception as error:  # process_update routes handler errors to on_error; this is the rest
                    handling.failed = error
                finally:
                    _handling.reset(token)
            await self._record_outcome(row_id, update.update_id, handling.failed)
        finally:
            self._active.pop(row_id, None)

    async def _record_outcome(self, row_id: int, update_id: int, failed: BaseException | None) -> None:
        """Write what became of an update, trying again while the database is unavailable; if it
        never is, the update's lease runs out and it is handled again (the hub receives it once)."""
        for attempt in range(6):
            try:
                await asyncio.to_thread(self._write_outcome, row_id, update_id, failed)
                return
            except Exception as error:
                log.info("telegram.update_outcome_failed", update=update_id, error=type(error).__name__)
                await asyncio.sleep(min(2.0 ** attempt, 10.0))
        log.warning("telegram.update_outcome_lost", update=update_id)

    def _write_outcome(self, row_id: int, update_id: int, failed: BaseException | None) -> None:
        with transaction(self.sessions) as session:
            if failed is None:
                inbox.mark_done(session, row_id)
                return
            row_attempts = session.get(ChannelUpdate, row_id).attempts
            give_up = row_attempts >= self.update_attempts
            retry_at = None if give_up else utcnow() + dt.timedelta(seconds=min(60.0, 2.0 ** row_attempts))
            inbox.mark_failed(session, row_id, f"{type(failed).__name__}", retry_at)
        log.warning("telegram.update_given_up" if give_up else "telegram.update_failed", update=update_id,
                    attempt=row_attempts, error=type(failed).__name__)

    async def _retry_stored(self) -> None:
        """Handle again the stored updates whose handling failed, or whose hub died mid-way; now
        and then forget the handled ones past Telegram's redelivery window."""
        forgotten = asyncio.get_running_loop().time()
        while True:
            await asyncio.sleep(self.retry_every)
            try:
                for row_id, update in await asyncio.to_thread(self._claim_stored):
                    self._dispatch(row_id, update)
                if asyncio.get_running_loop().time() - forgotten > 3600:
                    forgotten = asyncio.get_running_loop().time()
                    await asyncio.to_thread(self._forget_handled)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.info("telegram.retry_failed", error=type(error).__name__)

    def _forget_handled(self) -> None:
        with transaction(self.sessions) as session:
            inbox.forget(session, CHANNEL)

    def _claim_stored(self) -> list[tuple[int, Update]]:
        with transaction(self.sessions) as session:
            rows = inbox.claim_due(session, CHANNEL, self.update_lease, exclude=list(self._active))
            return [(row.id, Update.de_json(row.payload, self.application.bot)) for row in rows]

    async def stop(self) -> None:
        unfinished = list(self._active)
        for task in [*self._tasks, *self._active.values()]:
            task.cancel()
        for task in [*self._tasks, *self._active.values()]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if unfinished:  # due again at once, for whichever hub runs next, rather than when the lease ends
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._release_updates, unfinished)
        try:
            await asyncio.to_thread(self._release_polling_lease)
        except Exception as error:  # the lease then runs out by itself
            log.warning("telegram.polling_release_failed", error=type(error).__name__)
        if self.voice_notes is not None:
            self.voice_notes.close()
        await self.application.stop()
        await self.application.shutdown()

    def _release_updates(self, row_ids: list[int]) -> None:
        with transaction(self.sessions) as session:
            inbox.release(session, row_ids)

    def _release_polling_lease(self) -> None:
        with self._lease_lock:
            self._lease_given_up = True
            with transaction(self.sessions) as session:
                leases.release(session, POLLING_LEASE, self.holder)

    # -- handlers ------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.application
        app.add_handler(TypeHandler(Update, self.gate), group=-1)
        app.add_handler(CommandHandler("start", self.on_start))
        app.add_handler(CommandHandler("help", self.on_help))
        app.add_handler(CommandHandler("link", self.on_link))
        app.add_handler(CommandHandler("elders", self.on_elders))
        app.add_handler(CommandHandler("language", self.on_language))
        app.add_handler(CommandHandler("bookings", self.on_bookings))
        app.add_handler(CommandHandler("human", self.on_human))
        app.add_handler(CallbackQueryHandler(self.on_button))
        app.add_handler(MessageHandler(filters.VOICE | filters.AUDIO, self.on_voice))
        app.add_handler(MessageHandler(filters.COMMAND, self.on_help))  # an unknown command: show what there is
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(MessageHandler(filters.ALL, self.on_other))
        app.add_error_handler(self.on_error)

    async def gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Let through only what a family member does in their private chat with the bot.

        A group, supergroup or channel is never linked nor told anything personal: the update is
        dropped without an answer (anyone in a group could read it). An edited message is dropped
        too: an edited "yes" must not confirm a booking long offered since, nor an edited
        ``/link`` try a code. In a private chat the chat is the user, so a forged update that pairs
        one user with another chat is dropped as well."""
        reason = _not_served(update)
        if reason is not None:
            log.info("telegram.update_ignored", reason=reason, update=update.update_id)
            raise ApplicationHandlerStop

    async def on_start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        if who.elder_name:
            await self._say(who, say("telegram.welcome_back", who.language, elder=who.elder_name))
        else:
            await self._say(who, say("telegram.welcome", who.language))

    async def on_help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        await self._say(who, say("telegram.help", who.language))

    async def on_link(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        code = " ".join(context.args or [])
        if not code:
            context.user_data["awaiting_code"] = True
            await self._say(who, say("telegram.ask_code", who.language))
            return
        await self._redeem(who, code)

    async def _redeem(self, who: Who, code: str) -> None:
        outcome = await asyncio.to_thread(self._redeem_sync, who.account_id, code)
        log.info("telegram.link", account=who.account_id, outcome=outcome[0])
        said = LINK_OUTCOMES.get(outcome[0], N_("telegram.link_unknown"))
        await self._say(who, say(said, who.language, elder=outcome[1]))

    def _redeem_sync(self, account_id: int, code: str) -> tuple[str, str]:
        result = links.redeem_limited(self.sessions, account_id, code, key=self.link_key, limits=self.link_limits)
        if result.elder is None:
            return str(result.refusal), ""
        return ("linked_already" if result.already else "linked"), result.elder.name

    async def on_elders(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        if not who.elders:
            await self._say(who, say("telegram.need_link", who.language))
            return
        buttons = tuple(Button(("✓ " if elder_id == who.elder_id else "") + name, CHANNEL_OWN + f"elder:{elder_id}")
                        for elder_id, name in who.elders)
        await self._say(who, say("telegram.elders", who.language), buttons)

    async def on_language(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        await self._say(who, say("telegram.choose_language", who.language),
                        tuple(Button(say("language.own_name", lang), CHANNEL_OWN + f"lang:{lang}")
                              for lang in catalogue.LANGUAGES))

    async def on_bookings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._to_hub(update, "/my_bookings", Kind.CHOICE, payload="/my_bookings")

    async def on_human(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await self._to_hub(update, "/human", Kind.CHOICE, payload="/human_handoff")

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        text = update.effective_message.text or ""
        if context.user_data.pop("awaiting_code", False) and links.normalise_code(text):
            await self._redeem(await self._who(update), text)
            return
        await self._to_hub(update, text, Kind.TEXT)

    async def on_voice(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = await self._who(update)
        if self.voice_notes is None:
            await self._say(who, say("telegram.only_text", who.language))
            return
        if who.elder_id is None:  # not linked, or must say for whom: no need to transcribe
            await self._to_hub(update, "", Kind.SPEECH, who=who)
            return
        if self.hub.limiter is not None and not self.hub.limiter.would_allow(f"{CHANNEL}:{_conversation(who)}"):
            await self._to_hub(update, VOICE_MARK, Kind.SPEECH, who=who)  # the hub counts it and asks to slow down
            return
        voice = update.effective_message.voice or update.effective_message.audio
        try:
            data = bytes(await (await voice.get_file()).download_as_bytearray())
            text = (await self.voice_notes.text_of(data, who.language)).strip()
        except Busy:
            log.info("telegram.voice_busy")
            await self._say(who, say("telegram.voice_busy", who.language))
            return
        except Exception as error:
            log.warning("telegram.voice_failed", error=type(error).__name__)
            text = ""
        if not text:
            await self._say(who, say("telegram.voice_unclear", who.language))
            return
        await self._to_hub(update, text, Kind.SPEECH, who=who)

    async def on_other(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is None or update.effective_chat is None:
            return
        who = await self._who(update)
        await self._say(who, say("telegram.only_text", who.language))

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        data = query.data or ""
        await _quietly(query.answer())
        await _quietly(query.edit_message_reply_markup(reply_markup=None))
        who = await self._who(update)
        if data.startswith("lang:") and data[5:] in ("zh", "en"):
            await asyncio.to_thread(self._set_language, who.account_id, data[5:])
            await self.hub.choose_language(CHANNEL, who.account_id, data[5:])
            await self._say(Who(who.account_id, who.address, data[5:], who.elder_id, who.elder_name, who.elders),
                      say("telegram.language_set", data[5:]))
        elif data.startswith("elder:") and data[6:].isdigit():
            name = await asyncio.to_thread(self._select, who.account_id, int(data[6:]))
            await self._say(who, say("telegram.elder_selected", who.language, elder=name) if name
                      else say("telegram.not_your_elder", who.language))
        elif data.startswith(PAYLOAD):
            title = _title_of(query, data)
            await self._to_hub(update, title or data[len(PAYLOAD):], Kind.CHOICE, payload=data[len(PAYLOAD):])

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A handler failed (the database was locked, …): the update is handled again later."""
        handling = _handling.get()
        if handling is not None:
            handling.failed = context.error
        log.error("telegram.handler_failed", error=type(context.error).__name__,
                  update=handling.update_id if handling else None)

    # -- helpers -------------------------------------------------------------------------------

    async def _to_hub(self, update: Update, text: str, kind: Kind, payload: str | None = None,
                      who: Who | None = None) -> None:
        who = who or await self._who(update)
        urgent = ((not who.elders or who.elder_id is None) and kind is Kind.TEXT
                  and emergency.detect(text) is not None)  # the hub reads every message anyway
        if not who.elders and not urgent:  # danger now is answered whoever writes, linked or not
            await self._say(who, say("telegram.need_link", who.language))
            return
        if who.elder_id is None and not urgent:
            await self._say(who, say("telegram.for_whom", who.language),
                      tuple(Button(name, CHANNEL_OWN + f"elder:{elder_id}") for elder_id, name in who.elders))
            return
        await self.hub.handle(Inbound(channel=CHANNEL, conversation=_conversation(who),
                                      address=who.address, text=text, kind=kind, payload=payload,
                                      language=who.language, language_chosen=who.language_chosen,
                                      elder_id=who.elder_id, account_id=who.account_id,
                                      external_id=_received_as(update)))

    async def _who(self, update: Update) -> Who:
        user, chat = update.effective_user, update.effective_chat
        code = user.language_code if user else None
        language = catalogue.language(code, self.default_language)
        return await asyncio.to_thread(self._who_sync, str(user.id), str(chat.id), language)

    def _who_sync(self, user_id: str, chat_id: str, language: str) -> Who:
        with transaction(self.sessions) as session:
            account = links.account_for(session, CHANNEL, user_id, chat_id, language)
            elders = links.linked_elders(session, account)
            selected = account.selected_elder_id
            if selected not in {e.id for e in elders}:
                selected = elders[0].id if len(elders) == 1 else None
                account.selected_elder_id = selected
            name = next((e.name for e in elders if e.id == selected), None)
            return Who(account.id, account.address, account.language, selected, name,
                       tuple((e.id, e.name) for e in elders), bool(account.language_chosen))

    def _set_language(self, account_id: int, language: str) -> None:
        with transaction(self.sessions) as session:
            account = session.get(ChannelAccount, account_id)
            account.language, account.language_chosen = language, True

    def _select(self, account_id: int, elder_id: int) -> str | None:
        """Act for an elder, if linked; a family member never reaches an elder not linked to them."""
        with transaction(self.sessions) as session:
            account = session.get(ChannelAccount, account_id)
            if not links.is_linked(session, account, elder_id):
                return None
            account.selected_elder_id = elder_id
            return session.get(Elder, elder_id).name

    async def _say(self, who: Who, text: str, buttons: tuple[Button, ...] = ()) -> None:
        """Queue what the channel says itself, behind any replies already queued for the chat;
        once, when the update is handled again after an error."""
        handling = _handling.get()
        key = None
        if handling is not None:
            key = f"{CHANNEL}:{handling.row_id}:{handling.said}"
            handling.said += 1
        await self.hub.notify(CHANNEL, who.address, Reply(text, buttons, role="channel"), dedupe_key=key)


def _received_as(update: Update) -> str | None:
    """The hub's id of the message an update carries: its stored row (set while it is handled)."""
    handling = _handling.get()
    return f"{CHANNEL}:{handling.row_id}" if handling is not None else None


def _conversation(who: Who) -> str:
    """The hub's conversation of a family member about one elder."""
    return f"{who.account_id}:{who.elder_id}"


def link_settings(settings: Settings) -> dict[str, Any]:
    """The gateway's link-code arguments from the settings."""
    return {"link_key": secret(LINK_CODES, settings),
            "link_limits": links.AttemptLimits(settings.link_attempts_per_account, settings.link_attempts_overall,
                                               dt.timedelta(seconds=settings.link_attempts_window))}


def _not_served(update: Update) -> str | None:
    """Why an update is not for this channel, or None when it is."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        return "edited"
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return "no_chat"
    if chat.type != Chat.PRIVATE:
        return "not_private"
    if chat.id != user.id:
        return "chat_not_user"
    return None


def _title_of(query: Any, data: str) -> str | None:
    markup = query.message.reply_markup if query.message else None
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def _quietly(call: Awaitable[Any]) -> None:
    """Answering a button or clearing its keyboard is a courtesy, not a must."""
    with contextlib.suppress(Exception):
        await call
