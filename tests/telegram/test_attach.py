"""/unanswered → attach a logged question to a fact as an alternate question, by command, buttons or reply; undo."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import Call, FakeBotApi
from harness import ADMIN, UNPACED, Harness, buttons, make_settings, plain

from bot.engine import Fact, KnowledgeBase
from bot.telegram.app import build_application, running
from tests.conftest import NOW, fresh_engine

pytestmark = pytest.mark.timeout(90)
USER = 555
SIGNED = "world_iot_expo_2021_signed_projects"
ASKED = "What did they sign in the end?"
QUESTION = "what did they sign in the end?"  # as the question log keeps it (casefolded)


@pytest_asyncio.fixture
async def edit_bot(api: FakeBotApi, kb: KnowledgeBase, tmp_path: Path) -> AsyncIterator[Harness]:
    """A bot with its own engine (edits swap it), on a fresh database."""
    assert api.root is not None
    settings = make_settings(api.root, tmp_path / "bot.sqlite3", **UNPACED)
    async with running(build_application(settings, fresh_engine(kb)), poll_timeout=1) as app:
        yield Harness(api, app, settings)


async def command(bot: Harness, text: str, user: int = ADMIN, **kw: object) -> tuple[str, Call | None]:
    """Send a message and return everything the bot answered, and its last message."""
    before = len(bot.sent_to(user))
    bot.api.send_text(text, chat_id=user, user_id=user, **kw)  # type: ignore[arg-type]
    await bot.settle()
    sent = [c for c in bot.sent_to(user)[before:] if c.ok]
    return "\n".join(plain(c) for c in sent), (sent[-1] if sent else None)


async def press(bot: Harness, message: Call, data: str, user: int = ADMIN) -> tuple[str, Call | None]:
    """Press a button of a bot message; return what the bot sent after it (and its last message)."""
    before = len(bot.sent_to(message.params["chat_id"]))
    bot.api.press_button(message, data, user_id=user)
    await bot.settle()
    sent = [c for c in bot.sent_to(message.params["chat_id"])[before:] if c.ok]
    return "\n".join(plain(c) for c in sent), (sent[-1] if sent else None)


def fact(bot: Harness, fact_id: str) -> Fact:
    found = next((f for e in bot.services.engine.kb.events for f in e.facts if f.id == fact_id), None)
    assert found is not None
    return found


def number_of(listing: str, question: str) -> int:
    match = re.search(rf"Q(\d+) \d+× {re.escape(question)}", listing)
    assert match, listing
    return int(match.group(1))


def db_bytes(path: Path) -> str:
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


async def ask(bot: Harness, text: str, user: int = USER) -> str:
    return plain((await bot.say(text, chat_id=user, user_id=user))[1])


async def test_attach_by_command_answers_the_question_then_undo_restores_everything(edit_bot: Harness) -> None:
    original, before = edit_bot.services.engine.kb, fact(edit_bot, SIGNED)
    assert edit_bot.services.engine.answer(ASKED, now=NOW).fallback
    await ask(edit_bot, ASKED)
    await ask(edit_bot, ASKED, USER + 1)
    await ask(edit_bot, "what's the price of a banana")
    listing, call = await command(edit_bot, "/unanswered")
    n = number_of(listing, QUESTION)
    assert f"Q{n} 2× {QUESTION}" in listing and "1× what's the price of a banana" in listing
    assert call is not None and (f"Q{n} {QUESTION}", f"v1|ua|q|{n}") in buttons(call)

    done, call = await command(edit_bot, f"/attach Q{n} {SIGNED}")  # the number as shown works too
    assert done.startswith("Done:") and f"attached question (en) to {SIGNED}: {QUESTION}" in done, done
    assert "The bot now answers it with this fact." in done
    change = int(re.search(r"#(\d+) attached", done).group(1))  # type: ignore[union-attr]
    assert call is not None and (f"Undo #{change}", f"v1|ua|u|{change}") in buttons(call)
    after = fact(edit_bot, SIGNED)
    assert after.questions["en"] == (*before.questions["en"], QUESTION)  # the curated ones are kept
    assert {k: v for k, v in after.questions.items() if k != "en"} == {k: v for k, v in before.questions.items() if k != "en"}
    assert after.text == before.text and after.quote == before.quote and after.origin == before.origin
    answer = edit_bot.services.engine.answer(ASKED, now=NOW)
    assert not answer.fallback and answer.facts == (SIGNED,)
    assert before.text.pick("en")[0][:40] in await ask(edit_bot, ASKED, USER + 2)  # a user gets the fact now
    listing, _ = await command(edit_bot, "/unanswered")
    assert QUESTION not in listing and "what's the price of a banana" in listing  # attached: off the list
    history, _ = await command(edit_bot, "/history")
    assert f"#{change} " in history and f"attached question (en) to {SIGNED}" in history

    undone, _ = await command(edit_bot, "/undo")
    assert undone.startswith("Undone:") and f"undo #{change}" in undone
    assert edit_bot.services.engine.kb == original
    assert edit_bot.services.engine.answer(ASKED, now=NOW).fallback
    listing, _ = await command(edit_bot, "/unanswered")
    assert f"Q{n} 2× {QUESTION}" in listing  # back on the list


async def test_buttons_suggest_likely_facts_attach_and_undo(edit_bot: Harness) -> None:
    original = edit_bot.services.engine.kb
    await ask(edit_bot, ASKED)
    listing, call = await command(edit_bot, "/unanswered")
    n = number_of(listing, QUESTION)
    assert call is not None
    suggested, options = await press(edit_bot, call, f"v1|ua|q|{n}")
    assert suggested.startswith(f"Question Q{n} (en, asked 1×)") and f"1. {SIGNED} — " in suggested
    assert options is not None
    labels = buttons(options)
    assert len(labels) == 3 and labels[0] == (f"Attach to 1. {SIGNED}", f"v1|ua|a|{n}|{SIGNED}")
    assert "reply to this message with its id" in suggested

    done, receipt = await press(edit_bot, options, f"v1|ua|a|{n}|{SIGNED}")
    assert done.startswith("Done:") and "The bot now answers it with this fact." in done
    assert not edit_bot.services.engine.answer(ASKED, now=NOW).fallback
    again, _ = await press(edit_bot, options, f"v1|ua|a|{n}|{SIGNED}")  # pressed twice: nothing more happens
    assert again.startswith("Nothing changed:") and f"already an alternate question of fact {SIGNED}" in again
    assert receipt is not None
    ((_, undo_data),) = buttons(receipt)
    undone, _ = await press(edit_bot, receipt, undo_data)
    assert undone.startswith("Undone:") and edit_bot.services.engine.kb == original
    twice, _ = await press(edit_bot, receipt, undo_data)
    assert twice.startswith("Nothing changed:") and "already undone" in twice
    assert len(await edit_bot.services.knowledge.history(limit=10)) == 2

    # Another fact than the suggested ones: reply to the suggestions with its id.
    replied, receipt = await command(edit_bot, "wiotc_2023_countries lang=en", reply_to_message_id=options.result["message_id"])
    assert replied.startswith("Done:") and "attached question (en) to wiotc_2023_countries" in replied
    assert QUESTION in fact(edit_bot, "wiotc_2023_countries").questions["en"]
    bad, _ = await command(edit_bot, "which one was it again", reply_to_message_id=options.result["message_id"])
    assert bad.startswith("Reply with the id of the fact")


async def test_bad_input_gets_a_usage_message_and_changes_nothing(edit_bot: Harness) -> None:
    await ask(edit_bot, ASKED)
    listing, call = await command(edit_bot, "/unanswered")
    n = number_of(listing, QUESTION)
    path, kb = edit_bot.settings.db_path, edit_bot.services.engine.kb
    before = db_bytes(path)
    refusals = {
        "/attach": "Usage: /attach <number>",
        f"/attach x {SIGNED}": "Usage: /attach <number>",
        f"/attach ١٢ {SIGNED}": "Usage: /attach <number>",  # Arabic-Indic digits are not a number here
        f"/attach {n}.0 {SIGNED}": "Usage: /attach <number>",
        f"/attach QQ{n} {SIGNED}": "Usage: /attach <number>",
        f"/attach Q {SIGNED}": "Usage: /attach <number>",
        f"/attach {'9' * 20} {SIGNED}": "Usage: /attach <number>",
        f"/attach {n} {SIGNED} extra": "Usage: /attach <number>",
        f"/attach {n} lang=fr": "Usage: /attach <number>",
        f"/attach 99999 {SIGNED}": "There is no unanswered question Q99999; /unanswered lists them.",
        "/attach 99999": "There is no unanswered question Q99999",
        f"/attach {n} no_such_fact": "there is no fact 'no_such_fact'",
        f"/attach {n} {SIGNED} lang=xx": "lang=xx is not one of en, th, vi, fr",
    }
    for text, expected in refusals.items():
        reply, _ = await command(edit_bot, text)
        assert expected in reply, (text, reply)
    assert call is not None
    bot = edit_bot.api
    for data in (f"v1|ua|a|99999|{SIGNED}", f"v1|ua|a|{n}|no_such_fact", "v1|ua|u|77", f"v1|ua|q|{n}|x"):
        bot.press_button(call, data, user_id=ADMIN, check_button=False)
    await edit_bot.settle()
    # A non-admin: the command, the buttons and a reply to the suggestions are refused or answered as a question.
    refused, _ = await command(edit_bot, f"/attach {n} {SIGNED}", user=USER)
    assert refused == "Sorry, only the bot's admins can use this command."
    bot.press_button(call, f"v1|ua|q|{n}", user_id=USER)
    notice = await bot.wait_for("answerCallbackQuery", lambda c: "only the bot's admins" in str(c.params.get("text")))
    assert notice.ok
    assert db_bytes(path) == before and edit_bot.services.engine.kb is kb

    done, _ = await command(edit_bot, f"/attach {n} {SIGNED}")
    assert done.startswith("Done:")
    before, kb = db_bytes(path), edit_bot.services.engine.kb
    for fact_id in (SIGNED, "wiotc_2023_countries"):  # already attached: to this fact or any other
        reply, _ = await command(edit_bot, f"/attach {n} {fact_id}")
        assert reply.startswith("Nothing changed:") and f"“{QUESTION}” is already an alternate question of fact {SIGNED}" in reply
    assert db_bytes(path) == before and edit_bot.services.engine.kb is kb


async def test_fact_edit_keeps_the_facts_alternate_questions(edit_bot: Harness) -> None:
    """An edit stores the fact's full state: the questions must go with it, through SQLite and the rebuild."""
    before = fact(edit_bot, "wiotc_2023_theme")
    assert before.questions and all(before.questions.values())
    done, _ = await command(edit_bot, "/fact_edit wiotc_2023_theme | lang=en New IoT, new economy, new era (edited)")
    assert done.startswith("Done:")
    after = fact(edit_bot, "wiotc_2023_theme")
    assert after.text.get("en") == "New IoT, new economy, new era (edited)" and after.questions == before.questions
    _, stored = (await edit_bot.services.knowledge.overlay()).facts["wiotc_2023_theme"]
    assert stored is not None and stored["questions"] == {lang: list(qs) for lang, qs in before.questions.items()}
    event = edit_bot.services.engine.kb.event("wiotc_2023")
    assert event is not None and event.questions  # the events' own questions survive the rebuild too
    done, _ = await command(edit_bot, "/event_set wiotc theme | lang=en New IoT (edited)")
    assert done.startswith("Done:") and edit_bot.services.engine.kb.event("wiotc_2023").questions == event.questions  # type: ignore[union-attr]


