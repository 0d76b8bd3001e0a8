"""Every fact quotes its article verbatim, and every article is covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.curated import load
from bot.engine.model import LANGS
from tests.conftest import INTENTS, KNOWLEDGE

KB = load(INTENTS, KNOWLEDGE)
FACTS = [f for e in KB.events for f in e.facts]


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.id)
def test_quote_is_verbatim(fact, sources_dir: Path) -> None:  # type: ignore[no-untyped-def]
    article = (sources_dir / fact.source).read_text(encoding="utf-8")
    assert fact.quote in article


@pytest.mark.parametrize("fact", FACTS, ids=lambda f: f.id)
def test_fact_is_translated(fact) -> None:  # type: ignore[no-untyped-def]
    assert all(fact.text.get(lang) for lang in LANGS)


def test_every_article_is_covered(sources_dir: Path) -> None:
    cited = {f.source for f in FACTS}
    assert cited == {p.name for p in sources_dir.glob("*.txt")}


# Reviewed figures whose digits differ from the quote's: the translation is right, the digits just differ.
TRANSLATED_FIGURES = {
    ("world_iot_expo_2021_wuxi_output", "300"): "3 แสนล้าน is 300 billion",
    ("world_iot_expo_2021_report_findings", "2020"): "the report's name, quoted by world_iot_expo_2021_report_release",
}


def test_numbers_in_english_texts_come_from_quotes_or_names() -> None:
    # A figure in a fact's English text must appear in its quote (or be the event's year): no invented numbers.
    import re

    for event in KB.events:
        for fact in event.facts:
            for number in re.findall(r"\d[\d,.]*\d|\d", fact.text.pick("en")[0]):
                digits = number.replace(",", "").replace(".", "")
                quote_digits = re.sub(r"[^\d]", "", fact.quote)
                be = str(int(digits) + 543) if digits.isdigit() and len(digits) == 4 else ""
                if (fact.id, number) in TRANSLATED_FIGURES:
                    continue
                assert digits in quote_digits or (be and be in quote_digits) or int(digits) in (event.year, 2022) or digits in event.id, (
                    fact.id,
                    number,
                )
