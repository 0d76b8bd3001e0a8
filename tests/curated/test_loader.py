"""Validation of curated files: every problem names the file and the entry; broken data is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.curated import CurationError, collect, load
from tests.conftest import INTENTS, KNOWLEDGE


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    """A writable copy of the shipped intents/ and knowledge/."""
    intents, knowledge = tmp_path / "intents", tmp_path / "knowledge"
    shutil.copytree(INTENTS, intents)
    shutil.copytree(KNOWLEDGE, knowledge)
    return intents, knowledge


def edit(path: Path, change: callable) -> None:  # type: ignore[valid-type]
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems_of(intents: Path, knowledge: Path, sources: Path | None = None) -> list[str]:
    return [str(p) for p in collect(intents, knowledge, sources)[1]]


def test_shipped_data_is_valid() -> None:
    kb = load(INTENTS, KNOWLEDGE)
    assert len(kb.events) == 5
    assert {e.kind for e in kb.events} == {"summit", "iot-expo", "itu-event"}


def test_every_file_starts_with_version() -> None:
    for path in [*INTENTS.glob("*.yaml"), *KNOWLEDGE.glob("*.yaml")]:
        assert path.read_text(encoding="utf-8").lstrip().startswith(("version:", "#")), path


def test_yaml_syntax_error_names_the_file(data: tuple[Path, Path]) -> None:
    intents, knowledge = data
    (knowledge / "wiotc_2023.yaml").write_text("version: 1\nid: [unclosed\n", encoding="utf-8")
    problems = problems_of(intents, knowledge)
    assert any(p.startswith("wiotc_2023.yaml") and "cannot be read" in p for p in problems)


def test_fact_without_quote_names_file_and_fact(data: tuple[Path, Path]) -> None:
    intents, knowledge = data
    edit(knowledge / "wtisd_2021.yaml", lambda d: d["facts"][0].pop("quote"))
    problems = problems_of(intents, knowledge)
    assert "wtisd_2021.yaml: fact wtisd_2021_date.quote: is missing" in problems


def test_missing_language_and_bad_date_are_reported(data: tuple[Path, Path]) -> None:
    intents, knowledge = data

    def change(doc: dict) -> None:  # type: ignore[type-arg]
        del doc["facts"][1]["text"]["th"]
        doc["dates"]["start"] = "8 Nov 2023"

    edit(knowledge / "wic_wuzhen_2023.yaml", change)
    problems = problems_of(intents, knowledge)
    assert any(p.startswith("wic_wuzhen_2023.yaml: fact ") and "missing language(s): th" in p for p in problems)
    assert any("dates.start" in p and "ISO 8601" in p for p in problems)
    with pytest.raises(CurationError):
        load(intents, knowledge)


def test_unknown_fact_reference_and_duplicate_ids(data: tuple[Path, Path]) -> None:
    intents, knowledge = data

    def change(doc: dict) -> None:  # type: ignore[type-arg]
        doc["place"]["fact"] = "wiotc_2023_nowhere"
        doc["facts"][1]["id"] = doc["facts"][0]["id"]

    edit(knowledge / "wiotc_2023.yaml", change)
    problems = problems_of(intents, knowledge)
    assert "wiotc_2023.yaml: place.fact: refers to fact 'wiotc_2023_nowhere', which this file does not define" in problems
    assert any("id is used more than once" in p for p in problems)


def test_near_duplicate_examples_across_intents(data: tuple[Path, Path]) -> None:
    intents, knowledge = data
    edit(intents / "chitchat.yaml", lambda d: d["intents"][0]["examples"]["vi"].append("khi nào diễn ra hội nghị nhỉ"))
    edit(intents / "event_topics.yaml", lambda d: d["intents"][0]["examples"]["vi"].append("khi nao dien ra hoi nghi nhi"))
    problems = problems_of(intents, knowledge)
    assert any("(nearly) the same as" in p and "chitchat.yaml" in p for p in problems)


def test_invented_day_with_year_precision_is_refused(data: tuple[Path, Path]) -> None:
    intents, knowledge = data
    edit(knowledge / "world_iot_expo_2021.yaml", lambda d: d["dates"].update(start="2021-01-01"))
    assert any("omit start and end" in p for p in problems_of(intents, knowledge))


def test_snake_case_ids_and_kinds(data: tuple[Path, Path]) -> None:
    intents, knowledge = data

    def change(doc: dict) -> None:  # type: ignore[type-arg]
        doc["kind"] = "party"
        doc["facts"][0]["id"] = "Bad-Id"

    edit(knowledge / "itu_digital_world_2021.yaml", change)
    problems = problems_of(intents, knowledge)
    assert any("kind" in p and "'party'" in p for p in problems)
    assert any("'Bad-Id' is not a snake_case id" in p for p in problems)


def test_quote_not_in_article_is_reported(data: tuple[Path, Path], sources_dir: Path) -> None:
    intents, knowledge = data
    edit(knowledge / "wiotc_2023.yaml", lambda d: d["facts"][0].update(quote="a sentence the article never wrote"))
    problems = problems_of(intents, knowledge, sources_dir)
    assert any("not found verbatim" in p and p.startswith("wiotc_2023.yaml") for p in problems)
