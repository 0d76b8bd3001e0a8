"""Command line: ``summitbot run | chat | ask | validate | eval | train | kb | forget-user``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from bot.cli_model import add_arguments as add_model_arguments
from bot.cli_model import cmd_eval, cmd_train, data_dir
from bot.curated import CurationError, collect
from bot.curated.ranker_file import load_ranker, stale_examples
from bot.engine import LANGS, Answer, Context, Engine
from bot.engine.render import to_plain
from bot.labelled import leaks, load_split
from bot.settings import Settings, SettingsError
from bot.wiring import build_engine

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def now_utc() -> dt.datetime:
    """The current time, time-zone aware."""
    return dt.datetime.now(dt.UTC)


def answer_json(answer: Answer, engine: Engine) -> str:
    """One answer as a JSON line for ``ask --json``."""
    return json.dumps(
        {
            "reply": to_plain(answer, engine.kb.messages),
            "fallback": answer.fallback,
            "kind": answer.kind,
            "lang": answer.lang,
            "confidence": round(answer.confidence, 3),
            "intent": answer.intent,
            "event": answer.event,
            "facts": list(answer.facts),
            "sources": [{"file": s.file, "quote": s.quote} for s in answer.sources],
            "suggestions": [{"label": s.label, "event": s.event_id, "intent": s.intent_id} for s in answer.suggestions],
        },
        ensure_ascii=False,
    )


def cmd_ask(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Answer one question, or each stdin line independently."""
    engine = build_engine(settings)
    questions = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        answer = engine.answer(question, now=now_utc(), lang_hint=args.lang)
        out.write((answer_json(answer, engine) if args.json else to_plain(answer, engine.kb.messages) + "\n") + "\n")
        out.flush()
    return EXIT_OK


