"""The Telegram Bot API stand-in, exercised by the real python-telegram-bot (no internet).

Each test drives ``telegram.Bot`` or a ``telegram.ext.Application`` against the stand-in and checks what a
family member would see (the stored messages, keyboards, answers) and what the library raises for each
fault, so the stand-in stays faithful to the library the bot uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tests.standins.telegram_api import TelegramAPI

pytestmark = pytest.mark.anyio

OGG = b"OggS\x00\x02" + bytes(range(256)) * 8 + b"\r\n--boundary-lookalike\r\n"


@pytest.fixture
def anyio_backend() -> str:
    """python-telegram-bot runs on asyncio."""
    return "asyncio"


@pytest.fixture
def api() -> Iterator[TelegramAPI]:
    """A fresh stand-in per test."""
    with TelegramAPI() as standin:
        yield standin


@contextlib.asynccontextmanager
async def bot_for(api: TelegramAPI, **request: float) -> AsyncIterator[Bot]:
    """An initialized ``telegram.Bot`` on the stand-in; ``request`` sets HTTPXRequest timeouts."""
    from telegram.request import HTTPXRequest

    bot = Bot(
        api.token,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=HTTPXRequest(**request) if request else None,
    )
    async with bot:
        yield bot


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    """Run ``app`` in long-polling mode for the duration of the block, then shut it down cleanly."""
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def test_get_me_and_wrong_token(api: TelegramAPI) -> None:
    async with bot_for(api) as bot:  # initialize() already calls getMe
        me = await bot.get_me()
        assert (me.id, me.is_bot, me.username) == (api.bot.id, True, "careline_test_bot")
        assert bot.username == "careline_test_bot"
        # An unknown method answers 404 "Not Found"; do_api_request turns that into EndPointNotFound.
        with pytest.raises(EndPointNotFound, match="sendTelepathy"):
            await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    wrong = Bot("987654:wrong", base_url=api.base_url, base_file_url=api.base_file_url)
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        await wrong.initialize()  # getMe answered 401 Unauthorized
    assert [c.status for c in api.attempts("getMe")] == [200, 200, 401]


async def test_raw_protocol_json_form_and_errors(api: TelegramAPI) -> None:
    user = api.user(7, "Ana", "en")
    async with httpx.AsyncClient(base_url=api.url) as client:
        by_json = await client.post(f"/bot{api.token}/sendMessage", json={"chat_id": 7, "text": "json"})
        by_form = await client.post(f"/bot{api.token}/sendmessage", data={"chat_id": "7", "text": "123"})
        by_query = await client.get(f"/bot{api.token}/getMe")
        unknown = await client.post(f"/bot{api.token}/nope")
        unauthorized = await client.post("/bot1:bad/getMe")
        no_chat = await client.post(f"/bot{api.token}/sendMessage", json={"chat_id": 999, "text": "x"})
    assert by_json.json()["result"]["text"] == "json"
    assert by_form.json()["result"]["text"] == "123"  # a numeric text stays a string
    assert by_json.json()["result"]["from"]["is_bot"] is True
    assert by_query.json()["ok"] is True
    assert (unknown.status_code, unknown.json()) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    assert (unauthorized.status_code, unauthorized.json()["description"]) == (401, "Unauthorized")
    assert (no_chat.status_code, no_chat.json()["description"]) == (400, "Bad Request: chat not found")
    assert [m.message_id for m in api.sent(user.id)] == [1, 2]


async def test_polling_application_text_inline_keyboard_and_button_press(api: TelegramAPI) -> None:
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.effective_user is not None
        await context.bot.send_chat_action(update.message.chat_id, ChatAction.TYPING)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("预约 Book", callback_data="book"), InlineKeyboardButton("No", callback_data="no")]]
        )
        await update.message.reply_text(
            f"<b>Hi {update.effective_user.first_name}</b>, you said: {update.message.text}",
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer(f"chose {query.data}")
        await query.edit_message_reply_markup(reply_markup=None)
        await context.bot.send_message(query.message.chat.id, f"Booked: {query.data}")

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_press))
    mei = api.user(1001, "Mei", "zh-hans")
    async with polling(app):
        api.send_text(mei, "我想找日间照料")
        [reply] = await api.wait_for_async(mei.id)
        assert reply.text == "Hi Mei, you said: 我想找日间照料"
        assert reply.entities == [{"type": "bold", "offset": 0, "length": 6}]
        assert [(b.text, b.callback_data) for b in reply.buttons] == [("预约 Book", "book"), ("No", "no")]
        assert [a.action for a in api.chat_actions] == ["typing"]

        query_id = api.press_button(mei, reply, "book")
        answer = await api.wait_for_answer_async(query_id)
        assert (answer.text, answer.user_id, answer.message_id) == ("chose book", mei.id, reply.message_id)
        [confirmation] = await api.wait_for_async(mei.id)
        assert confirmation.text == "Booked: book"
        assert reply.buttons == [] and reply.edits[0]["reply_markup"]["inline_keyboard"]
        with pytest.raises(LookupError):
            api.press_button(mei, reply, "no")  # the keyboard is gone
    # The message ids are per chat and shared by both sides: user 1, bot 2, bot 3.
    assert [(m.message_id, m.from_bot) for m in api.messages(mei.id)] == [(1, False), (2, True), (3, True)]
    assert api.pending_updates() == []  # the updater confirmed everything when it stopped
    assert len(api.deliveries("sendMessage")) == 2


async def test_commands_deep_links_and_reply_keyboards(api: TelegramAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(
            f"args={context.args}",
            reply_markup=ReplyKeyboardMarkup([["中文", "English"]], resize_keyboard=True, one_time_keyboard=True),
        )

    async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("OK", reply_markup=ReplyKeyboardRemove())
        await update.message.reply_text("Your phone number?", reply_markup=ForceReply(selective=True))

    app = api.application_builder().build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.Regex("^(中文|English)$"), chosen))
    await app.bot.initialize()
    await app.bot.set_my_commands([("start", "开始"), ("help", "帮助")], language_code="zh")
    await app.bot.set_my_commands([("start", "Start")])
    assert [c.command for c in await app.bot.get_my_commands(language_code="zh")] == ["start", "help"]
    assert await app.bot.delete_my_commands(language_code="zh")
    assert await app.bot.get_my_commands(language_code="zh") == ()
    assert api.commands() == [{"command": "start", "description": "Start"}]

    lan = api.user(1002, "Lan", "zh-hans")
    async with polling(app):
        api.send_command(lan, "/start", "family_42")
        [welcome] = await api.wait_for_async(lan.id)
        assert welcome.text == "args=['family_42']"
        assert welcome.keyboard == [["中文", "English"]] and api.keyboard(lan.id) == [["中文", "English"]]
        api.send_text(lan, "中文")
        ok, question = await api.wait_for_async(lan.id, count=2)
        assert ok.removes_keyboard and api.keyboard(lan.id) is None
        assert question.forces_reply
    assert welcome.to_dict().get("reply_markup") is None  # reply keyboards are not echoed in a Message


async def test_a_double_tap_makes_two_callback_queries_each_answered_once(api: TelegramAPI) -> None:
    """Before the bot takes the keyboard away, a quick second tap is a second callback query (as on
    Telegram); each query is answered once, a second answer is refused, and once the keyboard is
    gone the button cannot be pressed."""
    mei = api.user(1004, "Mei", "zh-hans")
    async with bot_for(api) as bot:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(str(n), callback_data=f"p:rating:{n}")
                                          for n in range(1, 6)]])
        sent = await bot.send_message(mei.id, "请点一个分数", reply_markup=keyboard)
        [stored] = api.sent(mei.id)
        first, second = api.press_button(mei, stored, text="4"), api.press_button(mei, stored, text="4")
        assert first != second
        queries = [u["callback_query"] for u in api.pending_updates()]
        assert [(q["id"], q["data"], q["message"]["message_id"]) for q in queries] == \
            [(first, "p:rating:4", sent.message_id), (second, "p:rating:4", sent.message_id)]
        assert await bot.answer_callback_query(first)
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query(first)
        assert await bot.answer_callback_query(second, text="已经记下了")
        assert [(a.callback_query_id, a.text) for a in api.callback_answers] == [(first, None), (second, "已经记下了")]
        await bot.edit_message_reply_markup(mei.id, sent.message_id, reply_markup=None)
    with pytest.raises(LookupError):
        api.press_button(mei, stored, text="4")


async def test_formatting_edits_and_server_side_errors(api: TelegramAPI) -> None:
    chen = api.user(1003, "Chen", "en")
    async with bot_for(api) as bot:
        sent = await bot.send_message(
            chen.id,
            "  *Meals* at _Maple_ \\(9\\.30\\)  ",
            parse_mode=ParseMode.MARKDOWN_V2,
            reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("More", callback_data="more")),
        )
        assert sent.text == "Meals at Maple (9.30)"
        assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 5), ("italic", 9, 5)]
        assert sent.reply_markup is not None and sent.from_user is not None and sent.from_user.is_bot

        with pytest.raises(BadRequest, match="(?i)character '.' is reserved"):
            await bot.send_message(chen.id, "Open 9.30", parse_mode=ParseMode.MARKDOWN_V2)
        with pytest.raises(BadRequest, match='(?i)unsupported start tag "3" at byte offset 4'):
            await bot.send_message(chen.id, "age <3 years", parse_mode=ParseMode.HTML)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(chen.id, "   ")
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(chen.id, "x" * 4097)
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            too_long = InlineKeyboardButton("x", callback_data="d" * 65)
            await bot.send_message(chen.id, "x", reply_markup=InlineKeyboardMarkup.from_button(too_long))

        # Editing the text without reply_markup drops the keyboard, as on Telegram.
        edited = await bot.edit_message_text("Meals at Maple", chen.id, sent.message_id)
        assert isinstance(edited, type(sent)) and edited.edit_date is not None and edited.reply_markup is None
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("Meals at Maple", chen.id, sent.message_id)
        assert await bot.delete_message(chen.id, sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to delete not found"):
            await bot.delete_message(chen.id, sent.message_id)
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(424242, "hello?")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query("123")
        api.block(chen)
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await bot.send_message(chen.id, "still there?")
    [stored] = api.sent(chen.id)
    assert stored.deleted and stored.text == "Meals at Maple" and stored.edits[0]["text"] == "Meals at Maple (9.30)"
    assert stored.raw_text == "Meals at Maple" and stored.parse_mode is None


async def test_get_updates_long_poll_offset_and_conflict(api: TelegramAPI) -> None:
    dan = api.user(1004, "Dan", "en")
    async with bot_for(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=0) == ()
        assert time.monotonic() - started < 0.5

        threading.Timer(0.3, api.send_text, args=(dan, "late")).start()
        started = time.monotonic()
        [update] = await bot.get_updates(timeout=5)
        assert 0.25 < time.monotonic() - started < 2
        assert update.message is not None and update.message.text == "late"
        # Not confirmed yet: the same update comes again, until an offset above it is sent.
        assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update.update_id]
        assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()

        api.send_text(dan, "one")
        api.send_text(dan, "two")
        first, second = await bot.get_updates(timeout=0)
        assert second.update_id == first.update_id + 1
        assert [u.message.text for u in await bot.get_updates(offset=-1, timeout=0) if u.message] == ["two"]
        await bot.get_updates(offset=second.update_id + 1, timeout=0)

        # A second bot instance polling terminates the first one's poll, as on the real server. (One Bot
        # cannot poll twice at once: its getUpdates connection pool has a single connection.)
        waiting = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.2)
        async with bot_for(api) as other:
            assert await other.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="(?i)terminated by other getUpdates request"):
            await waiting


async def test_webhook_posts_with_secret_and_retries_failed_deliveries(api: TelegramAPI) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    answers = iter([500, 200, 200])

    async def hook(request: Request) -> Response:
        received.append((request.headers.get("x-telegram-bot-api-secret-token"), await request.json()))
        return Response(status_code=next(answers))

    async with serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as port:
        eve = api.user(1005, "Eve", "en")
        api.send_text(eve, "queued before the webhook")
        async with bot_for(api) as bot:
            assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_-")
            with pytest.raises(Conflict, match="(?i)webhook is active"):
                await bot.get_updates()
            await api.wait_until_async(lambda: len(api.webhook_deliveries) == 1)
            info = await bot.get_webhook_info()
            assert info.url.endswith("/hook") and info.pending_update_count == 0
            assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
            api.send_text(eve, "after")
            await api.wait_until_async(lambda: len(api.webhook_deliveries) == 2)
            assert await bot.delete_webhook()
            assert (await bot.get_webhook_info()).url == ""
    texts = [body["message"]["text"] for _, body in received]  # type: ignore[index]
    assert texts == ["queued before the webhook", "queued before the webhook", "after"]
    assert {secret for secret, _ in received} == {"s3cret_-"}
    assert [a.status for a in api.webhook_attempts] == [500, 200, 200]
    assert len({a.update_id for a in api.webhook_deliveries}) == 2  # each update accepted exactly once


async def test_application_in_webhook_mode(api: TelegramAPI) -> None:
    """The custom-webhook pattern of python-telegram-bot: a Starlette route checks the secret and feeds
    ``Update.de_json`` into the application's queue (``run_webhook`` itself needs tornado, not installed)."""
    secret = "careline_hook"
    app = api.application_builder().updater(None).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app.add_handler(MessageHandler(filters.TEXT, echo))

    async def telegram_route(request: Request) -> Response:
        if request.headers.get("x-telegram-bot-api-secret-token") != secret:
            return Response(status_code=403)
        await app.update_queue.put(Update.de_json(await request.json(), app.bot))
        return Response()

    async with serve(Starlette(routes=[Route("/telegram", telegram_route, methods=["POST"])])) as port, app:
        await app.start()
        await app.bot.set_webhook(f"http://127.0.0.1:{port}/telegram", secret_token=secret, drop_pending_updates=True)
        fay = api.user(1006, "Fay", "en")
        api.send_text(fay, "via webhook")
        [reply] = await api.wait_for_async(fay.id)
        await app.stop()
    assert reply.text == "echo: via webhook"
    assert [a.status for a in api.webhook_attempts] == [200]


