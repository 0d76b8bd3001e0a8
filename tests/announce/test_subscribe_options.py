"""/subscribe's options and the retry policy (pure)."""

from __future__ import annotations

import pytest

from bot.announce.retry import RetryPolicy
from bot.announce.subscribe_options import OptionError, SubscribeOptions, parse_options

ALL = ("summit", "iot-expo", "itu-event")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", SubscribeOptions(None, ALL)),
        ("lang=th kinds=summit,itu-event", SubscribeOptions("th", ("summit", "itu-event"))),
        ("kinds=itu-event, summit   lang=vi", SubscribeOptions("vi", ("summit", "itu-event"))),
        ("LANG:FR kind:IOT_EXPO", SubscribeOptions("fr", ("iot-expo",))),
        ("th summit", SubscribeOptions("th", ("summit",))),
        ("kinds=summit,summit", SubscribeOptions(None, ("summit",))),
    ],
)
def test_options(text: str, expected: SubscribeOptions) -> None:
    assert parse_options(text) == expected


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("lang=de", "subscribe_bad_lang", "de"),
        ("kinds=summit,concert", "subscribe_bad_kind", "concert"),
        ("summit,concert", "subscribe_bad_kind", "concert"),
        ("kinds=", "subscribe_bad_kind", "kinds="),
        ("please", "subscribe_bad_option", "please"),
        ("lang=th fr", "subscribe_bad_option", "fr"),
        ("colour=red", "subscribe_bad_option", "colour=red"),
    ],
)
def test_bad_options(text: str, key: str, value: str) -> None:
    with pytest.raises(OptionError) as caught:
        parse_options(text)
    assert (caught.value.key, caught.value.value) == (key, value)


def test_retry_policy() -> None:
    policy = RetryPolicy(max_attempts=5, first_delay=1.0, max_delay=5.0)
    assert [policy.delay(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, None]
    with pytest.raises(ValueError, match="invalid retry policy"):
        RetryPolicy(max_attempts=0)