async def test_in_a_group_only_admins_attach_and_anyone_else_replying_is_answered(edit_bot: Harness) -> None:
    group = -700
    await ask(edit_bot, ASKED)
    edit_bot.api.send_text(f"/unanswered@{edit_bot.app.bot.username}", chat_id=group, user_id=ADMIN, chat_type="group")
    listing = await edit_bot.reply(group)
    n = number_of(plain(listing), QUESTION)
    suggested, options = await press(edit_bot, listing, f"v1|ua|q|{n}")
    assert suggested.startswith(f"Question Q{n}") and options is not None
    kb, reply_to = edit_bot.services.engine.kb, options.result["message_id"]
    answered = await in_group(edit_bot, group, SIGNED, USER, reply_to_message_id=reply_to)
    # A question like any other: answered about the expo, not taken as an attach.
    assert "only the bot's admins" not in answered and "Done" not in answered and "World Internet of Things Expo 2021" in answered
    assert edit_bot.services.engine.kb is kb
    assert (await in_group(edit_bot, group, SIGNED, ADMIN, reply_to_message_id=reply_to)).startswith("Done:")
    assert QUESTION in fact(edit_bot, SIGNED).questions["en"]


async def in_group(bot: Harness, group: int, text: str, user: int, **kw: object) -> str:
    before = len(bot.sent_to(group))
    bot.api.send_text(text, chat_id=group, user_id=user, chat_type="group", **kw)  # type: ignore[arg-type]
    await bot.settle()
    return "\n".join(plain(c) for c in bot.sent_to(group)[before:] if c.ok)
