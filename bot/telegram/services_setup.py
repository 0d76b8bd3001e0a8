"""The services' life: built in ``post_init`` (engine, store, the bot's identity, menus, announcer), closed in
``post_shutdown``; kept in the application's typed :class:`~bot.telegram.services.BotData`."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.curated import load
from bot.curated.overlay import apply_overlay
from bot.engine import Engine
from bot.settings import Settings
from bot.store import Store
from bot.store.knowledge import KnowledgeLog
from bot.telegram.announce.service import start_announcer
from bot.telegram.flood_gate import FloodGate
from bot.telegram.health import ApiHealth, serve_health
from bot.telegram.kb_sync import SYNC_SECONDS, sync_job
from bot.telegram.menus import set_menus
from bot.telegram.outgoing import SEND_LIMITS, Outgoing
from bot.telegram.profile import set_profile
from bot.telegram.services import BotApp, Services, SummitContext
from bot.wiring import build_engine

log = logging.getLogger(__name__)
#: Seconds between writes of the buffered question log.
QUESTION_FLUSH_SECONDS = 10.0


async def start_services(app: BotApp, settings: Settings, engine: Engine | None, zone: ZoneInfo, health: ApiHealth) -> None:
    """``post_init``: build the services (engine, store, the bot's identity from getMe), then publish the menus.

    Args:
        app: the initialized application.
        settings: the settings.
        engine: an engine to use, or None to load intents/ and knowledge/.
        zone: the time zone.
    """
    bot = app.bot
    baseline = engine.kb if engine is not None else await asyncio.to_thread(load, settings.intents_dir, settings.knowledge_dir)
    store = await Store.open(settings.db_path)
    try:
        knowledge = KnowledgeLog(store)
        generation = await knowledge.generation()  # before the overlay: see bot.telegram.kb_sync
        overlay = await knowledge.overlay()
        kb, problems = await asyncio.to_thread(apply_overlay, baseline, overlay)
        for problem in problems:
            log.warning("admin edit not applied: %s", problem)
        if engine is None:
            engine = await asyncio.to_thread(build_engine, settings, kb, bot.first_name)
        elif kb != baseline:
            await asyncio.to_thread(engine.swap, kb)
        flood = FloodGate(settings.flood_per_minute)
        limits = replace(SEND_LIMITS, group_per_minute=settings.group_messages_per_minute, per_chat_interval=1.0 / settings.chat_messages_per_second)
        outgoing = Outgoing(limits)
        identity = (bot.id, bot.username, bot.first_name)
        svc = Services(settings, engine, store, *identity, zone, baseline, knowledge, flood=flood, api_health=health, outgoing=outgoing)
        svc.kb_generation = generation
        app.bot_data.services = svc
        if settings.health_port is not None:
            svc.health_server = serve_health(svc.health, settings.health_port, settings.health_listen)
            log.info("health check on http://%s:%d/healthz", settings.health_listen, settings.health_port)
        if app.job_queue is not None:
            app.job_queue.run_repeating(flush_question_log, interval=QUESTION_FLUSH_SECONDS, name="question-log")
            app.job_queue.run_repeating(sync_job, interval=SYNC_SECONDS, name="kb-sync")
        menus = await set_menus(bot, settings.admins, engine.kb.messages)
        profile = await set_profile(bot, engine.kb.messages)
        await start_announcer(svc, bot, app.job_queue, lambda: app.running)
    except BaseException:
        app.bot_data.services = None
        await store.close()
        raise
    log.info("@%s ready: %d events, %d menus, %d profile texts, database %s", bot.username, len(engine.kb.events), menus, profile, settings.db_path)


async def flush_question_log(context: SummitContext) -> None:
    """Job: write the buffered question log to the store."""
    svc = context.bot_data.services
    if svc is not None:
        await svc.flush_questions()


async def stop_services(app: BotApp) -> None:
    """``post_shutdown``: close what :func:`start_services` opened."""
    svc, app.bot_data.services = app.bot_data.services, None
    if svc is not None:
        await svc.close()
