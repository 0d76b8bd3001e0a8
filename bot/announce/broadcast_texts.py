"""An admin's announcement text, in one language or several: ``Hello`` or ``en: Hello | th: สวัสดี | fr: Bonjour``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.engine.model import DEFAULT_LANG, LANGS

# A part starts the text, or follows a "|", with a language code and a colon ("th:"); "lang=th" is read the same.
_PART = re.compile(r"(?:^|\|)\s*(?:lang\s*=\s*)?(" + "|".join(LANGS) + r")\s*:\s*", re.IGNORECASE)
_STARTS_WITH_PART = re.compile(r"^\s*(?:lang\s*=\s*)?(" + "|".join(LANGS) + r")\s*:", re.IGNORECASE)


class TextsError(ValueError):
    """The parts could not be read: ``key`` is the localized message, ``value`` the language concerned."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__(f"{key}: {value!r}")
        self.key, self.value = key, value


@dataclass(frozen=True)
class Texts:
    """An announcement's texts: one per language given (``by_lang``), and the one every other chat receives."""

    default: str
    by_lang: Mapping[str, str] = field(default_factory=dict)  # empty: the one text goes to every chat

    def for_lang(self, lang: str) -> str:
        """The text a chat subscribed in ``lang`` receives."""
        return self.by_lang.get(lang, self.default)


def parse_texts(text: str) -> Texts | None:
    """The announcement's text per language.

    A text that does not start with ``xx:`` (en, th, vi or fr; ``lang=xx:`` is read the same) is one text for every
    chat, ``|`` and all. Otherwise it is split where ``| xx:`` starts a part (a ``|`` not followed by a language code
    stays in the text). Chats in a language without a part get the default language's text, else the first one.

    Args:
        text: everything after the command (for /schedule, after its time).

    Returns:
        The texts, or None when there is no text at all.

    Raises:
        TextsError: ``announce_lang_twice`` or ``announce_lang_empty``, with the language.
    """
    text = text.strip()
    if not text:
        return None
    if not _STARTS_WITH_PART.match(text):
        return Texts(text)
    found: dict[str, str] = {}
    marks = list(_PART.finditer(text))
    for mark, after in zip(marks, [*marks[1:], None], strict=True):
        lang = mark.group(1).casefold()
        part = text[mark.end() : after.start() if after else len(text)].strip()
        if lang in found:
            raise TextsError("announce_lang_twice", lang)
        if not part:
            raise TextsError("announce_lang_empty", lang)
        found[lang] = part
    return Texts(found.get(DEFAULT_LANG) or next(iter(found.values())), found)
