"""Which follow-ups (buttons) an event card offers: only those its sources answer."""

from __future__ import annotations

from bot.engine.answer import FollowUp
from bot.engine.model import Event

#: A card button asking for a topic, and the fact topic that answers it.
TOPIC_BUTTONS: tuple[tuple[FollowUp, str], ...] = (("event_figures", "figures"), ("event_theme", "theme"))


def follow_ups(event: Event) -> tuple[FollowUp, ...]:
    """The card buttons whose answer the sources give (a topic answers when one of the event's facts has it).

    Args:
        event: the event.

    Returns:
        Date & place, key figures, theme, source — those with something to show, in that order.
    """
    topics = {topic for fact in event.facts for topic in fact.topics}
    found: list[FollowUp] = ["date_place"] if topics & {"when", "where"} else []
    found += [button for button, topic in TOPIC_BUTTONS if topic in topics]
    if event.source or event.facts:
        found.append("source")
    return tuple(found)
