"""A fake Telegram Bot API server for running real python-telegram-bot code in tests."""

from __future__ import annotations

from . import updates
from .entities import EntityParseError, auto_entities, html_to_plain
from .models import ApiError, Call, UploadedFile
from .server import DEFAULT_TOKEN, FakeBotApi

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeBotApi",
    "UploadedFile",
    "auto_entities",
    "html_to_plain",
    "updates",
]
