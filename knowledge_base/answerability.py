"""Whether Lotse should answer at all, fitted on labelled questions rather than guessed.

Embedding similarities are compressed (an unrelated question still scores ~0.8 against
everything), so the decision looks at two things: how close the best match is, and how far
it stands out from the next ones ("lift"). A question about nothing in particular is
about equally close to everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LIFT_WEIGHTS = (0.0, 0.5, 1.0, 2.0, 3.0)
RUNNERS_UP = 5
RANKED_HITS = 1 + RUNNERS_UP


def lift(scores: Sequence[float]) -> float:
    """Best score minus the mean of the next few (0 when there is nothing to compare with)."""
    if len(scores) < 2:
        return 0.0
    return float(scores[0] - np.mean(scores[1 : 1 + RUNNERS_UP]))


@dataclass(frozen=True)
class Answerability:
    threshold: float
    lift_weight: float = 0.0

    def score(self, scores: Sequence[float]) -> float:
        """`scores`: the ranked hits' scores, best first."""
        if not scores:
            return float("-inf")
        return float(scores[0] + self.lift_weight * lift(scores))

    def answerable(self, scores: Sequence[float]) -> bool:
        return self.score(scores) >= self.threshold


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


def fit_answerability(
    ranked_scores: Sequence[Sequence[float]], correct: Sequence[bool]
) -> tuple[Answerability, float]:
    """Choose how much lift counts (the simplest weight among the most accurate) and the
    threshold; returns the decision and its accuracy on the examples."""
    best: tuple[Answerability, float] | None = None
    for weight in LIFT_WEIGHTS:
        combined = [Answerability(0.0, weight).score(scores) for scores in ranked_scores]
        threshold, accuracy = fit_threshold(combined, correct)
        if best is None or accuracy > best[1] + 1e-9:
            best = (Answerability(threshold, weight), accuracy)
    assert best is not None
    return best