def cmd_chat(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Interactive terminal chat that remembers what the conversation is about."""
    engine = build_engine(settings)
    interactive = sys.stdin.isatty()
    out.write("summitbot — ask about the Wuzhen summit, the Wuxi IoT expo, ITU events, the Beijing IoT convention.\n")
    out.write("Type a question in English, ไทย, Tiếng Việt or Français; /quit or Ctrl-D to leave.\n")
    context: Context | None = None
    while True:
        if interactive:
            out.write("\nyou> ")
            out.flush()
        line = sys.stdin.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            out.write("\n")
            return EXIT_OK
        if not line.strip():
            continue
        answer = engine.answer(line, now=now_utc(), lang_hint=args.lang, context=context)
        context = answer.context or context
        out.write(f"bot> {to_plain(answer, engine.kb.messages)}\n")
        out.flush()


def cmd_validate(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Check intents/ and knowledge/; list every problem with its file and entry."""
    sources = Path(args.sources) if args.sources else settings.sources_dir
    if args.sources and not Path(args.sources).is_dir():
        raise SettingsError(f"--sources {args.sources}: no such folder")
    kb, problems = collect(settings.intents_dir, settings.knowledge_dir, sources)
    try:
        labelled = load_ranker(settings.ranker_path).examples
    except CurationError as exc:
        labelled, problems = (), [*problems, *exc.problems]
    problems = [*problems, *stale_examples(kb, labelled)]
    held_out = data_dir() / "test.yaml"
    if held_out.is_file():
        # The test split stays held out: no curated example, alternate question or labelled example may copy one of its queries.
        problems = [*problems, *leaks(kb, load_split(held_out), held_out.name, labelled)]
    for problem in problems:
        out.write(f"error: {problem}\n")
    facts = sum(len(e.facts) for e in kb.events)
    examples = sum(len(x) for i in kb.intents for x in i.examples.values())
    quote_note = f"quotes checked against {sources}" if sources else "quotes NOT checked (no sources folder; pass --sources)"
    out.write(f"{len(kb.events)} events, {facts} facts, {len(kb.intents)} intents, {examples} examples; {quote_note}\n")
    out.write("OK\n" if not problems else f"{len(problems)} problem(s)\n")
    return EXIT_OK if not problems else EXIT_FAIL


def cmd_run(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run the Telegram bot, or the terminal chat when no token is configured."""
    if not settings.token:
        if args.webhook_url:
            raise SettingsError("--webhook-url needs TELEGRAM_BOT_TOKEN")
        out.write("TELEGRAM_BOT_TOKEN is not set: starting the local terminal chat instead (set it to run on Telegram).\n")
        return cmd_chat(args, settings, out)
    from bot.telegram.app import run_polling, run_webhook

    if args.webhook_url:
        parts = urlsplit(args.webhook_url)
        if parts.scheme != "https" or not parts.netloc:
            raise SettingsError(f"--webhook-url must be an https:// URL Telegram can reach, got {args.webhook_url!r}")
        run_webhook(settings, args.webhook_url, args.listen, args.port)
    else:
        run_polling(settings)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    """The argument parser."""
    p = argparse.ArgumentParser(prog="summitbot", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the Telegram bot (terminal chat when TELEGRAM_BOT_TOKEN is unset)")
    chat = sub.add_parser("chat", help="interactive terminal chat")
    for cmd in (run, chat):
        cmd.add_argument("--lang", choices=LANGS, help="preferred reply language when the text does not tell")
    run.add_argument("--webhook-url", help="receive updates by webhook at this public https URL (default: long polling)")
    run.add_argument("--listen", default="0.0.0.0", help="webhook: local address to listen on (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=8443, help="webhook: local port (default 8443)")
    ask = sub.add_parser("ask", help="answer one question (or each line of stdin)")
    ask.add_argument("text", nargs="*", help="the question; omit to read one question per stdin line")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--lang", choices=LANGS, help="language hint, as Telegram's language_code")
    val = sub.add_parser("validate", help="check intents/ and knowledge/")
    val.add_argument("--sources", help="folder of the source articles, for the verbatim-quote check")
    add_model_arguments(sub)
    forget = sub.add_parser("forget-user", help="delete what the bot stores about one Telegram user")
    forget.add_argument("user_id", type=int)
    kb = sub.add_parser("kb", help="the knowledge with the admins' edits: export, import, history")
    kb_sub = kb.add_subparsers(dest="kb_action", required=True)
    for name, text in (("export", "write one YAML file per event"), ("import", "make the knowledge equal to a folder of event files")):
        cmd = kb_sub.add_parser(name, help=text)
        cmd.add_argument("folder", nargs="?", default="export", help="the folder (default: ./export)")
    hist = kb_sub.add_parser("history", help="recent changes")
    hist.add_argument("--limit", type=int, default=30)
    return p


def cmd_forget_user(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Delete or anonymize everything SUMMITBOT_DB holds about one user."""
    import asyncio

    from bot.store import Store
    from bot.store.privacy import forget_user

    async def run() -> dict[str, int]:
        store = await Store.open(settings.db_path)
        try:
            return await forget_user(store, args.user_id)
        finally:
            await store.close()

    counts = asyncio.run(run())
    out.write(
        f"user {args.user_id}: " + ", ".join(f"{table} {n}" for table, n in counts.items() if n) + "\n"
        if any(counts.values())
        else f"user {args.user_id}: nothing stored\n"
    )
    return EXIT_OK


def cmd_kb(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Export, import or list the knowledge edits stored in SUMMITBOT_DB."""
    from bot.cli_kb import run_kb

    return run_kb(args, settings, out)


COMMANDS = {
    "ask": cmd_ask, "chat": cmd_chat, "validate": cmd_validate, "eval": cmd_eval, "train": cmd_train,
    "run": cmd_run, "kb": cmd_kb, "forget-user": cmd_forget_user,
}  # fmt: skip


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the ``summitbot`` console script.

    Args:
        argv: arguments (default: the process's).
        out: where to write (default: stdout).

    Returns:
        The exit code.
    """
    args = parser().parse_args(argv)
    stream = out or sys.stdout
    try:
        settings = Settings.from_env()
        return COMMANDS[args.command](args, settings, stream)
    except (SettingsError, CurationError) as exc:
        sys.stderr.write(f"summitbot: {exc}\n")
        return EXIT_FAIL
    except KeyboardInterrupt:
        return EXIT_FAIL
