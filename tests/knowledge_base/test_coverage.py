"""Token coverage on small hand-made token vectors: what it rewards, what it ignores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge_base.coverage import LineTokens, TokenProjection
from knowledge_base.embedder import TokenVectors


def _tokens(*rows: tuple[int, list[float]], punctuation: tuple[int, ...] = ()) -> TokenVectors:
    """Tokens given as (id, vector); ids in `punctuation` are not words."""
    vectors = np.array([vector for _, vector in rows], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.array([token_id for token_id, _ in rows])
    return TokenVectors(vectors, ids, np.array([i not in punctuation for i in ids]))


BIKE, PARK, SAFE, THE, MARK = (
    (1, [1, 0, 0, 0]),
    (2, [0, 1, 0, 0]),
    (3, [0, 0, 1, 0]),
    (4, [0, 0, 0, 1]),
    (9, [1, 1, 1, 1]),
)


@pytest.fixture
def store() -> LineTokens:
    """Three pages' lines; "the" is on every line."""
    store = LineTokens()
    store.add(
        ["bike:1", "bike:2", "park:1", "safe:1"],
        [_tokens(BIKE, THE), _tokens(PARK, THE), _tokens(PARK, THE), _tokens(SAFE, THE)],
    )
    return store


def test_a_page_with_every_word_covers_the_question_fully(store: LineTokens) -> None:
    question = _tokens(BIKE, PARK)
    assert store.coverage(question, ["bike:1", "bike:2"]) == pytest.approx([1.0, 1.0])
    partly = store.coverage(question, ["bike:1"])
    assert partly[0] < 1.0 and partly[1] < 0.5


def test_a_missing_rare_word_costs_more_than_a_missing_common_one(store: LineTokens) -> None:
    question = _tokens(BIKE, PARK)  # "bike" is on one line, "park" on two
    lacks_rare = store.coverage(question, ["park:1"])
    lacks_common = store.coverage(question, ["bike:1"])
    assert lacks_rare[0] < lacks_common[0]


def test_punctuation_in_the_question_is_not_looked_for(store: LineTokens) -> None:
    with_mark = store.coverage(_tokens(BIKE, MARK, punctuation=(9,)), ["bike:1"])
    assert with_mark == pytest.approx(store.coverage(_tokens(BIKE), ["bike:1"]))


def test_no_tokens_on_either_side_gives_zeros(store: LineTokens) -> None:
    assert store.coverage(_tokens(BIKE), ["unknown"]).tolist() == [0.0, 0.0]
    empty = TokenVectors(np.zeros((0, 4), np.float32), np.zeros(0, int), np.zeros(0, bool))
    assert store.coverage(empty, ["bike:1"]).tolist() == [0.0, 0.0]


def test_removed_lines_no_longer_count(store: LineTokens) -> None:
    store.remove(["bike:1"])
    assert store.keys() == {"bike:2", "park:1", "safe:1"}
    assert store.coverage(_tokens(BIKE), ["bike:1", "bike:2"])[0] < 1.0


def test_stored_tokens_survive_the_file(store: LineTokens, tmp_path: Path) -> None:
    store.save(tmp_path / "tokens.npz")
    loaded = LineTokens.load(tmp_path / "tokens.npz")
    assert loaded.keys() == store.keys()
    question = _tokens(PARK, SAFE)
    keys = ["park:1", "safe:1"]
    assert loaded.coverage(question, keys) == pytest.approx(store.coverage(question, keys))


def test_a_projection_keeps_unit_length_and_belongs_to_its_model(tmp_path: Path) -> None:
    matrix = np.eye(4, 2, dtype=np.float32)
    projected = TokenProjection(matrix).apply(np.array([[3.0, 4.0, 5.0, 0.0]]))
    assert projected.dtype == np.float16
    assert projected[0].astype(np.float32) == pytest.approx([0.6, 0.8], abs=1e-3)
    TokenProjection(matrix).save(tmp_path / "p.npz", "multilingual-e5-small")
    mine = TokenProjection.load(tmp_path / "p.npz", "/models/multilingual-e5-small")
    assert mine.matrix is not None and mine.matrix.shape == (4, 2)
    assert TokenProjection.load(tmp_path / "p.npz", "another-model").matrix is None
    assert TokenProjection.load(tmp_path / "missing.npz", "multilingual-e5-small").matrix is None
