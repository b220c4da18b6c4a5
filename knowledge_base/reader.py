"""The extractive reader: which lines of a page answer the question."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from knowledge_base.index import IndexedText, VectorIndex


@dataclass(frozen=True)
class ReaderParams:
    """Fitted on the OMoS-QA train split by `python -m bench.fit_pages`.

    A question and a page in different languages score lower than in the same language, so
    the "no answer here" threshold is `min_score` for the same language and
    `min_score_cross` across languages.
    """

    margin: float = 0.17
    min_score: float = 0.87
    min_score_cross: float = 0.83
    max_lines: int = 40

    def threshold(self, question_language: str | None, page_language: str) -> float:
        if question_language is None or question_language == page_language:
            return self.min_score
        return self.min_score_cross


@dataclass(frozen=True)
class Reading:
    lines: tuple[int, ...]
    best_score: float


class Reader:
    """Takes the best-matching line and the neighbours that score nearly as well: answers on
    these pages are runs of consecutive lines (a paragraph, a list)."""

    def __init__(self, lines: VectorIndex, params: ReaderParams | None = None) -> None:
        self._lines = lines
        self.params = params or ReaderParams()
        self._by_page: dict[int, list[IndexedText]] = defaultdict(list)
        for item in lines.items():
            assert item.page_id is not None
            self._by_page[item.page_id].append(item)
        for items in self._by_page.values():
            items.sort(key=lambda item: item.start)

    def line_scores(self, query: np.ndarray, page_id: int) -> dict[int, float]:
        items = self._by_page.get(page_id, [])
        if not items:
            return {}
        scores = self._lines.vectors([item.key for item in items]) @ query
        return {item.start: float(score) for item, score in zip(items, scores, strict=True)}

    def read(self, query: np.ndarray, page_id: int, language: str | None = None) -> Reading:
        """The answer lines for a question in `language` (None: the page's own language)."""
        scores = self.line_scores(query, page_id)
        if not scores:
            return Reading((), 0.0)
        best_line = max(scores, key=scores.__getitem__)
        best = scores[best_line]
        if best < self.params.threshold(language, self._by_page[page_id][0].language):
            return Reading((), best)
        floor = best - self.params.margin
        chosen = [best_line]
        for step in (-1, 1):
            line = best_line + step
            while len(chosen) < self.params.max_lines and scores.get(line, -1.0) >= floor:
                chosen.append(line)
                line += step
        return Reading(tuple(sorted(chosen)), best)