async def test_voice_notes_get_file_download_and_uploads(api: TelegramAPI) -> None:
    gus = api.user(1007, "Gus", "zh-hant")
    voice_message = api.send_voice(gus, OGG, duration=3)
    async with bot_for(api) as bot:
        [update] = await bot.get_updates(timeout=0)
        assert update.message is not None and update.message.voice is not None
        voice = update.message.voice.to_dict()
        assert (voice["duration"], voice["mime_type"]) == (3, "audio/ogg")
        file = await update.message.voice.get_file()
        assert file.file_path is not None and file.file_path.startswith(f"{api.base_file_url}{api.token}/voice/")
        assert bytes(await file.download_as_bytearray()) == OGG

        sent = await bot.send_voice(gus.id, OGG, duration=2, caption="<i>回覆</i>", parse_mode=ParseMode.HTML)
        assert sent.voice is not None and sent.voice.mime_type == "audio/ogg" and sent.caption == "回覆"
        audio = await bot.send_audio(gus.id, b"ID3\x04fake-mp3", title="Reply", filename="reply.mp3")
        assert audio.audio is not None and audio.audio.mime_type == "audio/mpeg"
        again = await bot.send_voice(gus.id, voice_message.media["voice"]["file_id"])  # re-send by file_id
        assert again.voice is not None
        with pytest.raises(BadRequest, match="(?i)Invalid file_id"):
            await bot.get_file("nope")
    voice_out, audio_out, again_out = api.sent(gus.id)
    assert voice_out.kind == "voice" and voice_out.upload == OGG and voice_out.caption == "回覆"
    assert audio_out.upload == b"ID3\x04fake-mp3" and audio_out.media["audio"]["file_name"] == "reply.mp3"
    assert again_out.upload == OGG
    assert api.file_bytes(voice_out.media["voice"]["file_id"]) == OGG
    photo, sticker = api.send_photo(gus, caption="药盒"), api.send_sticker(gus)
    assert photo.to_dict()["photo"][-1]["width"] == 800 and sticker.to_dict()["sticker"]["type"] == "regular"


