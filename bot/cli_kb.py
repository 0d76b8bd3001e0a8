"""``summitbot kb export | import | history``: the knowledge (YAML baseline plus admins' edits) from the shell."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any, TextIO

from bot.curated import load
from bot.curated.overlay import apply_overlay
from bot.curated.problems import CurationError, Problem
from bot.curated.transfer import export_folder, import_edits, read_folder
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store import Store
from bot.store.knowledge import KnowledgeLog
from bot.store.knowledge_records import StaleKnowledge

#: Changes made from the command line are recorded with this user id.
CLI_USER = 0
#: Attempts at storing an import while the running bot keeps storing edits.
MAX_ATTEMPTS = 5


async def _current(settings: Settings, log: KnowledgeLog) -> KnowledgeBase:
    kb, _ = apply_overlay(load(settings.intents_dir, settings.knowledge_dir), await log.overlay())
    return kb


async def _import(docs: dict[str, dict[str, Any]], settings: Settings, log: KnowledgeLog, out: TextIO) -> int:
    """Store the edits that make the knowledge equal to ``docs``, computed from the knowledge as stored.

    A running bot may store an admin's edit meanwhile: the batch is stored only if the knowledge is still the one
    the edits were computed from (see :mod:`bot.telegram.kb_sync`); otherwise they are computed again.
    """
    for _ in range(MAX_ATTEMPTS):
        generation = await log.generation()  # before reading the overlay, as the bot does
        edits = import_edits(await _current(settings, log), docs)
        if not edits:
            out.write(f"imported {len(docs)} events: no changes\n")
            return 0
        try:
            changes = await log.apply(edits, user_id=CLI_USER, chat_id=None, expect=generation)
        except StaleKnowledge:
            continue
        out.write(f"imported {len(docs)} events: {len(changes)} changes (batch #{changes[0].batch_id}; /undo {changes[0].change_id} reverts)\n")
        return 0
    raise CurationError([Problem("kb import", "", "the knowledge kept changing while importing (admins editing?); nothing stored, try again")])


async def kb_command(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Run one ``kb`` subcommand against the database of ``SUMMITBOT_DB``.

    Args:
        args: the parsed arguments (``kb_action``, ``folder``, ``limit``).
        settings: the settings.
        out: where to write.

    Returns:
        The exit code.
    """
    store = await Store.open(settings.db_path)
    try:
        log = KnowledgeLog(store)
        if args.kb_action == "export":
            files = export_folder(await _current(settings, log), Path(args.folder))
            out.write(f"exported {len(files)} events to {args.folder}\n")
        elif args.kb_action == "import":
            docs = read_folder(Path(args.folder), settings.sources_dir)  # raises CurationError before anything is stored
            return await _import(docs, settings, log, out)
        else:
            changes = await log.history(limit=args.limit)
            if not changes:
                out.write(f"no changes recorded in {settings.db_path}\n")
            for change in changes:
                undone = f" (undone by #{change.undone_by})" if change.undone_by else ""
                out.write(f"#{change.change_id} {change.at} user {change.user_id}: {change.summary}{undone}\n")
        return 0
    finally:
        await store.close()


def run_kb(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Synchronous entry point for the CLI."""
    return asyncio.run(kb_command(args, settings, out))
