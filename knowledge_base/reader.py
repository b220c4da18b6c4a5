"""The extractive reader: which lines of a page answer the question, if any.

Two small logistic models fitted on OMoS-QA train line labels (`python -m bench.fit_pages`):
one gives each line a probability of belonging to the answer from how its cosine to the
question compares with the rest of the page; the other gives the page a probability of
answering at all from the best line probabilities. Line cosine alone ranks answer lines only
weakly, but where a line stands on its page (its gap to the best line, its neighbours) says
more. Whether the page answers at all, the page model also judges by how well its tokens cover
the words of the question (knowledge_base/coverage.py) and by how far the page stands behind
the best page of the search (0 for the best page itself, the one Lotse answers from). Features
come from the line and token vectors stored at indexing time, so reading costs two small matrix
products and a few array operations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

import numpy as np

from knowledge_base.coverage import COVERAGE_FEATURES, LineTokens
from knowledge_base.embedder import TokenVectors
from knowledge_base.index import IndexedText, VectorIndex

LINE_FEATURES = (
    "cosine",
    "gap",
    "zscore",
    "rank",
    "top_rank",
    "prev_gap",
    "next_gap",
    "window_max_gap",
    "window_mean_gap",
    "position",
    "first",
    "log_length",
    "distance",
    "near_best",
    "best",
    "log_lines",
    "colon",
    "same_language",
)
PAGE_FEATURES = (
    "top",
    "top3",
    "mass",
    "best_cosine",
    "spread",
    "same_language",
    *COVERAGE_FEATURES,
    "search_gap",
)
THRESHOLD_PREFIX = "answer_threshold."


def reading_key(question_language: str | None, page_language: str) -> str:
    """Names a kind of reading: "fr" for a French question read on a French page, "fr>de"
    for one read on a German page."""
    if question_language is None or question_language == page_language:
        return page_language
    return f"{question_language}>{page_language}"


def same_language(reading: str) -> bool:
    """Whether a `reading_key` names a question read on a page in its own language."""
    return ">" not in reading


@dataclass(frozen=True)
class ReaderParams:
    """Weights of the two models (`line_*`, `answer_*`, on raw features) and the thresholds.

    Flat float fields, so knowledge_base/calibration/pages.json maps onto them one to one;
    `answer_thresholds` are its `answer_threshold.<key>` entries (see `answer_threshold_for`).
    The defaults are a cosine-only fallback for a knowledge base without that file: lines
    close to the best one, and only when the best line is close to the question.
    """

    line_bias: float = 2.0
    line_cosine: float = 0.0
    line_gap: float = 30.0
    line_zscore: float = 0.0
    line_rank: float = 0.0
    line_top_rank: float = 0.0
    line_prev_gap: float = 0.0
    line_next_gap: float = 0.0
    line_window_max_gap: float = 0.0
    line_window_mean_gap: float = 0.0
    line_position: float = 0.0
    line_first: float = 0.0
    line_log_length: float = 0.0
    line_distance: float = 0.0
    line_near_best: float = 0.0
    line_best: float = 0.0
    line_log_lines: float = 0.0
    line_colon: float = 0.0
    line_same_language: float = 0.0
    answer_bias: float = -34.0
    answer_top: float = 0.0
    answer_top3: float = 0.0
    answer_mass: float = 0.0
    answer_best_cosine: float = 40.0
    answer_spread: float = 0.0
    answer_same_language: float = 0.0
    answer_coverage: float = 0.0
    answer_coverage_low: float = 0.0
    answer_search_gap: float = 0.0
    line_threshold: float = 0.5
    answer_threshold: float = 0.5
    # The page model is sure to a different degree for each question language, and more so
    # when question and page share it: keyed "fr" (a French question, a French page) or
    # "fr>de" (a French question, a German page), where train had enough such readings.
    answer_thresholds: Mapping[str, float] = field(default_factory=dict)

    def answer_threshold_for(self, reading: str) -> float:
        """The threshold for a `reading_key`: its own where fitted, else the pooled one."""
        return self.answer_thresholds.get(reading, self.answer_threshold)

    @property
    def line_weights(self) -> np.ndarray:
        return np.array([getattr(self, f"line_{name}") for name in LINE_FEATURES])

    @property
    def answer_weights(self) -> np.ndarray:
        return np.array([getattr(self, f"answer_{name}") for name in PAGE_FEATURES])

    def as_dict(self) -> dict[str, float]:
        flat = {
            item.name: float(getattr(self, item.name))
            for item in fields(self)
            if item.name != "answer_thresholds"
        }
        by_key = sorted(self.answer_thresholds.items())
        return flat | {f"{THRESHOLD_PREFIX}{key}": float(value) for key, value in by_key}

    @classmethod
    def from_dict(cls, values: Mapping[str, float]) -> ReaderParams:
        """The inverse of as_dict; other keys (the page search's) are left out."""
        names = {item.name for item in fields(cls)} - {"answer_thresholds"}
        return cls(
            **{key: float(value) for key, value in values.items() if key in names},
            answer_thresholds={
                key.removeprefix(THRESHOLD_PREFIX): float(value)
                for key, value in values.items()
                if key.startswith(THRESHOLD_PREFIX)
            },
        )


@dataclass(frozen=True)
class Reading:
    lines: tuple[int, ...]
    answerable: float = 0.0  # the page model's probability that the page answers at all


@dataclass(frozen=True)
class PageView:
    """One page as the reader sees it for one question: its non-empty lines and features."""

    lines: np.ndarray  # line numbers on the page (content.split("\n") indices)
    scores: np.ndarray  # cosine of each line to the question
    features: np.ndarray  # (lines, LINE_FEATURES)
    reading: str  # its reading_key
    coverage: np.ndarray  # COVERAGE_FEATURES of the page for the question


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30.0, 30.0)))


