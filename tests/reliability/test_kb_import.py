"""``kb import`` and ``validate`` share one reader and one set of checks (issue 10, items 7, 9, 18, 19).

Every test runs the real command line (``bot.cli.main``, or the console script in a subprocess for the folders that
could hang or eat memory) against a real SQLite file under ``tmp_path``.
"""

from __future__ import annotations

import io
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.conftest import INTENTS, KNOWLEDGE, REPO

pytestmark = pytest.mark.timeout(60)
WUZHEN = "wic_wuzhen_2023"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "SUMMITBOT_INTENTS_DIR", "SUMMITBOT_KNOWLEDGE_DIR", "SUMMITBOT_SOURCES_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SUMMITBOT_INTENTS_DIR", str(INTENTS))
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(KNOWLEDGE))
    monkeypatch.setenv("SUMMITBOT_DB", str(tmp_path / "db.sqlite3"))


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    real_err, sys.stderr = sys.stderr, err
    try:
        code = main(list(args), out)
    finally:
        sys.stderr = real_err
    return code, out.getvalue(), err.getvalue()


def copy_knowledge(tmp_path: Path, name: str = "import") -> Path:
    folder = tmp_path / name
    shutil.copytree(KNOWLEDGE, folder)
    return folder


def edit(path: Path, change: object) -> None:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def history() -> str:
    """The recorded changes; "" when there are none (the command then says so in one line)."""
    out = run("kb", "history")[1]
    return "" if out.startswith("no changes recorded in ") else out


