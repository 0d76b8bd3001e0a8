"""The options of /subscribe: ``lang=th kinds=summit,itu-event`` (both optional, in any order)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.model import EVENT_KINDS, LANGS

USAGE = "/subscribe lang=th kinds=summit,iot-expo,itu-event"
_KEYS = {"lang": "lang", "language": "lang", "kinds": "kinds", "kind": "kinds"}


@dataclass(frozen=True)
class SubscribeOptions:
    """What a chat subscribes to: the language of its announcements (None: the subscriber's) and the kinds of event."""

    lang: str | None = None
    kinds: tuple[str, ...] = EVENT_KINDS


class OptionError(ValueError):
    """An option /subscribe does not accept: ``key`` is the localized message to show, ``value`` what was wrong."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value!r}")
        self.key, self.value = key, value


def _kind(word: str) -> str | None:
    name = word.casefold().replace("_", "-")
    return name if name in EVENT_KINDS else None


def parse_options(text: str) -> SubscribeOptions:
    """Read /subscribe's arguments.

    ``lang=xx`` and ``kinds=a,b`` (also ``key:value``); a bare language code or kind is understood too, so
    ``/subscribe th summit`` works, and a list may contain spaces after its commas.

    Args:
        text: everything after the command.

    Returns:
        The options; what is not given keeps its default (the subscriber's language, every kind).

    Raises:
        OptionError: ``subscribe_bad_lang``, ``subscribe_bad_kind`` or ``subscribe_bad_option``, with the culprit.
    """
    lang: str | None = None
    kinds: list[str] = []
    for token in re.sub(r"\s*,\s*", ",", text.strip()).split():
        key, sep, value = token.partition("=") if "=" in token else token.partition(":")
        field = _KEYS.get(key.casefold()) if sep else None
        if sep and field is None:
            raise OptionError("subscribe_bad_option", token)
        if field == "lang" or (not sep and token.casefold() in LANGS):
            code = (value if sep else token).casefold()
            if code not in LANGS:
                raise OptionError("subscribe_bad_lang", value)
            if lang is not None and lang != code:
                raise OptionError("subscribe_bad_option", token)
            lang = code
            continue
        words = [w for w in (value if sep else token).split(",") if w]
        if not words:
            raise OptionError("subscribe_bad_kind", token)
        for word in words:
            kind = _kind(word)
            if kind is None:
                # "kinds=concert" or "summit,concert" is a wrong kind; a lone unknown word is not understood at all.
                raise OptionError("subscribe_bad_kind" if sep or len(words) > 1 else "subscribe_bad_option", word)
            kinds.append(kind)
    chosen = tuple(k for k in EVENT_KINDS if k in kinds) or EVENT_KINDS
    return SubscribeOptions(lang, chosen)
