"""Telegram-like HTML parse-mode checking and automatic message entities."""

from __future__ import annotations

import re

from .models import JsonDict, bad_request

SUPPORTED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)
_TAG_RE = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9-]*)?"
    r"((?:\s+[A-Za-z][A-Za-z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*(/?)>"
)
_ATTR_RE = re.compile(r"([A-Za-z][A-Za-z0-9-]*)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
_CHAR_REF_RE = re.compile(r"&(lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);")
_NAMED_REFS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,32}\b")


class EntityParseError(ValueError):
    """Raised for HTML Telegram would refuse with "can't parse entities"."""


def utf16_len(text: str) -> int:
    """Return the length of text in UTF-16 code units, as Telegram offsets count."""
    return len(text.encode("utf-16-le")) // 2


def _unescape(text: str) -> str:
    """Decode the character references Telegram's HTML mode understands."""

    def repl(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref in _NAMED_REFS:
            return _NAMED_REFS[ref]
        code = int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:])
        return chr(code) if 0 < code < 0x110000 else match.group(0)

    return _CHAR_REF_RE.sub(repl, text)


def _attrs(raw: str) -> dict[str, str]:
    """Parse the attribute part of a start tag."""
    return {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "") for m in _ATTR_RE.finditer(raw)}


def _is_supported(name: str, attrs: dict[str, str]) -> bool:
    """Tell whether a start tag (with its attributes) is one Telegram accepts."""
    if name not in SUPPORTED_TAGS:
        return False
    if name == "span":
        return attrs.get("class") == "tg-spoiler"
    if name == "tg-emoji":
        return "emoji-id" in attrs
    return True


def html_to_plain(text: str) -> str:
    """Strip Telegram HTML markup from text, raising EntityParseError if it is malformed."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        lt = text.find("<", pos)
        if lt < 0:
            out.append(_unescape(text[pos:]))
            break
        out.append(_unescape(text[pos:lt]))
        offset = len(text[:lt].encode("utf-8"))
        match = _TAG_RE.match(text, lt)
        name = (match.group(2) or "").lower() if match else ""
        if match is None or not name:
            raise EntityParseError(f'Unsupported start tag "" at byte offset {offset}')
        if match.group(1):
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
            if stack[-1] != name:
                raise EntityParseError(f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"')
            stack.pop()
        else:
            if match.group(4) or not _is_supported(name, _attrs(match.group(3))):
                raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
            stack.append(name)
        pos = match.end()
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """Return the text a user would see for the given parse_mode."""
    if parse_mode and parse_mode.lower() == "html":
        return html_to_plain(text)
    return text


def auto_entities(text: str) -> list[JsonDict]:
    """Build bot_command (leading /cmd) and mention (@name) entities like Telegram clients do."""
    entities: list[JsonDict] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group(0))})
    for match in _MENTION_RE.finditer(text):
        if command and match.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group(0)),
            }
        )
    return entities


def checked_text(params: JsonDict, key: str, limit: int, *, required: bool) -> str | None:
    """Validate a text/caption parameter and return its visible (markup-free) form."""
    raw = params.get(key)
    if raw is None and not required:
        return None
    empty = "message text is empty" if key == "text" else "message caption is empty"
    if raw is None or not str(raw).strip():
        if required:
            raise bad_request(empty)
        return None
    try:
        plain = visible_text(str(raw), params.get("parse_mode"))
    except EntityParseError as exc:
        raise bad_request(f"can't parse entities: {exc}") from None
    if required and not plain.strip():
        raise bad_request(empty)
    if len(plain) > limit:
        raise bad_request("message is too long" if key == "text" else "message caption is too long")
    return plain
