"""Hostile input: hypothesis-generated updates through the real Application against the fake Bot API.

Command arguments (admin commands, /ask, /start payloads, /lang…), callback data (forged, over 64 bytes, other
users' buttons, announcement buttons, random text, buttons without a message), inline queries, captions, entities with
bogus offsets and lengths, and edited messages. One Application serves a whole hypothesis test. After every example:

* nothing reached the application's error handlers and nothing was logged at ERROR by the bot or PTB;
* every call the bot made was accepted by the fake server (which refuses malformed HTML with 400), every message is
  valid HTML of at most 4096 UTF-16 units, every callback query and inline query was answered;
* for non-admins: the database file (and its WAL) is byte for byte unchanged, and the knowledge is the same object.

Entities in the generated updates start and end on code points. Entities that cut a UTF-16 surrogate pair in half
(which Telegram does not produce, but anyone can put on the wire) are ignored (a regression test is at the end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fakeapi import Call, FakeBotApi
from fakeapi.entities import utf16_len
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_kit import ADMIN, BOT, UNPACED, RunningBot, db_digest, run_bot, sent_text_ok, text_ok

from bot.engine import KnowledgeBase
from tests.conftest import fresh_engine

pytestmark = pytest.mark.timeout(120)

USERS = (501, 502, 503)  # non-admins; each also has a private chat with the bot (chat id = user id)
GROUP = -600
ADMIN_COMMANDS = (
    "fact_add", "fact_edit", "fact_del", "facts", "event_add", "event_set", "history", "undo", "unanswered", "attach",
    "stats", "export", "reload", "announce", "schedule", "announcements", "cancel",
)  # fmt: skip
USER_COMMANDS = ("start", "help", "events", "lang", "ask", "subscribe", "unsubscribe", "nosuchcommand", "Start", "ASK")
PIECES = (
    "wuzhen", "Ô Trấn", "wiotc", "wic_wuzhen_2023", "wiotc_2023_theme", "wic_wuzhen_2023_admin_1", "อู๋ซี", "งาน", "hội nghị",
    "|", " | ", "lang=fr ", "lang=xx ", "lang=th ", "topics=figures", "source=https://example.org/x", "kind=summit", "year=2025",
    "date", "place", "theme", "names", "summary", "2025-06-12..2025-06-13", "2025-13-45", "in 2h", "tomorrow 09:00", "#1", "0",
    "-1", "99999999999999999999", "<b>", "</b>", "<i>x</i>", "<a href='javascript:x'>", "&amp;", "&", "&#0;", "&#x110000;", "<",
    ">", '"', "'", "\\", "\n", "\r\n", "\t", "\x00", "\u200b", "\u200d", "\u202e", "\ufeff", "\u0e31\u0e48", "\u0301", "😀", "👨‍👩‍👧",
    "🇹🇭", "@summit_test_bot", "@SUMMIT_TEST_BOT", "@other_bot", "/start", "/ask", "v1|ev|", "%s", "{}", "${x}", "' OR 1=1 --",
)  # fmt: skip
CHARS = st.characters(exclude_categories=("Cs",))  # JSON from Telegram never carries lone surrogates
text = st.one_of(
    st.text(CHARS, max_size=60),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(CHARS, max_size=12)), max_size=10).map("".join),
    st.builds(lambda piece, n: (piece * n)[:4096], st.sampled_from((*PIECES, "x", "ก่", "é ")), st.integers(300, 4096)),
)
nonempty = text.filter(lambda t: t.strip() != "")
FIELDS = ("v1", "v2", "ev", "dp", "src", "lang", "an", "send", "cancel", "auto", "en", "xx", "ua", "q", "a", "u", "")
callback_data = st.one_of(
    st.text(CHARS, max_size=80),
    st.lists(st.one_of(st.sampled_from(FIELDS), st.text(CHARS, max_size=10)), max_size=7).map("|".join),
    st.builds(
        lambda e, i, lang: f"v1|ev|{e}|{i}|{lang}",
        st.sampled_from(("wic_wuzhen_2023", "nope", "a" * 48, "Wuzhen", "x" * 70)),
        st.sampled_from(("event_summary", "event_when", "event_figures", "hack", "")),
        st.sampled_from(("en", "th", "zz", "")),
    ),
    st.builds(
        lambda v, e, lang: f"v1|{v}|{e}|{lang}",
        st.sampled_from(("dp", "src", "ev")),
        st.sampled_from(("wiotc_2023", "gone_event", "")),
        st.sampled_from(("fr", "vi", "??")),
    ),
    st.builds(lambda a, n: f"v1|an|{a}|{n}", st.sampled_from(("send", "cancel", "drop")), st.integers(-1, 10**13)),
    st.builds(
        lambda v, n, f: f"v1|ua|{v}|{n}{f}",  # /unanswered: likely facts, attach, undo
        st.sampled_from(("q", "a", "u", "x")),
        st.integers(-1, 10**19),
        st.sampled_from(("", "|wiotc_2023_theme", "|nope", "|Bad", "|")),
    ),
    st.builds(lambda n: "v1|ev|" + "y" * n, st.integers(58, 300)),  # longer than Telegram's 64 bytes
)
VALID_DATA = ("v1|ev|wic_wuzhen_2023|event_when|en", "v1|dp|wiotc_2023|fr", "v1|src|wtisd_2021|th", "v1|lang|fr")
ENTITY_TYPES = ("bot_command", "mention", "text_mention", "hashtag", "url", "text_link", "bold", "code", "pre", "spoiler", "custom_emoji", "cashtag", "email")


@dataclass
class Scene:
    """The running bot, and bot messages (with their buttons) to press: one per user's private chat, one in the group."""

    bot: RunningBot
    kb: KnowledgeBase
    bot_messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # chat id → a message the bot sent there
    buttons: list[str] = field(default_factory=list)  # real callback data of those messages
    user_messages: list[dict[str, Any]] = field(default_factory=list)  # messages users sent (edited later)


