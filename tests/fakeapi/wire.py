"""Decoding Bot API requests as PTB (and other clients) send them over HTTP."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import telegram
from aiohttp import web

from .models import JsonDict, UploadedFile

# Parameters whose values are plain strings even when they look like JSON numbers/literals.
STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "title",
        "description",
        "short_description",
        "name",
        "query",
        "data",
        "url",
        "callback_query_id",
        "inline_query_id",
        "pre_checkout_query_id",
        "shipping_query_id",
        "inline_message_id",
        "next_offset",
        "switch_pm_text",
        "switch_pm_parameter",
        "parse_mode",
        "language_code",
        "secret_token",
        "action",
        "ip_address",
        "custom_title",
        "file_id",
        "business_connection_id",
        "question",
        "emoji",
        "address",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "payload",
        "currency",
        "start_parameter",
        "provider_token",
        "invite_link",
        "message_effect_id",
        "photo",
        "document",
        "audio",
        "video",
        "animation",
        "voice",
        "video_note",
        "sticker",
        "thumbnail",
        "error_message",
        "web_app_query_id",
        "tag",
    }
)
_CAMEL = re.compile(r"[a-z]+(?:[A-Z][a-z0-9]*)+")
KNOWN_METHODS: frozenset[str] = frozenset({name for name in dir(telegram.Bot) if _CAMEL.fullmatch(name)} | {"close", "getUpdates"})
CANONICAL: dict[str, str] = {name.lower(): name for name in KNOWN_METHODS}


def decode_value(key: str, value: str) -> Any:
    """JSON-decode a form field unless it is a known plain-string parameter."""
    if key in STRING_FIELDS:
        return value
    stripped = value.strip()
    if not stripped:
        return value
    if stripped[0] in '{["-0123456789' or stripped in ("true", "false", "null"):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value


def decode_params(raw: Mapping[str, str]) -> JsonDict:
    """Decode every form/query field (nested values arrive JSON-encoded)."""
    return {key: decode_value(key, value) for key, value in raw.items()}


async def read_params(request: web.Request) -> tuple[JsonDict, dict[str, UploadedFile]]:
    """Read query string, urlencoded/multipart form or JSON body into params and files."""
    params: JsonDict = decode_params(request.query)
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return params, files
    if request.content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = UploadedFile(
                field=key,
                filename=value.filename,
                content_type=value.content_type,
                data=value.file.read(),
            )
        else:
            params[key] = decode_value(key, str(value))
    return params, files
