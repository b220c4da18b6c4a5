"""Shared fixtures: small real data (YAML content, a database, the real embedding model) and
the real app on it, with Rasa and the action server not running."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.app import create_app
from bot.settings import Settings
from knowledge_base.embedder import Embedder, shared_embedder
from knowledge_base.loader import open_knowledge_base

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = ROOT / "var" / "models" / "multilingual-e5-small"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def model_path() -> str:
    path = os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    if not Path(path).exists():
        pytest.fail(f"the embedding model is missing at {path}: run the tests with `make test`")
    return path


@pytest.fixture(scope="session")
def embedder(model_path: str) -> Embedder:
    model = shared_embedder(model_path)
    model.warm_up()
    return model


@pytest.fixture
def tiny_content(tmp_path: Path) -> Path:
    """Three entries in two fields of action, in de/en (one with a machine Arabic answer)."""
    folder = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, tiny_content: Path, embedder: Embedder, model_path: str) -> Settings:
    settings = Settings(
        data_dir=tmp_path,
        database_url="",
        index_dir=tmp_path / "index",
        rasa_tracker_db=tmp_path / "rasa-tracker.db",
        internal_token="",
        embedding_model=model_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        actions_url=f"http://127.0.0.1:{free_port()}",
        rasa_timeout_seconds=2,
        calibration_dir=FIXTURES / "calibration",
    )
    open_knowledge_base(
        settings.sqlalchemy_url,
        embedder,
        settings.index_path,
        content_dir=tiny_content,
        calibration_dir=settings.calibration_dir,
    )
    return settings


@pytest.fixture
async def app(settings: Settings) -> web.Application:
    return create_app(settings)


@pytest.fixture
async def client(aiohttp_client, app: web.Application) -> TestClient:
    return await aiohttp_client(app)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
