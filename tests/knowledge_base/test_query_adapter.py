"""The page search's query adapter: applied only where it was fitted, kept small on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.storage.database import sync_engine
from knowledge_base.embedder import Embedder
from knowledge_base.loader import open_knowledge_base
from knowledge_base.query_adapter import ADAPTER_FILE, QueryAdapter, load_adapter
from tests.conftest import FIXTURES


def swap_adapter(model: str = "model") -> QueryAdapter:
    """q + q @ M with M = P - I: swaps the first two coordinates."""
    permutation = np.eye(4, dtype=np.float32)[[1, 0, 2, 3]]
    return QueryAdapter(permutation - np.eye(4, dtype=np.float32), frozenset({"en"}), model)


def test_the_adapter_moves_questions_in_its_languages_only() -> None:
    adapter = swap_adapter()
    query = np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32)
    assert adapter.apply(query, "en") == pytest.approx([0.8, 0.6, 0.0, 0.0])
    assert adapter.apply(query, "de") is query


def test_the_adapter_survives_a_round_trip_and_refuses_other_models(tmp_path: Path) -> None:
    path = tmp_path / ADAPTER_FILE
    swap_adapter("multilingual-e5-small").save(path)
    loaded = load_adapter(path, "/models/multilingual-e5-small", 4)
    assert loaded is not None and loaded.languages == {"en"}
    assert loaded.matrix == pytest.approx(swap_adapter().matrix)
    assert load_adapter(path, "/models/another-model", 4) is None
    assert load_adapter(path, "/models/multilingual-e5-small", 8) is None
    assert load_adapter(tmp_path / "missing.npz", "multilingual-e5-small", 4) is None


def test_the_knowledge_base_loads_the_adapter_from_its_calibration_folder(
    tmp_path: Path, tiny_content: Path, embedder: Embedder
) -> None:
    calibration = tmp_path / "calibration"
    (calibration / "faq").mkdir(parents=True)
    for labelled in (FIXTURES / "calibration" / "faq").iterdir():
        (calibration / "faq" / labelled.name).write_bytes(labelled.read_bytes())
    dimension = embedder.dimension
    QueryAdapter(
        np.zeros((dimension, dimension), dtype=np.float32),
        frozenset({"en"}),
        Path(embedder.model_name).name,
    ).save(calibration / ADAPTER_FILE)
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    knowledge = open_knowledge_base(
        url,
        embedder,
        tmp_path / "index",
        content_dir=tiny_content,
        calibration_dir=calibration,
        engine=sync_engine(url),
    )
    assert knowledge.query_adapter is not None
    assert knowledge.query_adapter.languages == {"en"}
