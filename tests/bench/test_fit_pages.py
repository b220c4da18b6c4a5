"""The reader fit chooses lines exactly as the reader does, and picks the better setting."""

from __future__ import annotations

import numpy as np

from bench.fit_pages import Example, evaluate, read_lines
from knowledge_base.index import IndexedText, VectorIndex
from knowledge_base.reader import Reader, ReaderParams


def page_index(scores: list[float]) -> tuple[VectorIndex, np.ndarray]:
    """A page whose lines have the given cosines to the returned query (2-d unit vectors)."""
    index = VectorIndex(2)
    items = [
        IndexedText(f"line-{i}", "line", "de", f"line {i}", page_id=1, start=i, end=i + 1)
        for i in range(len(scores))
    ]
    vectors = np.array([[s, np.sqrt(1 - s * s)] for s in scores], dtype=np.float32)
    index.add(items, vectors)
    return index, np.array([1.0, 0.0], dtype=np.float32)


def test_read_lines_matches_the_reader() -> None:
    scores = [0.70, 0.84, 0.88, 0.86, 0.60, 0.87]
    index, query = page_index(scores)
    for params, language in (
        (ReaderParams(margin=0.03, min_score=0.8, max_lines=12), "de"),
        (ReaderParams(margin=0.05, min_score=0.8, max_lines=2), "de"),
        (ReaderParams(margin=0.03, min_score=0.9, min_score_cross=0.85, max_lines=12), "de"),
        (ReaderParams(margin=0.03, min_score=0.9, min_score_cross=0.85, max_lines=12), "ar"),
    ):
        expected = Reader(index, params).read(query, 1, language).lines
        assert tuple(sorted(read_lines(np.array(scores), params, language))) == expected
    assert read_lines(np.array(scores), ReaderParams(0.05, 0.8, 0.8, 12)) == [2, 1, 3]


def test_a_question_in_another_language_has_its_own_threshold() -> None:
    index, query = page_index([0.70, 0.86, 0.80])
    params = ReaderParams(margin=0.03, min_score=0.9, min_score_cross=0.85)
    assert Reader(index, params).read(query, 1, "de").lines == ()
    assert Reader(index, params).read(query, 1, "uk").lines == (1,)


def test_evaluate_rewards_the_setting_that_finds_the_answer() -> None:
    examples = [
        Example(np.array([0.70, 0.84, 0.88, 0.86, 0.60]), frozenset({1, 2, 3})),
        Example(np.array([0.70, 0.72, 0.71]), frozenset()),
    ]
    narrow = evaluate(examples, ReaderParams(margin=0.0, min_score=0.8))
    wide = evaluate(examples, ReaderParams(margin=0.05, min_score=0.8))
    assert evaluate(examples, ReaderParams(margin=0.05, min_score=0.9))[1] < 1.0
    assert narrow[1] == wide[1] == 1.0
    assert wide[0] == 1.0 and narrow[0] < wide[0]
