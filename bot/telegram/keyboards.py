"""Inline keyboards, and the callback data behind their buttons: short, versioned, validated on the way back.

Formats (``|``-separated, at most 64 bytes as Telegram requires):

* ``v1|ev|<event_id>|<intent_id>|<lang>`` — an intent's answer about an event (card, figures, theme, did-you-mean)
* ``v1|dp|<event_id>|<lang>`` — date and place of an event
* ``v1|src|<event_id>|<lang>`` — the sources of an event's card
* ``v1|lang|<lang or auto>`` — the /lang choice

``<lang>`` is the language the buttons were shown in, used unless the presser chose a language with /lang.
Anything else (another version, an unknown verb, intent or language, a malformed id) parses to None.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.engine import LANGS, Answer, Event, Suggestion
from bot.engine.answer import FollowUp
from bot.engine.model import Messages
from bot.engine.render import shorten

log = logging.getLogger(__name__)
VERSION = "v1"
MAX_CALLBACK_BYTES = 64
MAX_LABEL = 60
#: The intents a button may ask for (the engine still checks that they exist).
EVENT_INTENTS = frozenset(
    {
        "event_summary", "event_when", "event_where", "event_organizers", "event_speakers", "event_theme",
        "event_figures", "event_program", "event_next", "event_initiatives", "event_participants",
    }
)  # fmt: skip
_EVENT_ID = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
AUTO = "auto"
EventVerb = Literal["ev", "dp", "src"]


@dataclass(frozen=True)
class EventAction:
    """A button about an event: which answer, in which language it was offered."""

    verb: EventVerb
    event_id: str
    lang: str
    intent_id: str | None = None


@dataclass(frozen=True)
class LangChoice:
    """A /lang button: a language, or None for automatic."""

    lang: str | None


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data longer than {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def encode_event(verb: EventVerb, event_id: str, lang: str, intent_id: str | None = None) -> str:
    """Callback data for an event button.

    Args:
        verb: ev (intent answer), dp (date and place) or src (sources).
        event_id: the event.
        lang: the language the button is shown in.
        intent_id: the intent, for ``ev`` only.

    Returns:
        The data.

    Raises:
        ValueError: when it would be invalid or longer than Telegram allows.
    """
    fields = [VERSION, verb, event_id] + ([intent_id or ""] if verb == "ev" else []) + [lang]
    data = _checked("|".join(fields))
    if parse_callback(data) is None:
        raise ValueError(f"invalid event button: {data!r}")
    return data


def encode_lang(lang: str | None) -> str:
    """Callback data for a /lang button (None: automatic)."""
    return _checked(f"{VERSION}|lang|{lang or AUTO}")


def parse_callback(data: str | None) -> EventAction | LangChoice | None:
    """Read callback data back, trusting nothing.

    Args:
        data: what Telegram delivered (any string, possibly forged).

    Returns:
        The action, or None when the data is not exactly one of the formats above.
    """
    if not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    parts = data.split("|")
    if parts[0] != VERSION or len(parts) < 3:
        return None
    verb, rest = parts[1], parts[2:]
    if verb == "lang" and len(rest) == 1 and (rest[0] in LANGS or rest[0] == AUTO):
        return LangChoice(None if rest[0] == AUTO else rest[0])
    if verb == "ev" and len(rest) == 3 and _EVENT_ID.match(rest[0]) and rest[1] in EVENT_INTENTS and rest[2] in LANGS:
        return EventAction("ev", rest[0], rest[2], rest[1])
    if verb in ("dp", "src") and len(rest) == 2 and _EVENT_ID.match(rest[0]) and rest[1] in LANGS:
        return EventAction("dp" if verb == "dp" else "src", rest[0], rest[1])
    return None


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(shorten(label, MAX_LABEL), callback_data=data)


def _markup(rows: Iterable[Sequence[InlineKeyboardButton]]) -> InlineKeyboardMarkup | None:
    kept = [list(row) for row in rows if row]
    return InlineKeyboardMarkup(kept) if kept else None


def _event_button(label: str, verb: EventVerb, event_id: str, lang: str, intent_id: str | None = None) -> InlineKeyboardButton | None:
    try:
        return _button(label, encode_event(verb, event_id, lang, intent_id))
    except ValueError:
        log.warning("no button for event %r: its id does not fit in callback data", event_id)
        return None


#: Each card follow-up: its label and the button's callback (verb, intent).
_FOLLOW_UPS: tuple[tuple[FollowUp, str, EventVerb, str | None], ...] = (
    ("date_place", "button_date_place", "dp", None),
    ("event_figures", "button_figures", "ev", "event_figures"),
    ("event_theme", "button_theme", "ev", "event_theme"),
    ("source", "button_source", "src", None),
)


def shown_follow_up(action: EventAction) -> FollowUp | None:
    """The card follow-up a button press shows (None: the card itself, or an answer that is not a follow-up)."""
    verb = {"dp": "date_place", "src": "source"}.get(action.verb, action.intent_id)
    return next((f for f, _, _, _ in _FOLLOW_UPS if f == verb), None)


def card_keyboard(
    event_id: str, lang: str, messages: Messages, follow_ups: Collection[str] | None = None, *, showing: FollowUp | None = None
) -> InlineKeyboardMarkup | None:
    """The follow-up buttons under an event card: date & place, key figures, theme, source.

    Args:
        event_id: the event.
        lang: the language of the labels (and of the answers they ask for).
        messages: the labels.
        follow_ups: the follow-ups the card's sources answer (:attr:`Answer.follow_ups`; None: all four).
        showing: the follow-up the message shows now, edited in place of the card: its button gives way to "Overview".

    Returns:
        The keyboard, or None when there is no button.
    """
    offered = [f for f in _FOLLOW_UPS if (follow_ups is None or f[0] in follow_ups) and f[0] != showing]
    buttons = [_event_button(messages.get(key, lang), verb, event_id, lang, intent) for _, key, verb, intent in offered]
    if showing is not None:
        buttons.insert(0, _event_button(messages.get("button_summary", lang), "ev", event_id, lang, "event_summary"))
    kept = [b for b in buttons if b is not None]
    return _markup([kept[:2], kept[2:]])


def opens_cards_only(markup: InlineKeyboardMarkup | None) -> bool:
    """Whether every button of a keyboard opens an event's card (a list of events: /events, the fallback...)."""
    data = [b.callback_data for row in markup.inline_keyboard for b in row] if markup else []
    actions = [parse_callback(d) if isinstance(d, str) else None for d in data]
    return bool(actions) and all(isinstance(a, EventAction) and a.verb == "ev" and a.intent_id == "event_summary" for a in actions)