# PTB 22.8 warns about its own int-valued RetryAfter.retry_after while constructing the exception.
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
async def test_faults_surface_as_the_library_exceptions(api: TelegramAPI) -> None:
    hal = api.user(1008, "Hal", "en")
    async with bot_for(api, read_timeout=0.4) as bot:
        api.fail("sendMessage", status=429, retry_after=3)
        with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
            await bot.send_message(hal.id, "flood")
        api.fail("sendMessage", status=500)
        with pytest.raises(NetworkError, match="Internal Server Error") as caught:
            await bot.send_message(hal.id, "boom")
        assert not isinstance(caught.value, TimedOut)
        api.fail("sendMessage", times=2, status=502)
        for _ in range(2):
            with pytest.raises(NetworkError, match="Bad Gateway"):
                await bot.send_message(hal.id, "gateway")
        await bot.send_message(hal.id, "finally")

        api.down(True)
        with pytest.raises(NetworkError, match=r"Bad Gateway \(502\)\. Parsing the server response"):
            await bot.get_me()
        api.down(True, mode="drop")
        with pytest.raises(NetworkError, match="RemoteProtocolError"):
            await bot.send_message(hal.id, "dropped")
        api.down(False)

        api.slow("sendMessage", 1.0, times=1)
        with pytest.raises(TimedOut):
            await bot.send_message(hal.id, "slow but delivered")
        api.slow("sendMessage", 1.0, times=1, apply=False)
        with pytest.raises(TimedOut):
            await bot.send_message(hal.id, "slow and lost")
        await api.wait_until_async(lambda: len(api.attempts("sendMessage")) == 8 and api.attempts()[-1].finished)

    texts = [m.text for m in api.sent(hal.id)]
    assert texts == ["finally", "slow but delivered"]  # each delivered exactly once, the faulted ones never
    attempts = api.attempts("sendMessage")
    assert [c.fault for c in attempts] == ["fail", "fail", "fail", "fail", None, "down", "slow", "slow"]
    assert [c.params["text"] for c in api.deliveries("sendMessage")] == ["finally", "slow but delivered"]
    assert attempts[6].client_gone and attempts[6].delivered