@pytest_asyncio.fixture
async def scene(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Scene]:
    """One bot for a whole hypothesis test, with its own engine (an admin's edit swaps it)."""
    # No reminders: a reminder falling due mid-test would be a legitimate write (the non-admin test compares bytes).
    # Hundreds of examples share one group: its 20-a-minute reply budget would make the run wait, not test anything.
    async with run_bot(
        api, tmp_path / "hostile.sqlite3", fresh_engine(kb), SUMMITBOT_REMINDER_DAYS="none", SUMMITBOT_GROUP_MESSAGES_PER_MINUTE="10000", **UNPACED
    ) as bot:
        s = Scene(bot, kb)
        assert bot.services.outgoing.pacer.limits.per_chat_interval == 1 / 1000  # the setting reaches the one pacer
        setup = [*((u, u, "private", "/start") for u in USERS), (GROUP, USERS[0], "group", "/events"), (ADMIN, ADMIN, "private", "/lang")]
        for chat, user, kind, command in setup:
            s.user_messages.append(api.send_text(command, chat_id=chat, user_id=user, chat_type=kind)["message"])
            await bot.settle()
            [reply] = [c for c in bot.sent(chat) if c.ok][-1:]
            s.bot_messages[chat] = reply.result
            rows = (reply.params.get("reply_markup") or {}).get("inline_keyboard") or []
            s.buttons += [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        assert s.buttons and not bot.errors
        yield s


# --- actions: each one queues an update at the fake server -------------------------------------------------------


def where(user: int, in_group: bool) -> dict[str, Any]:
    return {"chat_id": GROUP, "user_id": user, "chat_type": "group"} if in_group else {"chat_id": user, "user_id": user}


def snap(text_: str, offset: int) -> int:
    """Move a UTF-16 offset off the middle of a surrogate pair (entities start and end on code points)."""
    units = text_.encode("utf-16-le")
    if 0 < offset < len(units) // 2 and 0xDC00 <= int.from_bytes(units[2 * offset : 2 * offset + 2], "little") <= 0xDFFF:
        return offset + 1
    return offset


@st.composite
def entities_for(draw: st.DrawFn, text_: str) -> list[dict[str, Any]]:
    size = utf16_len(text_)
    out = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(ENTITY_TYPES))
        offset = snap(text_, draw(st.integers(0, size + 3)))
        end = snap(text_, offset + draw(st.integers(0, size + 3)))
        entity: dict[str, Any] = {"type": kind, "offset": offset, "length": end - offset}
        if kind == "text_mention":
            entity["user"] = {"id": draw(st.sampled_from((*USERS, 123456, ADMIN))), "is_bot": False, "first_name": "X"}
        elif kind == "text_link":
            entity["url"] = "https://example.org"
        elif kind == "custom_emoji":
            entity["custom_emoji_id"] = "1"
        elif kind == "pre":
            entity["language"] = draw(st.sampled_from(("", "python", "<b>")))
        out.append(entity)
    return out


