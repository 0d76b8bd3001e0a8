"""Groups: answer only when addressed, threaded replies, separate contexts, membership and migration."""

from __future__ import annotations

import pytest
from harness import BOT, Harness, buttons, plain

from bot.telegram.answered import AnsweredMessages

pytestmark = pytest.mark.timeout(30)
GROUP = -500
ANN, BOB = 11, 12


def group(bot: Harness, text: str, user_id: int = ANN, **kw: object) -> dict:
    return bot.api.send_text(text, chat_id=GROUP, user_id=user_id, chat_type="group", chat_title="Summit fans", **kw)  # type: ignore[arg-type]


async def test_unaddressed_chatter_is_ignored(bot: Harness) -> None:
    group(bot, "when was the wuzhen summit?")
    group(bot, "hey @someone_else how many IoT companies are in Wuxi?")
    group(bot, "/frobnicate")
    group(bot, "/help@other_bot")
    group(bot, "/ask@other_bot when was wuzhen?")
    bot.api.send_photo(GROUP, ANN, chat_type="group")
    await bot.settle()
    assert bot.sent_to(GROUP) == []


async def test_mention_is_answered_threaded_without_the_mention(bot: Harness) -> None:
    asked = group(bot, f"@{BOT.upper()} how many IoT companies are in Wuxi?")
    reply = await bot.reply(GROUP)
    assert "3,000" in plain(reply)
    assert reply.params["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    assert reply.result["reply_to_message"]["message_id"] == asked["message"]["message_id"]


async def test_reply_to_the_bot_and_separate_contexts(bot: Harness) -> None:
    group(bot, f"when was the wuzhen summit @{BOT}", user_id=ANN)
    first = await bot.reply(GROUP)
    assert "8 November 2023" in plain(first)
    group(bot, f"@{BOT} how many IoT companies are in Wuxi?", user_id=BOB)
    await bot.reply(GROUP)
    # Ann replies to the bot's answer: her follow-up is about Wuzhen; Bob's is about Wuxi.
    group(bot, "and where?", user_id=ANN, reply_to_message_id=first.result["message_id"])
    ann = await bot.reply(GROUP)
    assert "Zhejiang" in plain(ann)
    group(bot, f"@{BOT} and where?", user_id=BOB)
    bob = await bot.reply(GROUP)
    assert "Jiangsu" in plain(bob)
    # A reply to someone else's message is not addressed to the bot.
    chatter = group(bot, "nice", user_id=BOB)
    group(bot, "and where?", user_id=ANN, reply_to_message_id=chatter["message"]["message_id"])
    await bot.settle()
    assert len(bot.sent_to(GROUP)) == 4


async def test_commands_addressed_to_the_bot(bot: Harness) -> None:
    asked = group(bot, f"/ask@{BOT} quel est le thème de la WIOTC 2023 ?")
    reply = await bot.reply(GROUP)
    assert "Le thème" in plain(reply)
    assert reply.params["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    group(bot, f"/help@{BOT}")
    help_reply = await bot.reply(GROUP)
    assert "/ask — Ask a question" in plain(help_reply) and "/start" not in plain(help_reply)
    group(bot, f"/frobnicate@{BOT}", language_code="th")
    assert plain(await bot.reply(GROUP)) == "ไม่รู้จักคำสั่งนี้ ลองพิมพ์ /help"
    # /ask in reply to someone's question answers that question.
    question = group(bot, "how many IoT companies are in Wuxi?", user_id=BOB)
    group(bot, "/ask", reply_to_message_id=question["message"]["message_id"])
    assert "3,000" in plain(await bot.reply(GROUP))


async def test_card_buttons_in_a_group_reply_to_the_card(bot: Harness) -> None:
    group(bot, f"/start@{BOT} wic_wuzhen_2023")
    card = await bot.reply(GROUP)
    assert ("Key figures", "v1|ev|wic_wuzhen_2023|event_figures|en") in buttons(card)
    bot.api.press_button(card, "v1|ev|wic_wuzhen_2023|event_figures|en", user_id=BOB, language_code="fr")
    figures = await bot.api.wait_for("editMessageText", timeout=5)  # the card shows them in place, for everyone
    assert figures.params["chat_id"] == GROUP and figures.params["message_id"] == card.result["message_id"]
    assert "Source: " in plain(figures) and plain(figures) != plain(card)


async def test_membership_is_recorded(bot: Harness) -> None:
    store = bot.services.store
    bot.api.my_chat_member(-600, "group", "left", "member", user_id=ANN, chat_title="IoT <fans> & co")
    bot.api.my_chat_member(-1000600, "supergroup", "left", "administrator", user_id=ANN, chat_title="Big")
    bot.api.my_chat_member(-700, "group", "left", "member", user_id=ANN)
    bot.api.my_chat_member(-700, "group", "member", "kicked", user_id=ANN)
    bot.api.my_chat_member(-800, "group", "member", "left", user_id=ANN)
    bot.api.my_chat_member(55, "private", "member", "kicked", user_id=55)
    await bot.settle()
    chats = {c.chat_id: (c.type, c.title, c.status) for c in await store.chats()}
    assert chats[-600] == ("group", "IoT <fans> & co", "member")
    assert chats[-1000600] == ("supergroup", "Big", "member")
    assert chats[-700][2] == "kicked" and chats[-800][2] == "left" and chats[55] == ("private", None, "kicked")
    assert {c.chat_id for c in await store.chats("member")} == {-600, -1000600}


async def test_migration_to_a_supergroup_is_followed(bot: Harness) -> None:
    store = bot.services.store
    bot.api.my_chat_member(GROUP, "group", "left", "member", user_id=ANN, chat_title="Summit fans")
    assert "/ask" in plain(await bot.reply(GROUP))  # the hello
    group(bot, f"when was the wuzhen summit @{BOT}")
    await bot.reply(GROUP)
    bot.api.migrate(GROUP, -1000500, user_id=ANN)
    await bot.settle()
    old, new = await store.chat(GROUP), await store.chat(-1000500)
    assert old is not None and (old.status, old.migrated_to) == ("left", -1000500)
    assert new is not None and (new.type, new.title, new.status) == ("supergroup", "Summit fans", "member")
    # The conversation moved with the group: Ann's follow-up in the supergroup is still about Wuzhen.
    bot.api.send_text(f"@{BOT} and where?", chat_id=-1000500, user_id=ANN, chat_type="supergroup")
    assert "Zhejiang" in plain(await bot.reply(-1000500))


async def test_reply_to_a_migrated_group_follows_the_new_id(bot: Harness) -> None:
    group(bot, f"@{BOT} hello")
    await bot.reply(GROUP)
    # Telegram refuses the send with migrate_to_chat_id before the migration message arrived.
    bot.api.fail_next("sendMessage", error_code=400, migrate_to_chat_id=-1000999, chat_id=GROUP)
    group(bot, f"@{BOT} how many IoT companies are in Wuxi?")
    moved = await bot.reply(-1000999)
    assert "3,000" in plain(moved) and "reply_parameters" not in moved.params
    record = await bot.services.store.chat(GROUP)
    assert record is not None and record.migrated_to == -1000999


async def test_anonymous_admins_are_answered(bot: Harness) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    update = group(bot, f"@{BOT} how many IoT companies are in Wuxi?")
    update["message"]["from"] = anonymous
    update["message"]["sender_chat"] = update["message"]["chat"]
    assert "3,000" in plain(await bot.reply(GROUP))


async def test_hello_once_when_added_in_the_adders_language(bot: Harness) -> None:
    bot.api.my_chat_member(GROUP, "group", "left", "member", user_id=ANN, chat_title="Summit fans", language_code="fr")
    hello = plain(await bot.reply(GROUP))
    assert hello.startswith("Bonjour à tous ! Je suis ")
    assert f"@{BOT}" in hello and "répondez à l’un de mes messages" in hello and "/ask" in hello
    # Promoted, or the same change delivered twice: no second hello.
    bot.api.my_chat_member(GROUP, "group", "member", "administrator", user_id=ANN)
    bot.api.my_chat_member(GROUP, "group", "left", "member", user_id=ANN)
    # Added to a supergroup straight as an admin by a Thai speaker: one hello, in Thai.
    bot.api.my_chat_member(-1000600, "supergroup", "left", "administrator", user_id=BOB, language_code="th")
    # Blocked and unblocked in a private chat: that is no group to greet.
    bot.api.my_chat_member(55, "private", "member", "kicked", user_id=55)
    bot.api.my_chat_member(55, "private", "kicked", "member", user_id=55)
    await bot.settle()
    assert len(bot.sent_to(GROUP)) == 1 and bot.sent_to(55) == []
    [thai] = bot.sent_to(-1000600)
    assert plain(thai).startswith("สวัสดีทุกคน!") and f"@{BOT}" in plain(thai)
    # Removed, then added back: a new hello (in English for a user without a Telegram language).
    bot.api.my_chat_member(GROUP, "group", "administrator", "left", user_id=ANN)
    bot.api.my_chat_member(GROUP, "group", "left", "member", user_id=BOB, language_code=None)
    assert plain(await bot.reply(GROUP)).startswith("Hello, everyone!")


async def test_start_in_a_group_says_how_to_ask_there(bot: Harness) -> None:
    group(bot, f"/start@{BOT}", language_code="vi")
    start = await bot.reply(GROUP)
    text = plain(start)
    assert "nhập câu hỏi của bạn" not in text  # the private welcome's "just type a question"
    assert "Hãy chọn một sự kiện bên dưới" in text and f"@{BOT}" in text and "/ask" in text
    assert len(buttons(start)) == len(bot.services.engine.kb.events)
    # The private welcome still invites typing.
    _, private = await bot.say("/start", chat_id=77, language_code="en")
    assert "just type a question" in plain(private) and "/ask" not in plain(private)
    # /help in a group says the same.
    group(bot, f"/help@{BOT}")
    assert "mention me" in plain(await bot.reply(GROUP))


async def test_a_reply_to_the_bots_answer_follows_that_answer(bot: Harness) -> None:
    group(bot, f"@{BOT} when was the wuzhen summit?", user_id=ANN)
    wuzhen = await bot.reply(GROUP)
    assert "8 November 2023" in plain(wuzhen)
    # Bob never asked anything, yet his reply to the bot's answer is about Wuzhen.
    group(bot, "and where?", user_id=BOB, reply_to_message_id=wuzhen.result["message_id"])
    assert "Zhejiang" in plain(await bot.reply(GROUP))
    # Bob then asks about Wuxi: his reply to the Wuzhen answer is still about Wuzhen.
    group(bot, f"@{BOT} how many IoT companies are in Wuxi?", user_id=BOB)
    assert "3,000" in plain(await bot.reply(GROUP))
    group(bot, "and where?", user_id=BOB, reply_to_message_id=wuzhen.result["message_id"])
    assert "Zhejiang" in plain(await bot.reply(GROUP))
    # A reply to the bot's help (about no event) is a follow-up of the asker's own conversation.
    group(bot, f"/help@{BOT}", user_id=BOB)
    helped = await bot.reply(GROUP)
    group(bot, f"@{BOT} how many IoT companies are in Wuxi?", user_id=BOB)
    await bot.reply(GROUP)
    group(bot, "and where?", user_id=BOB, reply_to_message_id=helped.result["message_id"])
    assert "Jiangsu" in plain(await bot.reply(GROUP))
    # /ask in reply to the bot's answer is a follow-up too.
    group(bot, "/ask and where?", user_id=ANN + 100, reply_to_message_id=wuzhen.result["message_id"])
    assert "Zhejiang" in plain(await bot.reply(GROUP))


async def test_a_reply_to_a_card_the_bot_no_longer_remembers_reads_its_buttons(bot: Harness) -> None:
    group(bot, f"/start@{BOT} wic_wuzhen_2023")
    card = await bot.reply(GROUP)
    bot.services.answered = AnsweredMessages()  # as after a restart
    group(bot, "and where?", user_id=BOB, reply_to_message_id=card.result["message_id"])
    assert "Zhejiang" in plain(await bot.reply(GROUP))
