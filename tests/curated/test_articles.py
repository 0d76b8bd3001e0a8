"""The articles' metadata (knowledge/sources.yaml): loaded, validated, rendered under answers; admins' facts cite no quote."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from bot.curated import collect
from bot.curated.articles import SOURCES_FILE, parse_articles
from bot.curated.edits import Edit, dated
from bot.curated.export import articles_to_doc
from bot.curated.problems import Problem
from bot.engine import Answer, KnowledgeBase, SourceRef
from bot.engine.model import Article, Fact, LocalText
from bot.engine.render import citations, to_plain
from tests.conftest import INTENTS, KNOWLEDGE, SOURCES

WUXI = "001_34c08f21bc854ebe.txt"


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge/."""
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, folder)
    return folder


def rewrite(path: Path, change: object) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def problems(knowledge: Path, sources: Path | None = None) -> list[str]:
    return [str(p) for p in collect(INTENTS, knowledge, sources)[1]]


def test_every_shipped_article_has_metadata_checked_against_its_text(kb: KnowledgeBase) -> None:
    assert problems(KNOWLEDGE, SOURCES) == []
    assert sorted(kb.articles) == sorted(p.name for p in SOURCES.glob("*.txt"))
    assert kb.articles[WUXI] == Article(WUXI, "th", "มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี", "Xinhua Silk Road")
    assert kb.articles["004_ca867061f8d0485d.txt"].published == dt.date(2023, 12, 5)


def test_a_fact_citing_an_article_without_metadata_is_named(knowledge: Path) -> None:
    rewrite(knowledge / SOURCES_FILE, lambda d: d.update(sources=[s for s in d["sources"] if s["file"] != WUXI]))
    found = problems(knowledge)
    assert f"world_iot_expo_2021.yaml: fact world_iot_expo_2021_date.source: {WUXI!r} has no entry in sources.yaml" in found
    assert f"world_iot_expo_2021.yaml: source: {WUXI!r} has no entry in sources.yaml" in found


def test_a_title_or_outlet_not_in_the_article_is_refused(knowledge: Path) -> None:
    def invent(doc: dict[str, list[dict[str, str]]]) -> None:
        doc["sources"][1]["outlet"] = "Reuters"
        doc["sources"][0]["title"] = "A headline nobody wrote"

    rewrite(knowledge / SOURCES_FILE, invent)
    found = problems(knowledge, SOURCES)
    assert f"sources.yaml: source {WUXI}.outlet: not found verbatim in the article: 'Reuters'" in found
    assert "sources.yaml: source 000_41fa0fa3797de500.txt.title: not found verbatim in the article: 'A headline nobody wrote'" in found
    assert len(found) == 2
    assert problems(knowledge) == []  # without the articles folder only the structure is checked


def test_bad_entries_name_file_and_entry() -> None:
    found: list[Problem] = []
    doc = {
        "version": 1,
        "sources": [
            {"file": "a.txt", "lang": "de"},
            {"file": "../etc/passwd", "lang": "en"},
            {"file": "b.txt", "lang": "en", "author": "x", "published": "5 Dec"},
            {"file": "c.txt", "lang": "fr"},
            {"file": "c.txt", "lang": "fr"},
            {"lang": "en"},
        ],
    }
    articles = parse_articles(doc, SOURCES_FILE, found)
    assert sorted(articles) == ["b.txt", "c.txt"]
    assert [str(p) for p in found] == [
        "sources.yaml: source a.txt.lang: 'de' must be one of en, th, vi, fr (the article's language)",
        "sources.yaml: source ../etc/passwd.file: '../etc/passwd' must be a file name in the articles folder",
        "sources.yaml: source b.txt.author: unknown field (use file, lang, outlet, published, title)",
        "sources.yaml: source b.txt.published: '5 Dec' is not an ISO 8601 date (YYYY-MM-DD)",
        "sources.yaml: source c.txt.file: is listed more than once",
        "sources.yaml: sources[5].file: is missing",
    ]
    found = []
    assert parse_articles({"version": 2}, SOURCES_FILE, found) == {}
    assert [str(p) for p in found] == ["sources.yaml: version: must be one of (1,), got 2", "sources.yaml: sources: is missing"]