@st.composite
def action(draw: st.DrawFn, commands: tuple[str, ...], actors: tuple[int, ...], safe: bool) -> tuple[str, dict[str, Any]]:
    """One hostile update, described as (kind, parameters). ``safe``: only what must not change the database."""
    user = draw(st.sampled_from(actors))
    in_group = draw(st.booleans())
    kinds = ["command", "entities", "callback", "callback_nomsg", "inline", "edit"]
    if not safe:
        kinds += ["text", "caption", "callback"]
    kind = draw(st.sampled_from(kinds))
    if kind == "command":
        name = draw(st.sampled_from(commands))
        at = draw(st.sampled_from(("", f"@{BOT}", "@other_bot", f"@{BOT.upper()}")))
        sep = draw(st.sampled_from((" ", "\n", "  ", "\t", "")))
        return kind, {"text": f"/{name}{at}{sep}{draw(text)}"[:4096], **where(user, in_group)}
    if kind == "text":
        body = draw(nonempty)
        if in_group and draw(st.booleans()):
            body = f"@{BOT} {body}"[:4096]
        return kind, {"text": body, **where(user, in_group)}
    if kind == "entities":
        body = draw(st.one_of(nonempty, st.sampled_from(commands).map(lambda c: f"/{c} 😀 x")))
        if not safe:
            return kind, {"text": body, "entities": draw(entities_for(body)), **where(user, in_group)}
        # Safe: still a command (its bot_command entity first), so that nothing is taken for a question (questions are
        # logged for /stats, a legitimate write); the other entities are as bogus as ever.
        name = draw(st.sampled_from(commands))
        body = f"/{name} {body}"[:4096]
        command_entity = {"type": "bot_command", "offset": 0, "length": len(name) + 1}
        return kind, {"text": body, "entities": [command_entity, *draw(entities_for(body))], **where(user, in_group)}
    if kind == "caption":
        return kind, {"caption": draw(st.one_of(st.none(), text.map(lambda t: t[:1024]))), "user": user, "in_group": in_group}
    if kind in ("callback", "callback_nomsg"):
        data = draw(st.one_of(callback_data, st.sampled_from(VALID_DATA), st.just("")))
        if safe and data.startswith("v1|lang|"):
            data = "v2" + data[2:]  # choosing a language is a legitimate write; forge it instead
        chat = draw(st.sampled_from((*USERS, GROUP)))  # pressing a button under another user's message
        return kind, {"data": data, "user": user, "chat": chat, "real_button": draw(st.booleans()) and not safe}
    if kind == "inline":
        return kind, {"query": draw(text)[:256], "user": user, "lang": draw(st.sampled_from((None, "en", "th", "vi", "fr", "zz", "pt-BR")))}
    edited = st.sampled_from(commands).map(lambda c: f"/{c} wuzhen | edited")  # an edited command is never run again
    return kind, {"text": draw(edited if safe else st.one_of(nonempty, edited)), "pick": draw(st.integers(0, 1000))}


#: Admin edits shaped to succeed, so that hostile text gets stored, then shown by answers, cards, /facts and /history.
SHAPED = (
    "fact_add wuzhen", "fact_add wiotc", "fact_edit wiotc_2023_theme", "event_set wiotc place", "event_set wiotc theme",
    "event_set wiotc names", "event_set wiotc summary", "event_set wiotc date", "event_add",
)  # fmt: skip
READERS = ("what was the theme of wiotc 2023", "where was wiotc 2023", "wiotc 2023", "wuzhen 2023 figures", "/facts wiotc", "/history", "/events")


