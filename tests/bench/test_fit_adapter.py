"""The adapter fit learns a map that puts questions back next to their pages."""

from __future__ import annotations

import numpy as np

from bench.fit_adapter import fit_matrix, recall_at


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_the_fit_undoes_a_systematic_shift_of_the_questions() -> None:
    rng = np.random.default_rng(0)
    pages, dimension = 12, 16
    centres = rng.normal(size=(pages, dimension))
    passages = unit(np.repeat(centres, 2, axis=0) + 0.1 * rng.normal(size=(2 * pages, dimension)))
    page_of = np.repeat(np.arange(pages), 2)
    gold = np.tile(np.arange(pages), 4)
    # questions "in another language": their page's direction, rotated and noisy
    rotation, _ = np.linalg.qr(rng.normal(size=(dimension, dimension)))
    shifted = centres[gold] @ (0.3 * np.eye(dimension) + 0.7 * rotation)
    queries = unit(shifted + 0.1 * rng.normal(size=shifted.shape))
    matrix = fit_matrix(queries, gold, passages, page_of, l2=0.001, epochs=300, learning_rate=0.02)
    moved = unit(queries + queries @ matrix)
    before = recall_at(queries, gold, passages, page_of, k=1)
    after = recall_at(moved, gold, passages, page_of, k=1)
    assert before < 0.7
    assert after > before + 0.2