def test_a_missing_sources_file_is_a_problem(knowledge: Path) -> None:
    (knowledge / SOURCES_FILE).unlink()
    assert any(p.startswith("sources.yaml: is missing from") for p in problems(knowledge))


def test_export_reads_back_equal(kb: KnowledgeBase) -> None:
    found: list[Problem] = []
    assert parse_articles(articles_to_doc(kb.articles), SOURCES_FILE, found) == dict(kb.articles) and found == []


def test_plain_rendering_names_the_article_and_keeps_quotes_under_it(kb: KnowledgeBase) -> None:
    article = kb.articles[WUXI]
    refs = (SourceRef(WUXI, "first quote", article), SourceRef(WUXI, "second quote", article), SourceRef(WUXI, "first quote", article))
    for lang, line, note in [
        ("en", "Source: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article in Thai)", "Quote in Thai:"),
        ("fr", "Source\u00a0: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article en thaï)", "Citation en thaï\u00a0:"),
        ("vi", "Nguồn: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (bài viết bằng tiếng Thái)", "Trích nguyên văn bằng tiếng Thái:"),
        ("th", "แหล่งที่มา: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (บทความภาษาไทย)", "ข้อความต้นฉบับภาษาไทย:"),
    ]:
        text = to_plain(Answer(lang, "topic", ("Body",), 1.0, sources=refs), kb.messages)
        assert text == f"Body\n\n{line}\n  {note}\n  “first quote”\n  “second quote”"
    dated_article = kb.articles["004_ca867061f8d0485d.txt"]
    untitled = kb.articles["000_41fa0fa3797de500.txt"]
    answer = Answer("en", "facts", ("B",), 1.0, sources=(SourceRef(dated_article.file, "q", dated_article), SourceRef(untitled.file, "", untitled)))
    assert [c.line for c in citations(answer, kb.messages)] == ["Source: PRNewswire, 5 December 2023 (article in French)", "Source: article in Thai"]


def admin_fact(source: str, added: dt.date | None) -> Fact:
    return Fact("x_admin_1", "x", ("background",), LocalText.of({"en": "Robots came."}), source, "Robots came.", origin="admin", added=added)


def test_an_admins_fact_says_who_and_when_never_quotes_itself(kb: KnowledgeBase) -> None:
    def shown(fact: Fact, lang: str = "en") -> str:
        ref = SourceRef.of(fact, kb.articles)
        assert ref.quote == ""
        return to_plain(Answer(lang, "facts", ("Robots came.",), 1.0, sources=(ref,)), kb.messages)

    day = dt.date(2026, 5, 3)
    assert shown(admin_fact("admin", day)) == "Robots came.\n\nAdded by an admin on 3 May 2026"
    assert shown(admin_fact("https://example.org/robots", day), "fr") == (
        "Robots came.\n\nAjouté par un administrateur le 3 mai 2026\nSource\u00a0: https://example.org/robots"
    )
    assert shown(admin_fact("admin", None), "vi") == "Robots came.\n\nDo quản trị viên bổ sung"
    # An article's fact an admin edited keeps naming the article, without the quote it no longer matches.
    edited = shown(admin_fact(WUXI, day))
    assert edited.endswith("Added by an admin on 3 May 2026\nSource: “มหกรรม World IoT Expo ประจำปี 2564 เปิดฉากแล้วที่เมืองอู๋ซี”, Xinhua Silk Road (article in Thai)")
    assert "“Robots came.”" not in shown(admin_fact(WUXI, day))


def test_dated_stamps_new_admin_facts_and_keeps_the_first_day() -> None:
    today = dt.date(2026, 5, 3)
    new = Edit("fact_add", "fact", "x_admin_1", "x", {"id": "x_admin_1", "origin": "admin"}, "added")
    again = Edit("fact_edit", "fact", "x_admin_1", "x", {"id": "x_admin_1", "origin": "admin", "added": "2026-01-02"}, "edited")
    curated = Edit("import", "fact", "y", "x", {"id": "y"}, "set")
    event = Edit("event_set", "event", "x", "x", {"id": "x", "origin": "admin"}, "set")
    gone = Edit("fact_del", "fact", "z", "x", None, "deleted")
    stamped = dated([new, again, curated, event, gone], today)
    assert stamped[0].data == {"id": "x_admin_1", "origin": "admin", "added": "2026-05-03"}
    assert stamped[1:] == [again, curated, event, gone]