def test_item7_import_refuses_fact_ids_reused_across_files_as_validate_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A copied event file (new event id, same fact ids) would move every Wuzhen fact to the copy."""
    folder = copy_knowledge(tmp_path)
    copy = folder / "wic_copy_2023.yaml"
    shutil.copy(folder / f"{WUZHEN}.yaml", copy)
    edit(copy, lambda d: d.update(id="wic_copy_2023"))
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(folder))
    vcode, vout, _ = run("validate")
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(KNOWLEDGE))
    code, out, err = run("kb", "import", str(folder))
    assert vcode == 1 and "id is used more than once" in vout
    assert code == 1, out
    assert "fact wic_wuzhen_2023_date: id is used more than once" in err
    # validate and import find the same problems (the import's message lists the first 50)
    validate_lines = [line.removeprefix("error: ") for line in vout.splitlines() if line.startswith("error: ")]
    import_lines = {line.strip().removeprefix("- ") for line in err.splitlines() if line.strip().startswith("- ")}
    assert f"{len(validate_lines)} problem(s) in curated data" in err
    assert import_lines <= set(validate_lines)
    assert history() == ""


def test_item19_import_refuses_two_files_with_one_event_id(tmp_path: Path) -> None:
    """Two files declaring the same event id: last one silently won."""
    folder = copy_knowledge(tmp_path)
    second = folder / "wiotc_2023_copy.yaml"
    shutil.copy(folder / "wiotc_2023.yaml", second)
    edit(second, lambda d: d.update(facts=[dict(f, id=f"{f['id']}_x") for f in d["facts"]]))
    code, _, err = run("kb", "import", str(folder))
    assert code == 1
    assert "wiotc_2023_copy.yaml: id: 'wiotc_2023' should match the file name 'wiotc_2023_copy'" in err
    assert "event wiotc_2023: id is used more than once" in err
    assert history() == ""


def test_item7_reimport_is_idempotent(tmp_path: Path) -> None:
    folder = copy_knowledge(tmp_path)
    edit(folder / "wiotc_2023.yaml", lambda d: d["facts"][0]["text"].update(en="The Convention's theme, edited by import."))
    (folder / "wtisd_2021.yaml").unlink()
    code, out, _ = run("kb", "import", str(folder))
    assert code == 0 and "changes" in out and "no changes" not in out
    for _ in range(2):
        code, out, _ = run("kb", "import", str(folder))
        assert (code, out.strip()) == (0, "imported 4 events: no changes")
    exported = tmp_path / "export"
    run("kb", "export", str(exported))
    assert sorted(p.name for p in exported.glob("*.yaml")) == sorted(p.name for p in folder.glob("*.yaml"))
    code, out, _ = run("kb", "import", str(exported))
    assert (code, out.strip()) == (0, "imported 4 events: no changes")


def _hostile_folder(tmp_path: Path) -> tuple[Path, list[str]]:
    folder = tmp_path / "hostile"
    folder.mkdir()
    os.symlink("/dev/zero", folder / "zero.yaml")
    os.symlink("/dev/urandom", folder / "urandom.yaml")
    os.mkfifo(folder / "fifo.yaml")
    (folder / "bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
            f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
            for i in range(8)
        ),
        encoding="utf-8",
    )
    (folder / "deep.yaml").write_text("version: 1\nid: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    with (folder / "huge.yaml").open("wb") as f:
        f.truncate(50_000_000)  # sparse: 50 MB that take no disk
    (folder / "folder.yaml").mkdir()
    (folder / "baddate.yaml").write_text("version: 1\nid: baddate\ndates: {start: 2023-02-30}\n", encoding="utf-8")
    return folder, ["zero.yaml", "urandom.yaml", "fifo.yaml", "bomb.yaml", "deep.yaml", "huge.yaml", "folder.yaml", "baddate.yaml"]


def _limit_memory() -> None:  # the child only: 1 GiB of address space, so a bomb fails instead of swapping
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_item9_hostile_import_folder_is_bounded_one_line_per_file(tmp_path: Path) -> None:
    folder, names = _hostile_folder(tmp_path)
    env = {**os.environ, "SUMMITBOT_DB": str(tmp_path / "db.sqlite3"), "PYTHONPATH": str(REPO)}
    start = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot", "kb", "import", str(folder)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30, preexec_fn=_limit_memory, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.fail("kb import of a hostile folder did not finish in 30 s (a FIFO or /dev/zero read?)")
    took = time.monotonic() - start
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stderr, done.stderr[-2000:]
    lines = [line.strip().removeprefix("- ") for line in done.stderr.splitlines() if line.startswith("  - ")]
    for name in names:
        mine = [line for line in lines if line.startswith(f"{name}:")]
        assert len(mine) == 1, (name, mine, done.stderr[-2000:])
        assert len(mine[0]) <= 400
    assert took < 15, f"{took:.1f} s"
    assert "regular file" in next(line for line in lines if line.startswith("zero.yaml"))
    assert "alias" in next(line for line in lines if line.startswith("bomb.yaml"))
    assert "nested" in next(line for line in lines if line.startswith("deep.yaml"))
    assert "larger than" in next(line for line in lines if line.startswith("huge.yaml"))


def test_item9_validate_uses_the_same_bounded_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_knowledge(tmp_path)
    os.mkfifo(folder / "zz_fifo.yaml")
    (folder / "zz_alias.yaml").write_text("version: 1\nid: &x zz_alias\nkind: *x\n", encoding="utf-8")
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(folder))
    code, out, _ = run("validate")
    assert code == 1
    assert "error: zz_fifo.yaml: is not a regular file" in out
    assert any(line.startswith("error: zz_alias.yaml: cannot be read") and "alias" in line for line in out.splitlines())


def test_item18_fact_text_of_only_invisible_characters_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_knowledge(tmp_path)
    edit(folder / "wiotc_2023.yaml", lambda d: d["facts"][0]["text"].update(en="\u200b"))
    edit(folder / "wtisd_2021.yaml", lambda d: d["facts"][0]["text"].update(fr="\u2060\ufeff\u3164 \u200d"))
    code, _, err = run("kb", "import", str(folder))
    assert code == 1
    assert "text.en: has no visible characters" in err and "text.fr: has no visible characters" in err
    monkeypatch.setenv("SUMMITBOT_KNOWLEDGE_DIR", str(folder))
    code, out, _ = run("validate")
    assert code == 1 and out.count("has no visible characters") == 2
    assert history() == ""


def test_repo_knowledge_still_imports_cleanly() -> None:
    assert REPO.is_dir()
    code, out, _ = run("kb", "import", str(KNOWLEDGE))
    assert (code, out.strip()) == (0, "imported 5 events: no changes")
