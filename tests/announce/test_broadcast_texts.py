"""An announcement's texts per language (pure), and the pacer's treatment of replies next to bulk sends."""

from __future__ import annotations

import pytest

from bot.announce.broadcast_texts import Texts, TextsError, parse_texts
from bot.announce.pacing import Limits, Pacer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("Doors open | bring a badge", Texts("Doors open | bring a badge")),  # a "|" without a language stays in the text
        ("en: Hello | th: สวัสดี", Texts("Hello", {"en": "Hello", "th": "สวัสดี"})),
        ("th: สวัสดี | fr: Bonjour | vi: Xin chào", Texts("สวัสดี", {"th": "สวัสดี", "fr": "Bonjour", "vi": "Xin chào"})),
        ("lang=fr: Salut | EN: Hi a|b", Texts("Hi a|b", {"fr": "Salut", "en": "Hi a|b"})),
        ("en: line one\nline two | fr: ligne", Texts("line one\nline two", {"en": "line one\nline two", "fr": "ligne"})),
    ],
)
def test_parse_texts(text: str, expected: Texts | None) -> None:
    assert parse_texts(text) == expected


@pytest.mark.parametrize(("text", "key", "value"), [("en: a | en: b", "announce_lang_twice", "en"), ("en: a | th:  ", "announce_lang_empty", "th")])
def test_bad_parts_are_refused(text: str, key: str, value: str) -> None:
    with pytest.raises(TextsError) as caught:
        parse_texts(text)
    assert (caught.value.key, caught.value.value) == (key, value)


def test_each_language_gets_its_text_else_the_default() -> None:
    texts = parse_texts("th: สวัสดี | en: Hello")
    assert texts is not None
    assert [texts.for_lang(lang) for lang in ("th", "en", "vi", "fr")] == ["สวัสดี", "Hello", "Hello", "Hello"]


def test_replies_are_not_held_by_the_global_window_but_bulk_sends_count_them() -> None:
    pacer = Pacer(Limits())
    for chat in range(30):
        pacer.record(chat, False, 0.0)  # thirty replies at once: the global window is full
    assert pacer.earliest(100, False, 0.1, bulk=False) == 0.1  # a reply to another chat goes at once
    assert pacer.earliest(100, False, 0.1) == pytest.approx(1.02)  # a broadcast waits for the window (27 of its 30)
    assert pacer.earliest(5, False, 0.1, bulk=False) == pytest.approx(1.02)  # the same chat: its one message a second


def test_the_pacer_forgets_quiet_chats() -> None:
    pacer = Pacer(Limits())
    for n in range(1024):
        pacer.record(n, n % 2 == 0, float(n))
    assert pacer.chats_remembered < 200  # only the chats of the last two minutes
    pacer.pause(7, until=5000.0)
    assert pacer.earliest(7, False, 2000.0) == 5000.0