@st.composite
def admin_action(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A hostile admin command, or an edit shaped to succeed with hostile text, or a question that shows the result."""
    choice, in_group = draw(st.integers(0, 2)), draw(st.booleans())
    if choice == 0:
        return draw(action(ADMIN_COMMANDS, (ADMIN,), safe=False))
    if choice == 1:
        shaped = draw(st.sampled_from(SHAPED))
        if shaped == "event_add":
            shaped = f"event_add hostile_{draw(st.integers(0, 10**6))}"
        lang = draw(st.sampled_from(("", "lang=fr ", "lang=th ", "lang=xx ")))
        return "command", {"text": f"/{shaped} | {lang}{draw(nonempty)}"[:4096], **where(ADMIN, in_group)}
    reader = draw(st.sampled_from(READERS))
    if in_group and not reader.startswith("/"):
        reader = f"@{BOT} {reader}"
    return "text", {"text": reader, **where(draw(st.sampled_from((ADMIN, *USERS))), in_group)}


def perform(s: Scene, kind: str, p: dict[str, Any]) -> None:
    api = s.bot.api
    if kind in ("command", "text", "entities"):
        sent = api.send_text(p.pop("text"), language_code="en", **p)
        s.user_messages.append(sent["message"])
    elif kind == "caption":
        api.send_photo(GROUP if p["in_group"] else p["user"], p["user"], p["caption"], chat_type="group" if p["in_group"] else None)
    elif kind == "callback":
        data = s.buttons[len(p["data"]) % len(s.buttons)] if p["real_button"] else p["data"]
        api.press_button(s.bot_messages[p["chat"]], data, p["user"], check_button=False)
    elif kind == "callback_nomsg":  # a button under an inline-mode message: no message, only inline_message_id
        query_id = api.state.unique("CQ")
        api.state.callback_queries[query_id] = None
        sender = {"id": p["user"], "is_bot": False, "first_name": "Eve", "language_code": "en"}
        api.push_update({"callback_query": {"id": query_id, "from": sender, "inline_message_id": "AAAA", "chat_instance": "ci", "data": p["data"]}})
    elif kind == "inline":
        api.inline_query(p["query"], p["user"], p["lang"])
    else:  # edit one of the messages users sent (questions and commands alike)
        api.edit_text(s.user_messages[p["pick"] % len(s.user_messages)], p["text"])


def not_modified(call: Call) -> bool:
    return call.method in ("editMessageText", "editMessageReplyMarkup") and "message is not modified" in str((call.error or {}).get("description"))


async def run_batch(s: Scene, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """Queue the batch, wait until the bot is done with it, and check everything it did meanwhile."""
    bot, api = s.bot, s.bot.api
    calls, errors, records = len(api.calls), len(bot.errors), len(bot.trap.records)
    queries, inline = set(api.state.callback_queries), set(api.state.inline_queries)
    for kind, params in batch:
        perform(s, kind, dict(params))
    await bot.settle(timeout=20)
    new_errors = bot.errors[errors:]
    assert not new_errors, f"reached the error handler: {[(type(e).__name__, str(e)) for _, e in new_errors]}"
    assert len(bot.trap.records) == records, bot.trap.describe(records)
    new = api.calls[calls:]
    # Refused calls: none, except editing a message into exactly what it already says (a /lang button pressed twice,
    # a list's keyboard retired by the first of two presses), which Telegram refuses with "message is not modified"
    # and the bot expects (callbacks.py).
    refused = [(c.method, c.error) for c in new if c.method != "getUpdates" and not c.ok and not not_modified(c)]
    assert not refused, f"the fake server refused: {refused}"
    for call in new:
        if call.method in ("sendMessage", "editMessageText"):
            sent_text_ok(call)
        elif call.method == "answerInlineQuery":  # the fake checks ids and counts; the messages are checked here
            for result in call.params["results"]:
                content = result["input_message_content"]
                assert str(result["title"]).strip()
                text_ok(content["message_text"], content.get("parse_mode"))
    assert all(v is not None for k, v in api.state.callback_queries.items() if k not in queries), "a callback query was never answered"
    assert all(v is not None for k, v in api.state.inline_queries.items() if k not in inline), "an inline query was never answered"


QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]  # one bot per test, big texts
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=QUIET)
EVERYTHING = ADMIN_COMMANDS + USER_COMMANDS


@SETTINGS
@given(batch=st.lists(action(EVERYTHING, USERS, safe=False), min_size=1, max_size=6))
async def test_hostile_updates_from_users_never_break_the_bot(scene: Scene, batch: list[tuple[str, dict[str, Any]]]) -> None:
    await run_batch(scene, batch)


@SETTINGS
@given(batch=st.lists(action((*ADMIN_COMMANDS, "lang", "help", "nosuchcommand"), USERS, safe=True), min_size=1, max_size=6))
async def test_non_admins_change_nothing(scene: Scene, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """Admin commands with hostile arguments, forged buttons (announcement Send included), inline queries and edits
    from non-admins: the database bytes and the knowledge stay exactly as they were."""
    kb, before = scene.bot.services.engine.kb, db_digest(scene.bot.db_path)
    await run_batch(scene, batch)
    assert db_digest(scene.bot.db_path) == before, "a non-admin batch changed the database"
    assert scene.bot.services.engine.kb is kb


@settings(max_examples=30, deadline=None, suppress_health_check=QUIET)
@given(batch=st.lists(admin_action(), min_size=1, max_size=3))
async def test_hostile_arguments_from_an_admin_never_break_the_bot(scene: Scene, batch: list[tuple[str, dict[str, Any]]]) -> None:
    """An admin's commands with hostile arguments are refused politely or applied, never an exception; hostile text
    that got stored is shown (answers, cards, buttons, /facts, /history) as valid HTML within Telegram's limits."""
    await run_batch(scene, batch)


# --- forged entities -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "entity"),
    [
        ("hi 😀 there", {"type": "mention", "offset": 4, "length": 1}),  # a mention ending inside the emoji
        ("/x😀 what", {"type": "bot_command", "offset": 0, "length": 3}),  # a command ending inside the emoji
    ],
    ids=["mention", "bot_command"],
)
async def test_an_entity_cutting_an_emoji_in_a_group_is_ignored(scene: Scene, body: str, entity: dict[str, Any]) -> None:
    api = scene.bot.api
    before = len(scene.bot.sent(GROUP))
    api.send_text(body, chat_id=GROUP, user_id=USERS[1], chat_type="group", entities=[entity])
    await scene.bot.settle()
    posted = [sent_text_ok(c) for c in scene.bot.sent(GROUP)[before:]]
    assert not scene.bot.errors, f"{len(scene.bot.errors)}× {type(scene.bot.errors[0][1]).__name__}; the bot posted {posted}"