async def test_polling_recovers_from_get_updates_failures(api: TelegramAPI) -> None:
    """The updater's retry loop: a 500 on getUpdates is retried after 1 s and nothing is lost."""

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "")

    app = api.application_builder().build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    ivy = api.user(1009, "Ivy", "en")
    api.fail("getUpdates", times=1, status=500)
    async with polling(app):
        api.send_text(ivy, "are you there?")
        [reply] = await api.wait_for_async(ivy.id, timeout=5)
    assert reply.text == "are you there?"
    statuses = [c.status for c in api.attempts("getUpdates")]
    assert statuses[0] == 500 and 200 in statuses
    assert len(api.deliveries("sendMessage")) == 1


@contextlib.asynccontextmanager
async def serve(app: Starlette) -> AsyncIterator[int]:
    """Serve a small ASGI app on a free loopback port inside the running event loop (a webhook receiver)."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task


def test_update_json_is_what_the_library_parses(api: TelegramAPI) -> None:
    """Every simulated update is a valid Bot API object for ``Update.de_json`` (no network needed)."""
    jo = api.user(1010, "Jo", "en", username="jo_family")
    api.send_command(jo, "help")
    api.send_text(jo, "see /help@careline_test_bot please")
    api.send_sticker(jo)
    family = api.group(-1001, "Jo's family")
    api.send_command(jo, "start", chat=family)
    updates = [Update.de_json(json.loads(json.dumps(u)), None) for u in api.pending_updates()]
    command, text, sticker, in_group = updates
    assert in_group.effective_chat is not None and in_group.effective_chat.type == "group"
    assert in_group.message is not None and in_group.message.text == "/start@careline_test_bot"
    assert [m.message_id for m in api.messages(family.id)] == [1]
    assert command.message is not None and command.message.text == "/help"
    assert command.message.entities[0].type == "bot_command"
    assert text.message is not None
    assert list(text.message.parse_entities(["bot_command"]).values()) == ["/help@careline_test_bot"]
    assert sticker.message is not None and sticker.message.sticker is not None
    assert command.effective_user is not None and command.effective_user.username == "jo_family"
