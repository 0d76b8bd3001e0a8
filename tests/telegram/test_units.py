"""The front end's pure parts: HTML rendering and splitting, callback data, addressing, contexts, log redaction."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from fakeapi import html_to_plain
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import Answer, Context, KnowledgeBase, SourceRef
from bot.telegram.addressing import without_mention
from bot.telegram.errors import REDACTED, install_redaction
from bot.telegram.formatting import ELLIPSIS, Block, render, utf16_len
from bot.telegram.keyboards import EventAction, LangChoice, encode_event, encode_lang, parse_callback
from bot.telegram.menus import ADMIN_COMMANDS, MENU_LANGS, menu_plan
from bot.telegram.services import ConversationContexts, base_lang, reply_lang

T0 = dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)
text_st = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(text_st, st.sampled_from([None, "b", "i"])), max_size=12), st.integers(20, 400), st.integers(1, 4))
def test_render_is_valid_html_within_limits(lines: list[tuple[str, str | None]], limit: int, parts: int) -> None:
    messages = render([Block(t, tag) for t, tag in lines], limit=limit, max_parts=parts)
    assert 1 <= len(messages) <= parts
    for message in messages:
        assert utf16_len(message) <= limit
        html_to_plain(message)  # raises on anything Telegram would refuse


def test_render_keeps_everything_when_it_fits_and_escapes() -> None:
    [message] = render([Block("Q&A <2023>", "b"), Block("a < b"), Block(""), Block("src: “x”", "i")])
    assert message == "<b>Q&amp;A &lt;2023&gt;</b>\na &lt; b\n\n<i>src: “x”</i>"


def test_long_texts_split_at_spaces_and_never_inside_tags() -> None:
    words = " ".join(f"word{i}&" for i in range(2000))
    messages = render([Block("Title", "b"), Block(words, "i")], max_parts=10)
    assert len(messages) > 1 and all(utf16_len(m) <= 4096 for m in messages)
    assert " ".join(html_to_plain(m).replace("\n", " ") for m in messages).split() == ["Title", *words.split()]
    assert messages[0].startswith("<b>Title</b>\n<i>word0&amp; ") and utf16_len(messages[0]) > 4000  # the title is not alone
    assert all(m.startswith("<i>") for m in messages[1:]) and all(m.endswith("</i>") for m in messages)


def test_too_long_is_cut_with_an_ellipsis() -> None:
    thai = "การประชุมสุดยอดอินเตอร์เน็ตโลก" * 600  # no spaces at all
    messages = render([Block(thai)], max_parts=2)
    assert len(messages) == 2 and messages[-1].endswith(ELLIPSIS)
    assert all(utf16_len(m) <= 4096 for m in messages)
    assert not any("\u0e31" <= m[0] <= "\u0e3a" or "\u0e47" <= m[0] <= "\u0e4e" for m in messages)  # no orphan mark
    emoji = "🙂" * 3000  # two UTF-16 units each
    assert all(utf16_len(m) <= 4096 for m in render([Block(emoji)]))


def test_callback_data_round_trip() -> None:
    data = encode_event("ev", "wic_wuzhen_2023", "th", "event_when")
    assert data == "v1|ev|wic_wuzhen_2023|event_when|th"
    assert parse_callback(data) == EventAction("ev", "wic_wuzhen_2023", "th", "event_when")
    assert parse_callback(encode_event("dp", "wtisd_2021", "fr")) == EventAction("dp", "wtisd_2021", "fr")
    assert parse_callback(encode_lang(None)) == LangChoice(None)
    assert parse_callback(encode_lang("vi")) == LangChoice("vi")
    with pytest.raises(ValueError):
        encode_event("ev", "x" * 60, "en", "event_participants")
    with pytest.raises(ValueError):
        encode_event("ev", "wtisd_2021", "en", "greeting")


@given(st.text(max_size=100))
def test_parse_callback_never_raises(data: str) -> None:
    result = parse_callback(data)
    assert result is None or isinstance(result, EventAction | LangChoice)


def test_without_mention() -> None:
    assert without_mention("@Summit_Test_Bot  when was it?", "summit_test_bot") == "when was it?"
    assert without_mention("when @summit_test_bot was it", "summit_test_bot") == "when was it"
    untouched = "mail x@summit_test_bot.com @summit_test_botx"
    assert without_mention(untouched, "summit_test_bot") == untouched


def test_conversation_contexts_are_bounded_and_expire() -> None:
    contexts = ConversationContexts(max_size=3)
    for user in range(5):
        contexts.put((1, user), Context(f"e{user}", None, T0), T0)
    assert len(contexts) == 3 and contexts.get((1, 0), T0) is None and contexts.get((1, 4), T0) is not None
    later = T0 + dt.timedelta(minutes=6)
    assert contexts.get((1, 4), later) is None
    contexts.put((2, 9), Context("x", None, later), later)
    assert len(contexts) == 1  # the expired ones were pruned
    contexts.move_chat(2, 3)
    assert contexts.get((3, 9), later) is not None and contexts.get((2, 9), later) is None
    with pytest.raises(ValueError):
        ConversationContexts(0)


def test_languages() -> None:
    assert base_lang("fr-CA") == "fr" and base_lang("pt-br") is None and base_lang(None) is None
    assert reply_lang("th", "fr") == "th" and reply_lang(None, "vi") == "vi" and reply_lang(None, "de") == "en"


def test_menu_plan(kb: KnowledgeBase) -> None:
    plan = menu_plan({7, 3}, kb.messages)
    assert len(plan) == 4 * len(MENU_LANGS)
    assert [s.type for s, lang, _ in plan if lang == ""] == ["all_private_chats", "all_group_chats", "chat", "chat"]
    for name in ADMIN_COMMANDS:  # every command is in the admins' menu
        texts = dict(kb.messages.table[f"command_{name}"].texts())
        assert set(texts) == {"en", "th", "vi", "fr"} and name.islower()
        assert all(1 <= len(t) <= 256 for t in texts.values())
    assert {c.description for _, lang, items in plan if lang == "th" for c in items} >= {"เลือกภาษาที่ใช้ตอบ"}


def test_token_is_redacted_from_messages_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    handler = logging.Handler()
    lines: list[str] = []
    handler.emit = lambda record: lines.append(logging.Formatter().format(record))  # type: ignore[method-assign]
    install_redaction(token, "webhook-SECRET-1")
    log = logging.getLogger("test.redact")
    log.addHandler(handler)
    try:
        log.warning("url %s", f"https://api.telegram.org/bot{token}/getMe")
        log.warning("header %s", "webhook-SECRET-1")
        try:
            raise RuntimeError(f"failed: /bot{token}/x")
        except RuntimeError:
            log.exception("boom")
    finally:
        log.removeHandler(handler)
    assert len(lines) == 3 and all(token not in line and "webhook-SECRET-1" not in line and REDACTED in line for line in lines)


def test_answer_blocks_cite_sources_but_cards_do_not(engine: object) -> None:
    from bot.engine import Engine
    from bot.telegram.formatting import answer_blocks

    assert isinstance(engine, Engine)
    messages = engine.kb.messages
    fact = Answer("en", "facts", ("Body <x>",), 1.0, title="T", sources=(SourceRef("a.txt", "q & q"),))
    # An article without metadata is named by its file; its quote is collapsed in its own block.
    assert [(b.text, b.tag) for b in answer_blocks(fact, messages)] == [
        ("T", "b"), ("Body <x>", None), ("", None), ("Source: a.txt", "i"), ("Quote:\n“q & q”", "blockquote expandable"),
    ]  # fmt: skip
    html = render(answer_blocks(fact, messages))[0]
    assert "<blockquote expandable>Quote:\n“q &amp; q”</blockquote>" in html
    assert html_to_plain(html).endswith("Source: a.txt\nQuote:\n“q & q”")
    card = Answer("en", "summary", ("Body",), 1.0, title="T", event="e", sources=(SourceRef("a.txt", ""),))
    assert [b.text for b in answer_blocks(card, messages)] == ["T", "Body"]