def line_features(
    scores: np.ndarray, texts: list[str], lines: np.ndarray, same_language: bool
) -> np.ndarray:
    """One row of LINE_FEATURES per line; `lines` are the line numbers, in page order."""
    n = len(scores)
    best = float(scores.max())
    floor = float(scores.min())
    order = np.argsort(-scores, kind="stable")
    rank = np.empty(n)
    rank[order] = np.arange(n)
    padded = np.concatenate(([floor, floor], scores, [floor, floor]))
    windows = np.lib.stride_tricks.sliding_window_view(padded, 5)
    distance = np.abs(np.arange(n) - order[0])
    columns = {
        "cosine": scores,
        "gap": scores - best,
        "zscore": (scores - scores.mean()) / (scores.std() + 1e-6),
        "rank": rank / n,
        "top_rank": np.minimum(rank, 10) / 10,
        "prev_gap": padded[1 : n + 1] - best,
        "next_gap": padded[3 : n + 3] - best,
        "window_max_gap": windows.max(axis=1) - best,
        "window_mean_gap": windows.mean(axis=1) - best,
        "position": np.arange(n) / n,
        "first": (lines == 0).astype(float),
        "log_length": np.log1p([len(text) for text in texts]),
        "distance": distance / n,
        "near_best": np.minimum(distance, 10) / 10,
        "best": np.full(n, best),
        "log_lines": np.full(n, np.log(n)),
        "colon": np.array([text.rstrip().endswith(":") for text in texts], dtype=float),
        "same_language": np.full(n, float(same_language)),
    }
    return np.stack([columns[name] for name in LINE_FEATURES], axis=1)


def page_features(
    probabilities: np.ndarray,
    scores: np.ndarray,
    same_language: bool,
    coverage: np.ndarray,
    search_gap: float = 0.0,
) -> np.ndarray:
    """PAGE_FEATURES of one page for one question, from its line probabilities and cosines,
    its tokens' coverage of the question and its search score minus the best page's."""
    top = np.sort(probabilities)[::-1]
    return np.array(
        [
            top[0],
            top[:3].mean(),
            np.log1p(probabilities.sum()),
            scores.max(),
            scores.max() - scores.mean(),
            float(same_language),
            *coverage,
            search_gap,
        ]
    )


def choose_lines(
    probabilities: np.ndarray, answerable: float, line_threshold: float, answer_threshold: float
) -> list[int]:
    """Positions (into the page view) of the answer lines; none when the page does not answer.
    At least the most likely line is taken once the page answers: recall is what is scored."""
    if answerable < answer_threshold:
        return []
    chosen = np.flatnonzero(probabilities >= line_threshold)
    return chosen.tolist() if chosen.size else [int(np.argmax(probabilities))]


class Reader:
    def __init__(
        self,
        lines: VectorIndex,
        params: ReaderParams | None = None,
        tokens: LineTokens | None = None,
    ) -> None:
        self._lines = lines
        self._tokens = tokens if tokens is not None else LineTokens()
        self.params = params or ReaderParams()
        self._by_page: dict[int, list[IndexedText]] = defaultdict(list)
        for item in lines.items():
            assert item.page_id is not None
            self._by_page[item.page_id].append(item)
        for items in self._by_page.values():
            items.sort(key=lambda item: item.start)

    def view(
        self,
        query: np.ndarray,
        page_id: int,
        language: str | None = None,
        tokens: TokenVectors | None = None,
    ) -> PageView | None:
        """The page's lines and their features for a question in `language` (None: the
        page's own language) with its token vectors `tokens`; None for a page without lines."""
        items = self._by_page.get(page_id)
        if not items:
            return None
        vectors = self._lines.vectors([item.key for item in items])
        scores = (vectors @ query).astype(np.float64)
        lines = np.array([item.start for item in items])
        reading = reading_key(language, items[0].language)
        texts = [item.text for item in items]
        features = line_features(scores, texts, lines, same_language(reading))
        coverage = (
            np.zeros(len(COVERAGE_FEATURES))
            if tokens is None
            else self._tokens.coverage(tokens, [item.key for item in items])
        )
        return PageView(lines, scores, features, reading, coverage)

    def read(
        self,
        query: np.ndarray,
        page_id: int,
        language: str | None = None,
        tokens: TokenVectors | None = None,
        search_gap: float = 0.0,
    ) -> Reading:
        """The answer lines for a question in `language` (None: the page's own language);
        `tokens`, its token vectors, tell whether the page covers the whole question, and
        `search_gap` (≤ 0) how far the page stood behind the best page when it was searched."""
        view = self.view(query, page_id, language, tokens)
        if view is None:
            return Reading(())
        params = self.params
        probabilities = sigmoid(view.features @ params.line_weights + params.line_bias)
        summary = page_features(
            probabilities, view.scores, same_language(view.reading), view.coverage, search_gap
        )
        answerable = float(sigmoid(summary @ params.answer_weights + params.answer_bias))
        threshold = params.answer_threshold_for(view.reading)
        chosen = choose_lines(probabilities, answerable, params.line_threshold, threshold)
        return Reading(tuple(sorted(int(view.lines[i]) for i in chosen)), answerable)
