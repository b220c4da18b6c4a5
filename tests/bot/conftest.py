"""The real app on a small real knowledge base; Rasa and the action server are not running."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings
from knowledge_base.embedder import Embedder
from knowledge_base.loader import open_knowledge_base
from tests.conftest import free_port


@pytest.fixture
def settings(tmp_path: Path, tiny_content: Path, embedder: Embedder, model_path: str) -> Settings:
    settings = Settings(
        data_dir=tmp_path,
        embedding_model=model_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout_seconds=2,
    )
    open_knowledge_base(
        settings.sqlalchemy_url, embedder, settings.index_path, content_dir=tiny_content
    )
    return settings


@pytest.fixture
async def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client, app: web.Application) -> TestClient:
    return await aiohttp_client(app)
