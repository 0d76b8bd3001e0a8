"""Curated data on disk (intents/, knowledge/): loading, validation, problems that name file and entry."""

from __future__ import annotations

from bot.curated.loader import collect, load
from bot.curated.problems import CurationError, Problem

__all__ = ["CurationError", "Problem", "collect", "load"]
