"""The app factory: what Lotse's web process holds, and in which order it opens and closes it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot import health, keys
from bot.channels import rest
from bot.conversations import ConversationStore
from bot.internal import routes as internal
from bot.nlg import ResponseRenderer
from bot.privacy import retention_ctx
from bot.rasa_client import RasaClient
from bot.requests import INTERNAL_BODY_BYTES
from bot.settings import Settings
from bot.storage.database import async_engine, migrate, sync_engine
from knowledge_base.embedder import shared_embedder
from knowledge_base.loader import open_knowledge_base
from knowledge_base.service import KnowledgeBase
from translations.cache import TranslationCacheStore
from translations.catalogs import Catalogs
from translations.glossary import load_glossary
from translations.language_id import LanguageDetector
from translations.machine import Translator, open_translator

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    await asyncio.get_running_loop().run_in_executor(None, migrate, settings.sqlalchemy_url)
    engine = async_engine(settings.sqlalchemy_url)
    app[keys.ENGINE] = engine
    app[keys.SESSIONS] = async_sessionmaker(engine, expire_on_commit=False)
    app[keys.CONVERSATIONS] = ConversationStore(
        app[keys.SESSIONS], timedelta(days=settings.retention_days)
    )
    yield
    await engine.dispose()


async def knowledge_ctx(app: web.Application) -> AsyncIterator[None]:
    """Load the translation models' list, the embedding model and the index once, off the
    event loop; `.argosmodel` files dropped into the models folder are installed first."""
    settings = app[keys.SETTINGS]
    engine = sync_engine(settings.sqlalchemy_url)

    def load() -> tuple[Translator, KnowledgeBase]:
        translator = open_translator(
            settings.argos_path,
            models_dir=settings.argos_models_path,
            cache=TranslationCacheStore(engine),
            glossary=load_glossary(),
        )
        knowledge = open_knowledge_base(
            settings.sqlalchemy_url,
            shared_embedder(settings.embedding_model),
            settings.index_path,
            fallback_languages=settings.fallback_languages,
            translator=translator.plain(),
            calibration_dir=settings.calibration_dir,
            engine=engine,
        )
        # An up-to-date index no longer loads the models: load them now, not for the first
        # newcomer's question.
        knowledge.warm_up()
        return translator, knowledge

    loop = asyncio.get_running_loop()
    app[keys.TRANSLATOR], app[keys.KNOWLEDGE] = await loop.run_in_executor(None, load)
    yield
    engine.dispose()


async def http_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    async with aiohttp.ClientSession() as session:
        app[keys.HTTP] = session
        app[keys.RASA] = RasaClient(session, settings.rasa_url, settings.rasa_timeout_seconds)
        yield


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        client_max_size=INTERNAL_BODY_BYTES, middlewares=[internal.require_internal_token]
    )
    app[keys.SETTINGS] = settings
    app[keys.CATALOGS] = Catalogs()
    app[keys.DETECTOR] = LanguageDetector(settings.languages)
    app[keys.RESPONSES] = ResponseRenderer(ROOT / "domain.yml", app[keys.CATALOGS])
    app.cleanup_ctx.extend([database_ctx, knowledge_ctx, http_ctx, retention_ctx])
    app.add_routes(rest.routes)
    app.add_routes(internal.routes)
    app.add_routes(health.routes)
    return app
