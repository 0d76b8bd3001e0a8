"""The fake server's bot profile methods: descriptions per language, Telegram's length limits, recorded calls."""

# ruff: noqa: F811  (pytest fixtures are imported explicitly and then requested by name)

from __future__ import annotations

import pytest
import telegram
from telegram.constants import BotDescriptionLimit
from telegram.error import BadRequest

from . import FakeBotApi
from .fixtures import fake_api, fake_bot  # noqa: F401
from .profile import LIMITS


async def test_descriptions_per_language(fake_bot: telegram.Bot, fake_api: FakeBotApi) -> None:
    assert LIMITS == {"description": BotDescriptionLimit.MAX_DESCRIPTION_LENGTH, "short_description": BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH}
    assert await fake_bot.set_my_description("What I do")
    assert await fake_bot.set_my_description("Ce que je fais", language_code="fr")
    assert await fake_bot.set_my_short_description("Short", language_code="fr")
    assert (await fake_bot.get_my_description()).description == "What I do"
    assert (await fake_bot.get_my_description(language_code="fr")).description == "Ce que je fais"
    assert (await fake_bot.get_my_short_description(language_code="fr")).short_description == "Short"
    assert (await fake_bot.get_my_short_description()).short_description == ""
    assert fake_api.description("fr") == "Ce que je fais" and fake_api.description("fr", short=True) == "Short"
    assert [c.params.get("language_code") for c in fake_api.calls_of("setMyDescription")] == [None, "fr"]
    # An empty text removes the language's description; a text over Telegram's limit is refused.
    assert await fake_bot.set_my_description("", language_code="fr")
    assert fake_api.description("fr") == ""
    with pytest.raises(BadRequest, match="too long"):
        await fake_bot.set_my_short_description("x" * 121)
    with pytest.raises(BadRequest, match="too long"):
        await fake_bot.set_my_description("x" * 513)
    assert await fake_bot.set_my_description("x" * 512)
