"""End-to-end tests: the real PTB Bot/Application against FakeBotApi over real HTTP."""

# ruff: noqa: F811  (pytest fixtures are imported explicitly and then requested by name)

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.telegram.services import SummitContext

from . import FakeBotApi, auto_entities, html_to_plain
from .fixtures import fake_api, fake_bot  # noqa: F401
from .limits import RateLimiter

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.timeout(20),
    pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning"),
]
AnyApp = Application[Any, Any, Any, Any, Any, Any]
CHAT = 42


def seconds(value: int | float | dtm.timedelta) -> float:
    """Normalise PTB's int-or-timedelta time periods."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def build_app(api: FakeBotApi) -> AnyApp:
    """A real PTB Application pointed at the fake server."""
    return ApplicationBuilder().token(api.token).base_url(api.base_url).base_file_url(api.base_file_url).build()


@contextlib.asynccontextmanager
async def polling(app: AnyApp) -> AsyncIterator[AnyApp]:
    """Run app with long polling for the duration of the block."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        await app.stop()
        await app.shutdown()


def echo_app(api: FakeBotApi, seen: list[int]) -> AnyApp:
    """/start greets, any other text is echoed back as a reply."""
    app = build_app(api)

    async def start(update: Update, context: SummitContext) -> None:
        seen.append(update.update_id)
        assert update.effective_message is not None
        await update.effective_message.reply_text("Welcome to <b>Summit</b>!", parse_mode="HTML")

    async def echo(update: Update, context: SummitContext) -> None:
        seen.append(update.update_id)
        message = update.effective_message
        assert message is not None and message.text is not None
        await message.reply_text(f"echo: {message.text}", do_quote=True)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def test_get_me(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    me = await fake_bot.get_me()
    assert me.username == "summit_test_bot"
    assert me.id == fake_api.bot_id == 123456
    assert me.is_bot and me.can_join_groups and me.supports_inline_queries
    assert fake_api.calls_of("getMe")[-1].ok


async def test_wrong_token_and_unknown_method(fake_api: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=fake_api.base_url):
            pass
    assert fake_api.calls_of("getMe")[-1].status == 401
    async with httpx.AsyncClient() as client:
        res = await client.post(f"{fake_api.base_url}{fake_api.token}/noSuchMethod")
        assert res.status_code == 404
        assert res.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        res = await client.get(f"{fake_api.base_url}{fake_api.token}/frobnicate?x=1")
        assert res.status_code == 404
        res = await client.post(f"{fake_api.base_url}{fake_api.token}/setChatTitle", data={"chat_id": "-5", "title": "123"})
        assert res.json() == {"ok": True, "result": True}
    call = fake_api.calls_of("setChatTitle")[-1]
    assert call.params == {"chat_id": -5, "title": "123"}


async def test_echo_application(fake_api: FakeBotApi) -> None:
    seen: list[int] = []
    async with polling(echo_app(fake_api, seen)):
        start = fake_api.send_text("/start", chat_id=CHAT, user_id=CHAT)
        reply = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == CHAT)
        assert reply.params["text"] == "Welcome to <b>Summit</b>!"
        assert reply.params["parse_mode"] == "HTML"
        assert reply.result["text"] == "Welcome to Summit!"
        assert reply.result["from"]["id"] == fake_api.bot_id

        hello = fake_api.send_text("hello @someone", chat_id=CHAT, user_id=CHAT)
        assert hello["message"]["entities"] == [{"type": "mention", "offset": 6, "length": 8}]
        echo = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == CHAT)
        assert echo.params["text"] == "echo: hello @someone"
        assert echo.params["reply_parameters"]["message_id"] == hello["message"]["message_id"]
        assert echo.result["reply_to_message"]["text"] == "hello @someone"
    assert seen == [start["update_id"], hello["update_id"]]
    assert [m["text"] for m in fake_api.sent_messages(CHAT)] == ["Welcome to Summit!", "echo: hello @someone"]
    assert fake_api.pending_updates() == 0


