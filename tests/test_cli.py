"""The command line as a user runs it: ask (text and JSON, stdin), chat, validate, eval, run without a token."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import REPO


def run(args: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = main(args, out)
    return code, out.getvalue()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "SUMMITBOT_INTENTS_DIR", "SUMMITBOT_KNOWLEDGE_DIR", "SUMMITBOT_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env; data folders resolve to the repo's
    monkeypatch.setenv("SUMMITBOT_DB", str(tmp_path / "db.sqlite3"))


def test_ask_json_has_the_documented_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["ask", "--json", "how many IoT companies are in Wuxi?"], monkeypatch)
    assert code == 0
    row = json.loads(out)
    assert {"reply", "fallback", "lang", "confidence", "intent", "event", "sources"} <= row.keys()
    assert row["event"] == "world_iot_expo_2021" and row["lang"] == "en" and row["fallback"] is False
    assert "3,000" in row["reply"]
    assert any("3,000" in s["quote"] for s in row["sources"])


def test_ask_reads_one_question_per_line_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["ask", "--json"], monkeypatch, stdin="hoi nghi o tran to chuc khi nao\nquel temps fait-il à Paris\n\nงานอู๋ซีจัดที่ไหน\n")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 4
    assert [r["lang"] for r in (rows[0], rows[1], rows[3])] == ["vi", "fr", "th"]
    assert rows[1]["fallback"] and not rows[2]["fallback"] and rows[2]["intent"] == "nudge"  # an empty line: "Yes? Ask me…"
    # Independently: the second line does not inherit the first one's event.
    assert rows[0]["event"] == "wic_wuzhen_2023" and rows[1]["event"] is None


def test_ask_lang_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    _, out = run(["ask", "--json", "--lang", "th", "WIOTC"], monkeypatch)
    assert json.loads(out)["lang"] == "th"


def test_chat_keeps_context(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["chat"], monkeypatch, stdin="When was the Wuzhen summit?\nand where?\n/quit\n")
    assert code == 0
    assert "8 November 2023" in out and "Zhejiang" in out


def test_run_without_token_starts_terminal_chat(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["run"], monkeypatch, stdin="hello\n")
    assert code == 0
    assert "TELEGRAM_BOT_TOKEN is not set" in out and "bot>" in out


def test_bad_token_is_a_clear_error_that_does_not_echo_it(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token-SECRET")
    code, _ = run(["run"], monkeypatch)
    err = capsys.readouterr().err
    assert code == 1 and "TELEGRAM_BOT_TOKEN" in err and "SECRET" not in err


def test_validate_ok_and_broken(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out = run(["validate"], monkeypatch)
    assert code == 0 and out.strip().endswith("OK")
    broken = tmp_path / "knowledge"
    broken.mkdir()
    (broken / "bad.yaml").write_text("version: 2\nid: bad\n", encoding="utf-8")
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(broken))
    code, out = run(["validate"], monkeypatch)
    assert code == 1
    assert "error: bad.yaml: version: must be one of (1,), got 2" in out


def test_validate_sources_missing_folder_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-folder"
    code, out = run(["validate", "--sources", str(missing)], monkeypatch)
    err = capsys.readouterr().err
    assert code == 1 and out == ""
    assert err == f"summitbot: --sources {missing}: no such folder\n"


def test_validate_refuses_a_profile_text_over_telegrams_limit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import shutil

    from telegram.constants import BotDescriptionLimit

    from bot.curated.loader import PROFILE_LIMITS

    assert PROFILE_LIMITS == {
        "bot_description": BotDescriptionLimit.MAX_DESCRIPTION_LENGTH,
        "bot_short_description": BotDescriptionLimit.MAX_SHORT_DESCRIPTION_LENGTH,
    }
    intents = shutil.copytree(REPO / "intents", tmp_path / "intents")
    path = intents / "messages.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  bot_short_description:\n    en: ")
    end = text.index("\n", start + len("  bot_short_description:\n"))
    path.write_text(text[:start] + "  bot_short_description:\n    en: " + "x" * 121 + text[end:], encoding="utf-8")
    monkeypatch.setenv("SUMMITBOT_INTENTS_DIR", str(intents))
    code, out = run(["validate"], monkeypatch)
    assert code == 1
    assert "error: messages.yaml: messages.bot_short_description.en: is 121 characters; Telegram allows 120" in out


def test_kb_history_on_an_empty_database_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["kb", "history"], monkeypatch)
    assert code == 0
    assert out.startswith("no changes recorded in ") and out.count("\n") == 1


def test_eval_floors_hold(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["eval", str(REPO / "tests" / "data" / "dev.yaml"), "--min", "0.75"], monkeypatch)
    assert code == 0, out
    assert "PASS" in out and "threshold sweep" in out


def test_eval_min_fails_when_unreachable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import yaml

    # A slice of dev is enough to show the exit code (the whole split is scored once, above).
    dev = yaml.safe_load((REPO / "tests" / "data" / "dev.yaml").read_text(encoding="utf-8"))
    some = tmp_path / "some.yaml"
    # Keyboard noise labelled as a question the sources answer: no engine gets it right, so the floor cannot be met.
    wrong = {"text": "qzxv wkpj", "lang": "en", "expect": "card", "event": "wtisd_2021"}
    some.write_text(yaml.safe_dump({"version": 1, "queries": [*dev["queries"][:40], wrong]}, allow_unicode=True), encoding="utf-8")
    code, out = run(["eval", str(some), "--min", "0.999"], monkeypatch)
    assert code == 1 and "FAIL" in out


def test_console_script_and_module_entry_point(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    for cmd in ([str(Path(sys.executable).parent / "summitbot")], [sys.executable, "-m", "bot"]):
        done = subprocess.run([*cmd, "ask", "wuzhen"], capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path, check=False)
        assert done.returncode == 0, done.stderr
        assert "World Internet Conference Wuzhen Summit 2023" in done.stdout


def test_kb_export_import_round_trip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import yaml

    code, out = run(["kb", "export", str(tmp_path / "one")], monkeypatch)
    assert code == 0 and "exported 5 events" in out
    code, out = run(["kb", "import", str(tmp_path / "one")], monkeypatch)
    assert code == 0 and "no changes" in out
    path = tmp_path / "one" / "wiotc_2023.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["facts"].append(
        {"id": "wiotc_2023_cli_1", "topics": ["background"], "text": {"en": "Imported."}, "source": "admin", "quote": "Imported.", "origin": "admin"}
    )
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code, out = run(["kb", "import", str(tmp_path / "one")], monkeypatch)
    assert code == 0 and "1 changes" in out
    run(["kb", "export", str(tmp_path / "two")], monkeypatch)
    for exported in (tmp_path / "one").glob("*.yaml"):
        assert yaml.safe_load(exported.read_text(encoding="utf-8")) == yaml.safe_load((tmp_path / "two" / exported.name).read_text(encoding="utf-8"))
    code, out = run(["kb", "history"], monkeypatch)
    assert "import set wiotc_2023_cli_1" in out


def test_kb_import_refuses_invalid_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "x.yaml").write_text("version: 1\nid: x\n", encoding="utf-8")
    code, _ = run(["kb", "import", str(folder)], monkeypatch)
    assert code == 1
    _, out = run(["kb", "history"], monkeypatch)
    assert out.startswith("no changes recorded")


def test_forget_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import asyncio
    import os

    from bot.store import Store

    async def seed() -> None:
        store = await Store.open(os.environ["SUMMITBOT_DB"])
        try:
            await store.set_user_lang(4242, "th")
            await store.record_chat(4242, "private", None, "member")
            await store.record_chat(-77, "group", "Fans", "member")
        finally:
            await store.close()

    asyncio.run(seed())
    code, out = run(["forget-user", "4242"], monkeypatch)
    assert code == 0 and "user_settings 1" in out and "chats 1" in out

    async def check() -> tuple[str | None, object, object]:
        store = await Store.open(os.environ["SUMMITBOT_DB"])
        try:
            return await store.get_user_lang(4242), await store.chat(4242), await store.chat(-77)
        finally:
            await store.close()

    lang, private, group = asyncio.run(check())
    assert lang is None and private is None and group is not None
    code, out = run(["forget-user", "4242"], monkeypatch)
    assert "nothing stored" in out
