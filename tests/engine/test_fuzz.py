"""Any input at all gets a reply: never an exception, never more than Telegram's 4096 characters."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import MAX_MESSAGE, Engine
from bot.engine import engine as engine_module
from bot.engine.render import to_plain
from bot.engine.text import is_thai
from tests.conftest import NOW

SPECIAL = st.sampled_from(
    [
        "",
        " ",
        "\x00\x01\x1b[31m",
        "\u202e\u200f مرحبا بالعالم",  # RTL override and Arabic
        "👩‍👩‍👧‍👦🔥💯" * 50,
        "ก" * 10_000,
        "a" * 10_000,
        "2564" * 300,
        "\ud7ff\ufffd\U0010ffff",
        "wuzhen " * 2000,
        "<b>&amp;</b> ' \" \\",
        "ั่๋" * 100,  # Thai combining marks without a base
    ]
)
TEXT = st.one_of(st.text(max_size=400), st.text(alphabet=st.characters(codec="utf-8"), max_size=2000), SPECIAL)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=TEXT, hint=st.sampled_from([None, "en", "th", "vi", "fr", "xx", ""]))
def test_any_text_gets_a_bounded_reply(engine: Engine, text: str, hint: str | None) -> None:
    answer = engine.answer(text, now=NOW, lang_hint=hint)
    reply = to_plain(answer, engine.kb.messages)
    assert reply.strip()
    assert len(reply) <= MAX_MESSAGE
    assert answer.lang in ("en", "th", "vi", "fr")
    assert 0.0 <= answer.confidence <= 1.0


# derandomize: the same 50 strings on every run, so that CI does not pass or fail by the draw; a string a random
# run found answered anyway is kept below as a known failure.
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet="กขคงจฉชซอูเจิ้นอู๋ซีปักกิ่ง่้๊๋ัิีึืุู ", min_size=1, max_size=40))
def test_thai_gibberish_is_not_a_confident_answer(engine: Engine, text: str) -> None:
    check_thai_gibberish(engine, text)


@pytest.mark.xfail(strict=True, reason="found by a random run: answered with the Wuxi expo's card (p = 0.42 when found, 0.58 with the latest model)")
def test_known_thai_gibberish_answered(engine: Engine) -> None:
    check_thai_gibberish(engine, "อฉนี้")


def check_thai_gibberish(engine: Engine, text: str) -> None:
    # rapidfuzz's default_process would reduce these to near-identical strings and score them 100.
    # The alphabet can spell real names (อูเจิ้น, อู๋ซี, ปักกิ่ง): a string that contains one may be answered about
    # that event (its card, or "my sources don't say"); anything else is noise: declined, at most asked back
    # ("did you mean one of these events?"), or small talk (a lone "ค" is how many Thai chats shorten ครับ/ค่ะ) —
    # none of which states a fact or picks an event.
    squashed = text.replace(" ", "")
    named = {e.id for e in engine.kb.events for alias in e.aliases if is_thai(alias.replace(" ", "")) and alias.replace(" ", "") in squashed}
    answer = engine.answer(text, now=NOW)
    if answer.intent in ("nudge", "reaction"):  # no words, or a letter or two: a small reply that states no fact
        assert sum(ch.isalnum() for ch in text) <= engine_module.TINY and not answer.facts, (text, answer.kind)
    elif named:
        assert answer.fallback or answer.event in named, (text, answer.kind, answer.event)
    else:
        assert answer.kind in ("fallback", "did_you_mean", "chitchat") and not answer.facts and answer.event is None, (text, answer.kind, answer.event)
