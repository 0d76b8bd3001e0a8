"""``summitbot kb export | import | history``: the knowledge (YAML baseline plus admins' edits) from the shell."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TextIO

from bot.curated import load
from bot.curated.overlay import apply_overlay
from bot.curated.transfer import export_folder, import_edits, read_folder
from bot.engine import KnowledgeBase
from bot.settings import Settings
from bot.store import Store
from bot.store.knowledge import KnowledgeLog

#: Changes made from the command line are recorded with this user id.
CLI_USER = 0


async def _current(settings: Settings, log: KnowledgeLog) -> KnowledgeBase:
    kb, _ = apply_overlay(load(settings.intents_dir, settings.knowledge_dir), await log.overlay())
    return kb


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
            edits = import_edits(await _current(settings, log), docs)
            if edits:
                changes = await log.apply(edits, user_id=CLI_USER, chat_id=None)
                out.write(f"imported {len(docs)} events: {len(changes)} changes (batch #{changes[0].batch_id}; /undo {changes[0].change_id} reverts)\n")
            else:
                out.write(f"imported {len(docs)} events: no changes\n")
        else:
            for change in await log.history(limit=args.limit):
                undone = f" (undone by #{change.undone_by})" if change.undone_by else ""
                out.write(f"#{change.change_id} {change.at} user {change.user_id}: {change.summary}{undone}\n")
        return 0
    finally:
        await store.close()


def run_kb(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Synchronous entry point for the CLI."""
    return asyncio.run(kb_command(args, settings, out))