async def test_offsets_survive_polling_restart(fake_api: FakeBotApi) -> None:
    seen: list[int] = []
    app = echo_app(fake_api, seen)
    async with polling(app):
        first = fake_api.send_text("one", chat_id=CHAT, user_id=CHAT)
        await fake_api.wait_for("sendMessage")
        assert app.updater is not None
        await app.updater.stop()
        assert fake_api.pending_updates() == 0
        second = fake_api.send_text("two", chat_id=CHAT, user_id=CHAT)
        assert fake_api.pending_updates() == 1
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await fake_api.wait_for("sendMessage", lambda c: c.params["text"] == "echo: two")
    assert seen == [first["update_id"], second["update_id"]]
    assert [c.params["text"] for c in fake_api.calls_of("sendMessage")] == ["echo: one", "echo: two"]
    offsets = [c.params.get("offset") for c in fake_api.calls_of("getUpdates")]
    assert second["update_id"] + 1 in offsets


async def test_get_updates_offset_limit_and_long_poll(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    ids = [fake_api.send_text(f"m{i}", chat_id=CHAT, user_id=CHAT)["update_id"] for i in range(3)]
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert [u.update_id for u in await fake_bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await fake_bot.get_updates()] == ids  # unconfirmed: again
    assert [u.update_id for u in await fake_bot.get_updates(offset=ids[1])] == ids[1:]
    assert fake_api.pending_updates() == 2
    assert await fake_bot.get_updates(offset=ids[2] + 1, timeout=0) == ()
    assert fake_api.pending_updates() == 0

    began = time.monotonic()
    assert await fake_bot.get_updates(offset=ids[2] + 1, timeout=1) == ()
    assert 0.9 <= time.monotonic() - began < 3

    async def later() -> None:
        await asyncio.sleep(0.2)
        fake_api.send_text("late", chat_id=CHAT, user_id=CHAT)

    task = asyncio.create_task(later())
    began = time.monotonic()
    got = await fake_bot.get_updates(offset=ids[2] + 1, timeout=5)
    await task
    assert time.monotonic() - began < 2
    assert [u.message.text for u in got if u.message] == ["late"]


async def test_update_builders_parse_in_ptb(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    sent = await fake_bot.send_message(CHAT, "pick", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]]))
    msg = fake_api.send_text("/help@summit_test_bot now", chat_id=-7, user_id=5, chat_type="group", chat_title="Summit fans", username="ann")
    fake_api.edit_text(msg, "/help edited")
    fake_api.send_photo(CHAT, CHAT, caption="look")
    fake_api.press_button(sent.to_dict(), "go", user_id=CHAT)
    fake_api.inline_query("wuzhen", user_id=CHAT, language_code="fr")
    fake_api.my_chat_member(-7, "group", "member", "administrator", user_id=5)
    fake_api.migrate(-7, -1007)
    updates = await fake_bot.get_updates()
    assert len(updates) == 8
    m = updates[0].message
    assert m is not None and m.chat.title == "Summit fans" and m.chat.type == "group"
    assert m.parse_entities(["bot_command"]) and m.from_user and m.from_user.username == "ann"
    assert updates[1].edited_message and updates[1].edited_message.text == "/help edited"
    photo = updates[2].message
    assert photo is not None and photo.photo and photo.caption == "look"
    file = await photo.photo[-1].get_file()
    assert bytes(await file.download_as_bytearray()).startswith(b"\xff\xd8")
    query = updates[3].callback_query
    assert query and query.data == "go" and query.message and query.message.message_id == 1
    inline = updates[4].inline_query
    assert inline and inline.query == "wuzhen" and inline.from_user.language_code == "fr"
    member = updates[5].my_chat_member
    assert member and member.new_chat_member.status == "administrator"
    assert member.new_chat_member.user.id == fake_api.bot_id
    old, new = updates[6].message, updates[7].message
    assert old and old.migrate_to_chat_id == -1007
    assert new and new.migrate_from_chat_id == -7 and new.chat.type == "supergroup"


