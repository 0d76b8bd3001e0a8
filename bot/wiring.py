"""Build the engine from settings: curated data, the fitted ranker and (unless turned off) the encoder."""

from __future__ import annotations

import logging

from bot.curated import load
from bot.curated.ranker_file import load_ranker
from bot.encoder import load_encoder
from bot.engine import Engine, KnowledgeBase
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_engine(settings: Settings, kb: KnowledgeBase | None = None, bot_name: str = "SummitBot") -> Engine:
    """The engine the settings describe.

    Args:
        settings: where the curated data, the ranker and the embedding cache are; whether to use the encoder.
        kb: an already loaded knowledge base (default: load intents/ and knowledge/).
        bot_name: the name the bot's replies use.

    Returns:
        The engine, with the encoder when it loads, else lexical-only (logged once).

    Raises:
        CurationError: when the curated data or the ranker file has problems.
    """
    model = load_ranker(settings.ranker_path)
    encoder = load_encoder(settings.embedding_cache) if settings.encoder else None
    if settings.encoder and model.full is None:
        log.warning("%s has no weights for the encoder; answering with lexical signals only", settings.ranker_path)
    engine = Engine(kb if kb is not None else load(settings.intents_dir, settings.knowledge_dir), model, encoder, bot_name)
    log.info("engine ready: %s", f"lexical + semantic ({engine.encoder_name})" if engine.semantic else "lexical only")
    return engine