def suggestions_keyboard(suggestions: Sequence[Suggestion], lang: str) -> InlineKeyboardMarkup | None:
    """One "did you mean" button per suggestion."""
    buttons = (_event_button(s.label, "ev", s.event_id, lang, s.intent_id) for s in suggestions)
    return _markup([b] for b in buttons if b is not None)


def events_keyboard(events: Sequence[Event], lang: str) -> InlineKeyboardMarkup | None:
    """One button per event, opening its card."""
    buttons = (_event_button(e.name(lang), "ev", e.id, lang, "event_summary") for e in events)
    return _markup([b] for b in buttons if b is not None)


def answer_keyboard(answer: Answer, messages: Messages) -> InlineKeyboardMarkup | None:
    """The buttons that go with an answer: a card's follow-ups, or "did you mean" choices."""
    if answer.kind == "summary" and answer.event:
        return card_keyboard(answer.event, answer.lang, messages, answer.follow_ups)
    if answer.suggestions:
        return suggestions_keyboard(answer.suggestions, answer.lang)
    return None


def lang_keyboard(current: str | None, lang: str, messages: Messages) -> InlineKeyboardMarkup | None:
    """The /lang choices, each language named in itself, the current choice ticked."""

    def label(text: str, chosen: bool) -> str:
        return f"✓ {text}" if chosen else text

    row = [_button(label(messages.get(f"lang_name_{code}", code), current == code), encode_lang(code)) for code in LANGS]
    auto = _button(label(messages.get("lang_auto", lang), current is None), encode_lang(None))
    return _markup([row[:2], row[2:], [auto]])


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>``: opens a private chat with the bot on that payload."""
    return f"https://t.me/{bot_username}?start={payload}"


def open_in_bot_keyboard(bot_username: str, event_id: str, label: str) -> InlineKeyboardMarkup | None:
    """A URL button opening the event's card in a private chat with the bot (for inline results)."""
    if not bot_username or not _EVENT_ID.match(event_id):
        return None
    return _markup([[InlineKeyboardButton(shorten(label, MAX_LABEL), url=deep_link(bot_username, event_id))]])
