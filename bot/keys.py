"""Everything the app holds, declared once and typed."""

from __future__ import annotations

from aiohttp import ClientSession, web
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.conversations import ConversationStore
from bot.nlg import ResponseRenderer
from bot.rasa_client import RasaClient
from bot.settings import Settings
from knowledge_base.service import KnowledgeBase
from translations.catalogs import Catalogs
from translations.language_id import LanguageDetector
from translations.machine import Translator

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", AsyncEngine)
SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
CONVERSATIONS = web.AppKey("conversations", ConversationStore)
KNOWLEDGE = web.AppKey("knowledge", KnowledgeBase)
TRANSLATOR = web.AppKey("translator", Translator)
CATALOGS = web.AppKey("catalogs", Catalogs)
DETECTOR = web.AppKey("detector", LanguageDetector)
HTTP = web.AppKey("http", ClientSession)
RASA = web.AppKey("rasa", RasaClient)
RESPONSES = web.AppKey("responses", ResponseRenderer)