async def test_callback_query_flow(fake_api: FakeBotApi) -> None:
    app = build_app(fake_api)

    async def menu(update: Update, context: SummitContext) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="pick:a")]])
        await update.effective_message.reply_text("Pick one", reply_markup=keyboard)

    async def picked(update: Update, context: SummitContext) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Picked a")
        await query.edit_message_text("You picked a")

    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CallbackQueryHandler(picked))
    async with polling(app):
        fake_api.send_text("/menu", chat_id=CHAT, user_id=CHAT)
        shown = await fake_api.wait_for("sendMessage")
        assert shown.params["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "pick:a"}]]}
        with pytest.raises(ValueError):
            fake_api.press_button(shown, "pick:zzz", user_id=CHAT)
        press = fake_api.press_button(shown, "pick:a", user_id=CHAT)
        answer = await fake_api.wait_for("answerCallbackQuery")
        assert answer.ok and answer.params["text"] == "Picked a"
        edit = await fake_api.wait_for("editMessageText")
        assert edit.params["message_id"] == shown.result["message_id"]
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await app.bot.answer_callback_query(press["callback_query"]["id"])
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await app.bot.edit_message_text("You picked a", chat_id=CHAT, message_id=shown.result["message_id"])
    assert fake_api.sent_messages(CHAT)[-1]["text"] == "You picked a"
    assert "reply_markup" not in fake_api.sent_messages(CHAT)[-1]


async def test_inline_query_answer_and_validation(fake_api: FakeBotApi) -> None:
    app = build_app(fake_api)

    async def inline(update: Update, context: SummitContext) -> None:
        assert update.inline_query is not None
        results = [InlineQueryResultArticle(f"r{i}", f"Summit {i}", InputTextMessageContent(f"text {i}")) for i in range(3)]
        await update.inline_query.answer(results, cache_time=0)

    app.add_handler(InlineQueryHandler(inline))
    async with polling(app):
        fake_api.inline_query("summit", user_id=CHAT, language_code="en")
        call = await fake_api.wait_for("answerInlineQuery")
        assert call.ok and [r["id"] for r in call.params["results"]] == ["r0", "r1", "r2"]
        assert call.params["results"][0]["input_message_content"]["message_text"] == "text 0"
        assert call.params["cache_time"] == 0
    qid = fake_api.inline_query("x", user_id=CHAT, language_code="en")["inline_query"]["id"]
    async with telegram.Bot(fake_api.token, base_url=fake_api.base_url) as bot:

        def article(rid: str) -> InlineQueryResultArticle:
            return InlineQueryResultArticle(rid, "t", InputTextMessageContent("m"))

        with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
            await bot.answer_inline_query(qid, [article(str(i)) for i in range(51)])
        with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
            await bot.answer_inline_query(qid, [article("a"), article("a")])
        with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_INVALID"):
            await bot.answer_inline_query(qid, [article("x" * 65)])
        assert await bot.answer_inline_query(qid, [article("ok")])
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await bot.answer_inline_query(qid, [article("ok")])


async def test_retry_after(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    fake_api.fail_next("sendMessage", error_code=429, description="Too Many Requests: retry after 7", retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await fake_bot.send_message(CHAT, "hi")
    assert seconds(info.value.retry_after) == 7
    assert fake_api.stats["429"] == 1
    assert (await fake_bot.send_message(CHAT, "hi")).text == "hi"


async def test_forbidden(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    fake_api.block_chat(CHAT)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await fake_bot.send_message(CHAT, "hi")
    fake_api.block_chat(-5)
    with pytest.raises(Forbidden, match=r"(?i)kicked from the group chat"):
        await fake_bot.send_message(-5, "hi")
    fake_api.unblock_chat(CHAT)
    await fake_bot.send_message(CHAT, "back")


async def test_chat_migrated(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    fake_api.fail_next(
        "sendMessage",
        error_code=400,
        migrate_to_chat_id=-100999,
        chat_id=-9,
        description="Bad Request: group chat was upgraded to a supergroup chat",
    )
    await fake_bot.send_message(-8, "other chat unaffected")
    with pytest.raises(ChatMigrated) as info:
        await fake_bot.send_message(-9, "hi")
    assert info.value.new_chat_id == -100999
    fake_api.migrate(-10, -1001234)
    with pytest.raises(ChatMigrated) as info:
        await fake_bot.send_message(-10, "hi")
    assert info.value.new_chat_id == -1001234
    assert (await fake_bot.send_message(-1001234, "hi")).chat.type == "supergroup"


async def test_http_5xx_drop_and_delay(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    fake_api.fail_http_5xx("sendMessage", status=502)
    with pytest.raises(NetworkError) as info:
        await fake_bot.send_message(CHAT, "hi")
    assert type(info.value) is NetworkError and "502" in str(info.value)
    fake_api.fail_http_5xx("sendMessage", status=503)
    with pytest.raises(NetworkError):
        await fake_bot.send_message(CHAT, "hi")
    fake_api.drop_connection_next("sendMessage")
    with pytest.raises(NetworkError, match=r"(?i)disconnected"):
        await fake_bot.send_message(CHAT, "hi")
    await fake_api.wait_for("sendMessage", lambda c: c.status == 0)  # the dropped call
    fake_api.delay_next("sendMessage", 2)
    began = time.monotonic()
    with pytest.raises(TimedOut):
        await fake_bot.send_message(CHAT, "hi", read_timeout=0.2)
    assert time.monotonic() - began < 1.5
    await fake_api.wait_for("sendMessage", lambda c: c.status == 0)  # the abandoned slow call
    assert (await fake_bot.send_message(CHAT, "finally")).message_id == 1
    assert [c.status for c in fake_api.calls_of("sendMessage")] == [502, 503, 0, 0, 200]


async def test_drop_after_the_call_took_effect(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    fake_api.drop_connection_after_next("sendMessage")
    with pytest.raises(NetworkError, match=r"(?i)disconnected"):
        await fake_bot.send_message(CHAT, "delivered, but the bot never hears so")
    assert [m["text"] for m in fake_api.sent_messages(CHAT)] == ["delivered, but the bot never hears so"]
    assert (await fake_bot.send_message(CHAT, "next")).message_id == 2


async def test_text_validation(fake_bot: telegram.Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await fake_bot.send_message(CHAT, "x" * 4097)
    assert len((await fake_bot.send_message(CHAT, "x" * 4096)).text or "") == 4096
    tagged = "<b>" + "x" * 4096 + "</b>"
    assert (await fake_bot.send_message(CHAT, tagged, parse_mode="HTML")).text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await fake_bot.send_message(CHAT, "   ")
    for bad in ("<b>unclosed", "<foo>x</foo>", "<b><i>x</b></i>", "a < b", "<span>x</span>"):
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await fake_bot.send_message(CHAT, bad, parse_mode="HTML")
    ok = '<b>B</b> <a href="https://t.me">l</a> <span class="tg-spoiler">s</span> &lt;3'
    assert (await fake_bot.send_message(CHAT, ok, parse_mode="HTML")).text == "B l s <3"
    assert (await fake_bot.send_message(CHAT, "a < b")).text == "a < b"


async def test_rate_limiter_returns_429() -> None:
    api = FakeBotApi(enforce_limits=True)
    async with api, telegram.Bot(api.token, base_url=api.base_url) as bot:
        await bot.send_message(CHAT, "one")
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(CHAT, "two")
        assert seconds(info.value.retry_after) == 1
        assert api.stats["429"] == 1
        assert api.calls_of("sendMessage")[-1].error == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        }
        await bot.send_message(CHAT + 1, "other chat is fine")
        api.enforce_limits = False
        await bot.send_message(CHAT, "limits off")


async def test_rate_limiter_windows() -> None:
    limiter = RateLimiter(global_per_second=3, per_chat_per_second=1, per_group_per_minute=2)
    limiter.record(1, False, 10.0)
    assert limiter.retry_after(1, False, 10.5) == 1  # 1 msg/s per chat
    assert limiter.retry_after(2, False, 10.5) is None
    limiter.record(2, False, 10.6)
    limiter.record(3, False, 10.7)
    assert limiter.retry_after(4, False, 10.8) == 1  # global 3/s
    assert limiter.retry_after(1, False, 11.0) is None
    limiter.record(-5, True, 20.0)
    limiter.record(-5, True, 30.0)
    assert limiter.retry_after(-5, True, 40.0) == 40  # 20/min style window frees at 80.0


async def test_entity_helpers() -> None:
    assert html_to_plain('<pre><code class="language-py">x</code></pre>&amp;') == "x&"
    assert auto_entities("/start@summit_test_bot hi") == [{"type": "bot_command", "offset": 0, "length": 22}]
    assert auto_entities("🙂 @ann_b") == [{"type": "mention", "offset": 3, "length": 6}]


async def test_send_document_multipart(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    msg = await fake_bot.send_document(CHAT, document=b"%PDF-1.4 summit", filename="report.pdf", caption="<i>Report</i>", parse_mode="HTML")
    call = fake_api.calls_of("sendDocument")[-1]
    upload = call.files["document"]
    assert upload.filename == "report.pdf" and upload.data == b"%PDF-1.4 summit"
    assert call.params["chat_id"] == CHAT and call.params["caption"] == "<i>Report</i>"
    assert fake_api.uploads == [upload]
    assert msg.document and msg.document.file_name == "report.pdf" and msg.caption == "Report"
    file = await fake_bot.get_file(msg.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 summit"
    again = await fake_bot.send_document(CHAT, document=msg.document.file_id)
    assert again.document and again.document.file_id == msg.document.file_id


async def test_commands_members_chat_and_actions(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    await fake_bot.set_my_commands([("start", "Start"), ("help", "Help")])
    await fake_bot.set_my_commands([("start", "Démarrer")], language_code="fr")
    group_scope = telegram.BotCommandScopeAllGroupChats()
    await fake_bot.set_my_commands([("events", "Events")], scope=group_scope)
    assert [c.command for c in await fake_bot.get_my_commands()] == ["start", "help"]
    assert [c.description for c in await fake_bot.get_my_commands(language_code="fr")] == ["Démarrer"]
    assert fake_api.commands({"type": "all_group_chats"}) == [{"command": "events", "description": "Events"}]
    assert fake_api.calls_of("setMyCommands")[-1].params["scope"] == {"type": "all_group_chats"}
    await fake_bot.delete_my_commands(language_code="fr")
    assert await fake_bot.get_my_commands(language_code="fr") == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await fake_bot.set_my_commands([("Bad-Name", "x")])

    assert (await fake_bot.get_chat_member(-5, 7)).status == "member"
    for status in ("administrator", "creator", "restricted", "left", "kicked"):
        fake_api.set_member_status(-5, 7, status)
        assert (await fake_bot.get_chat_member(-5, 7)).status == status
    assert [m.status for m in await fake_bot.get_chat_administrators(-5)] == []
    fake_api.send_text("hi", chat_id=-100777, user_id=7, chat_type="supergroup", chat_title="Summit HQ")
    chat = await fake_bot.get_chat(-100777)
    assert chat.title == "Summit HQ" and chat.type == "supergroup"
    assert await fake_bot.send_chat_action(CHAT, "typing")
    with pytest.raises(BadRequest):
        await fake_bot.send_chat_action(CHAT, "dancing")
    assert await fake_bot.leave_chat(-100777)
    assert fake_api.chat_status(-100777, fake_api.bot_id) == "left"
    info = await fake_bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 1


async def test_wait_for_cursor_and_timeout(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    await fake_bot.send_message(1, "a")
    await fake_bot.send_message(2, "b")
    await fake_bot.send_message(1, "c")
    first = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1)
    second = await fake_api.wait_for("sendMessage", lambda c: c.params["chat_id"] == 1)
    assert (first.params["text"], second.params["text"]) == ("a", "c")
    assert (await fake_api.wait_for("sendMessage")).params["text"] == "b"
    with pytest.raises(TimeoutError):
        await fake_api.wait_for("sendMessage", timeout=0.2)
