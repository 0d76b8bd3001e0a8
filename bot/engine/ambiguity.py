"""When to ask "which event do you mean?" instead of answering: the same kind of answer about other events is as likely."""

from __future__ import annotations

from bot.engine.ranking import Ranking
from bot.engine.units import Unit

#: "Did you mean" only when the same general answer about another event is close to the best one: its
#: stage-one share (softmax over all units) at least this part of the best's: a question that names its event
#: leaves rivals under a tenth, two events a question fits alike come within a factor of two.
#: tests/engine/test_ranking.py shows both sides and that the value matters.
AMBIGUITY = 0.5
#: Options offered by "did you mean" at most: five buttons still read at a glance, and with every event
#: close the bot asks "which event?" with all of them.
MAX_OPTIONS = 5


def rivals_of(ranking: Ranking, best: Unit, p: float) -> list[Unit]:
    """The same kind of answer about other events, nearly as likely ("did you mean").

    Only when neither the message nor the conversation names an event: "and where?" or "when is
    the iot expo?" fit several events alike. A fact and a topic answer on the same topic count as
    the same kind of answer; a word of some events' names ("iot") keeps the choice among those.

    Args:
        ranking: the query's ranking.
        best: its most likely unit.
        p: that unit's stage-one share.

    Returns:
        The other events' units to offer next to ``best`` (empty: answer ``best``).
    """
    if best.kind not in ("topic", "card", "fact") or ranking.named or ranking.in_context:
        return []
    seen = {best.event_id}
    alike: list[tuple[Unit, float]] = []
    for unit, q in ranking.top(40)[1:]:
        if unit.event_id in seen or (ranking.mentioned and unit.event_id not in ranking.mentioned):
            continue
        same_card = unit.kind == best.kind == "card"
        same_topic = unit.kind in ("topic", "fact") and best.kind in ("topic", "fact") and unit.topic == best.topic
        if same_card or same_topic:
            seen.add(unit.event_id)
            alike.append((unit, q))
    # Ambiguous when one other event is nearly as likely, or when the other events together are at least as
    # likely as the best one ("when?" split over five events), or when the best is an event's general answer
    # or overview (its date, its place…) while nothing points at that event: every event has one, so picking
    # one is a guess.
    guess = best.kind in ("topic", "card") and not ranking.points_at(int(ranking.order[0]))
    together = guess or sum(q for _, q in alike) >= p
    return [u for u, q in alike if together or q >= AMBIGUITY * p][: MAX_OPTIONS - 1]
