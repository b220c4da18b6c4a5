"""Page ranking: a page counts by its best passage and, a little, by its other good ones."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.index import IndexedText, VectorIndex
from knowledge_base.retriever import Retriever


def passage(key: str, page_id: int, cosine: float) -> tuple[IndexedText, np.ndarray]:
    """A passage whose vector has `cosine` with the query [1, 0]."""
    item = IndexedText(key, "passage", "de", key, page_id=page_id, group=f"g{page_id}")
    return item, np.array([cosine, np.sqrt(1 - cosine**2)], dtype=np.float32)


def retriever(passages: list[tuple[IndexedText, np.ndarray]]) -> Retriever:
    index = VectorIndex(2)
    index.add([item for item, _ in passages], np.stack([vector for _, vector in passages]))
    return Retriever(VectorIndex(2), index)


def test_a_page_with_several_good_passages_beats_one_slightly_better_passage() -> None:
    ranked = retriever(
        [
            passage("a1", 1, 0.880),
            passage("b1", 2, 0.877),
            passage("b2", 2, 0.876),
            passage("b3", 2, 0.875),
        ]
    ).pages(np.array([1.0, 0.0], dtype=np.float32), k=2)
    assert [hit.page_id for hit in ranked] == [2, 1]
    assert ranked[0].evidence.key == "b1"
    assert ranked[1].score == pytest.approx(0.880, abs=1e-5)


def test_far_weaker_passages_do_not_lift_a_page() -> None:
    ranked = retriever(
        [passage("a1", 1, 0.90), passage("b1", 2, 0.89), passage("b2", 2, 0.80)]
    ).pages(np.array([1.0, 0.0], dtype=np.float32), k=2)
    assert [hit.page_id for hit in ranked] == [1, 2]
    assert ranked[1].score == pytest.approx(0.89, abs=1e-4)
