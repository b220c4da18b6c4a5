"""Whether Lotse should answer at all: a score threshold fitted on labelled questions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Answerability:
    threshold: float

    def answerable(self, score: float) -> bool:
        return score >= self.threshold


def fit_threshold(scores: Sequence[float], correct: Sequence[bool]) -> tuple[float, float]:
    """The threshold that best separates questions Lotse answers right from the rest.

    `correct[i]` says that answering question i with its best hit would be right; wrong hits
    and questions without any right answer should be refused. Returns (threshold, accuracy);
    among equally accurate thresholds the middle of the widest such range is taken, so it does
    not sit on one example's score.
    """
    if not scores:
        raise ValueError("cannot fit a threshold without examples")
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(correct, dtype=bool)
    ordered = np.sort(np.unique(values))
    candidates = np.concatenate(
        ([ordered[0] - 1e-6], (ordered[:-1] + ordered[1:]) / 2, [ordered[-1] + 1e-6])
    )
    accuracy = np.array([np.mean((values >= t) == labels) for t in candidates])
    best = np.flatnonzero(accuracy == accuracy.max())
    runs = np.split(best, np.flatnonzero(np.diff(best) > 1) + 1)
    widest = max(runs, key=lambda run: candidates[run[-1]] - candidates[run[0]])
    threshold = float((candidates[widest[0]] + candidates[widest[-1]]) / 2)
    return threshold, float(accuracy.max())
