"""The bot profile methods: setMyDescription, setMyShortDescription and their get* twins, per language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import JsonDict, UploadedFile, bad_request
from .state import BotState

#: Telegram's limits (telegram.constants.BotDescriptionLimit): parameter name → maximum characters.
LIMITS = {"description": 512, "short_description": 120}


class ProfileMethods:
    """Stores the bot's descriptions per (kind, language code); "" is the default for every other language."""

    def __init__(self, state: BotState) -> None:
        self.state = state

    def handlers(self) -> dict[str, Callable[[JsonDict, dict[str, UploadedFile]], Any]]:
        """The Bot API method names this class answers."""
        return {
            "setMyDescription": lambda p, f: self.set_text("description", p),
            "setMyShortDescription": lambda p, f: self.set_text("short_description", p),
            "getMyDescription": lambda p, f: self.get_text("description", p),
            "getMyShortDescription": lambda p, f: self.get_text("short_description", p),
        }

    def set_text(self, kind: str, params: JsonDict) -> bool:
        """set*: store the text for this language (an empty or missing text removes it), refusing one too long."""
        text = str(params.get(kind) or "")
        if len(text) > LIMITS[kind]:
            raise bad_request(f"{kind.replace('_', ' ')} is too long")
        key = (kind, str(params.get("language_code") or ""))
        if text:
            self.state.descriptions[key] = text
        else:
            self.state.descriptions.pop(key, None)
        return True

    def get_text(self, kind: str, params: JsonDict) -> JsonDict:
        """get*: the text stored for exactly this language ("" when none)."""
        return {kind: self.state.descriptions.get((kind, str(params.get("language_code") or "")), "")}
