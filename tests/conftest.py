"""Shared fixtures: small real data (YAML content, a database, the real embedding model)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from knowledge_base.embedder import Embedder, shared_embedder

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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
