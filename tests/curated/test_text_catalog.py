"""The texts check: every text the code uses exists in its file, in four languages, with the placeholders the code fills."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from bot.curated.loader import collect, load
from bot.curated.problems import CurationError
from bot.curated.text_catalog import CATALOG, TEXT_FILES, catalog_problems, placeholders
from bot.engine.model import KnowledgeBase, LocalText
from tests.conftest import INTENTS, KNOWLEDGE

REPO = Path(__file__).resolve().parents[2]
CATALOG_FOR_TESTS = {"messages.yaml": {"greet": frozenset({"name"}), "plain": frozenset()}, "admin_messages.yaml": {"done": frozenset()}}


def texts(**by_key: tuple[str, dict[str, str]]) -> dict[str, tuple[str, LocalText]]:
    return {key: (file, LocalText.of(values)) for key, (file, values) in by_key.items()}


def four(text: str) -> dict[str, str]:
    return {lang: text for lang in ("en", "th", "vi", "fr")}


def test_a_complete_set_has_no_problem() -> None:
    found = texts(greet=("messages.yaml", four("Hi {name}")), plain=("messages.yaml", four("Hi")), done=("admin_messages.yaml", four("Done")))
    assert catalog_problems(found, CATALOG_FOR_TESTS) == []


def test_a_text_the_code_uses_but_no_file_has_is_named_with_its_file() -> None:
    found = texts(greet=("messages.yaml", four("Hi {name}")), plain=("messages.yaml", four("Hi")))
    assert [str(p) for p in catalog_problems(found, CATALOG_FOR_TESTS)] == ["admin_messages.yaml: messages.done: is missing: the bot uses this text"]


def test_unknown_and_misplaced_keys() -> None:
    found = texts(
        greet=("messages.yaml", four("Hi {name}")), plain=("admin_messages.yaml", four("Hi")), done=("admin_messages.yaml", four("Done")),
        grete=("messages.yaml", four("typo")),
    )  # fmt: skip
    problems = [str(p) for p in catalog_problems(found, CATALOG_FOR_TESTS)]
    assert "admin_messages.yaml: messages.plain: belongs in messages.yaml" in problems
    assert any(p.startswith("messages.yaml: messages.grete: is not a text the bot uses") for p in problems)
    assert len(problems) == 2


def test_placeholder_mismatches() -> None:
    greet = four("Hi {name}") | {"th": "สวัสดี", "fr": "Salut {nom}"}
    found = texts(greet=("messages.yaml", greet), plain=("messages.yaml", four("Hi {oops")), done=("admin_messages.yaml", four("Done")))
    problems = [str(p) for p in catalog_problems(found, CATALOG_FOR_TESTS)]
    assert "messages.yaml: messages.greet.th: placeholders differ from the English text's: lacks name" in problems
    assert "messages.yaml: messages.greet.fr: placeholder {nom} is not filled by the code (it fills: {name})" in problems
    assert "messages.yaml: messages.greet.fr: placeholders differ from the English text's: lacks name; adds nom" in problems
    assert any(p.startswith("messages.yaml: messages.plain.en: has unbalanced braces") for p in problems)


def test_thai_years_may_use_the_buddhist_era() -> None:
    catalog = {"messages.yaml": {"year": frozenset({"year", "year_be"})}}
    found = texts(year=("messages.yaml", four("{year}") | {"th": "พ.ศ. {year_be}"}))
    assert catalog_problems(found, catalog) == []
    assert placeholders("{a} {b!r} {c:>3} {{literal}}") == {"a", "b", "c"}


def _copy_intents(tmp_path: Path) -> Path:
    return Path(shutil.copytree(INTENTS, tmp_path / "intents"))


def test_missing_language_in_a_file_stops_the_load(tmp_path: Path) -> None:
    intents = _copy_intents(tmp_path)
    path = intents / "admin_messages.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  admin_done:\n")
    line = text.index("    vi: ", start)
    path.write_text(text[:line] + text[text.index("\n", line) + 1 :], encoding="utf-8")
    with pytest.raises(CurationError) as refused:
        load(intents, KNOWLEDGE)
    assert [str(p) for p in refused.value.problems] == ["admin_messages.yaml: messages.admin_done: missing language(s): vi"]


def test_a_missing_text_is_an_error_at_start_naming_file_and_key(tmp_path: Path) -> None:
    intents = _copy_intents(tmp_path)
    path = intents / "commands.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  command_help:\n")
    end = text.index("  command_", start + 1)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    _, problems = collect(intents, KNOWLEDGE)
    assert [str(p) for p in problems] == ["commands.yaml: messages.command_help: is missing: the bot uses this text"]


def test_a_missing_text_file_is_named_once(tmp_path: Path) -> None:
    intents = _copy_intents(tmp_path)
    (intents / "admin_messages.yaml").unlink()
    _, problems = collect(intents, KNOWLEDGE)
    assert [str(p) for p in problems] == ["admin_messages.yaml: is missing: the bot needs its own sentences"]


def test_the_shipped_texts_are_complete(kb: KnowledgeBase) -> None:
    assert set(kb.messages.table) == {key for keys in CATALOG.values() for key in keys}
    assert tuple(CATALOG) == TEXT_FILES
    with pytest.raises(KeyError, match="no text 'no_such_text'"):
        kb.messages.get("no_such_text", "en")  # never the raw key shown to a user


def _literal_text_calls() -> list[tuple[str, str, set[str] | None]]:
    """(file, key, keyword names or None for ``**values``) of every ``<...>messages.get("key", lang, ...)`` and ``reply_key(..., "key")`` in bot/."""
    calls = []
    for path in sorted((REPO / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            is_get = isinstance(func, ast.Attribute) and func.attr == "get" and ast.unparse(func.value).endswith("messages")
            is_reply_key = isinstance(func, ast.Name) and func.id == "reply_key" and len(node.args) >= 3
            arg = node.args[2] if is_reply_key else node.args[0]
            if (is_get or is_reply_key) and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names = {k.arg for k in node.keywords}
                calls.append((path.name, arg.value, None if None in names else {n for n in names if n}))
    return calls


def test_every_key_the_code_names_is_declared_and_its_placeholders_filled() -> None:
    declared = {key: fills for keys in CATALOG.values() for key, fills in keys.items()}
    calls = _literal_text_calls()
    assert len(calls) > 20  # the scan finds the code's texts
    for file, key, given in calls:
        assert key in declared, f"{file}: text {key!r} is not declared in bot/curated/text_catalog.py"
        if given is not None:
            assert declared[key] <= given, f"{file}: {key} fills {sorted(given)}, its texts need {sorted(declared[key])}"
