"""OMoS-QA scores: page retrieval, answer sentences, and "no answer here".

Answer sentences are scored as in the OMoS-QA paper: for each answerable question, precision
is |predicted ∩ gold| / |predicted| (1 when nothing is predicted) and recall is
|predicted ∩ gold| / |gold|; answer F1 is the harmonic mean of the mean precision and the mean
recall. "No answer" is a binary decision over all questions whose positive is an empty
prediction. Retrieval counts the gold page's rank among the predicted page ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RANKED_PAGES = 10


@dataclass(frozen=True)
class Gold:
    id: int
    page_id: int
    answers: tuple[int, ...]
    language: str

    @property
    def answerable(self) -> bool:
        return bool(self.answers)


@dataclass(frozen=True)
class Prediction:
    id: int
    ranked_page_ids: tuple[int, ...]
    answer_sentences: tuple[int, ...]
    answerable: bool


@dataclass(frozen=True)
class Scores:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    answer_precision: float
    answer_recall: float
    answer_f1: float
    noanswer_precision: float
    noanswer_recall: float
    noanswer_f1: float


def harmonic(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def rank_of(gold_page: int, ranked: Sequence[int]) -> int | None:
    """1-based rank of the gold page among the first RANKED_PAGES, None when absent."""
    for rank, page in enumerate(ranked[:RANKED_PAGES], start=1):
        if page == gold_page:
            return rank
    return None


def sentence_precision_recall(predicted: Sequence[int], gold: Sequence[int]) -> tuple[float, float]:
    """For one answerable question; an empty prediction is precise but recalls nothing."""
    if not gold:
        raise ValueError("sentence precision and recall are defined for answerable questions")
    found = len(set(predicted) & set(gold))
    precision = found / len(set(predicted)) if predicted else 1.0
    return precision, found / len(set(gold))


def score(pairs: Sequence[tuple[Gold, Prediction]]) -> Scores:
    if not pairs:
        raise ValueError("nothing to score: no questions")
    ranks = [rank_of(gold.page_id, prediction.ranked_page_ids) for gold, prediction in pairs]
    answered = [
        sentence_precision_recall(prediction.answer_sentences, gold.answers)
        for gold, prediction in pairs
        if gold.answerable
    ]
    answer_p = _mean([p for p, _ in answered])
    answer_r = _mean([r for _, r in answered])
    said_none = [not prediction.answer_sentences for _, prediction in pairs]
    truly_none = [not gold.answerable for gold, _ in pairs]
    both = sum(s and t for s, t in zip(said_none, truly_none, strict=True))
    noanswer_p = both / sum(said_none) if any(said_none) else 0.0
    noanswer_r = both / sum(truly_none) if any(truly_none) else 0.0
    return Scores(
        questions=len(pairs),
        recall_at_1=_mean([rank is not None and rank <= 1 for rank in ranks]),
        recall_at_5=_mean([rank is not None and rank <= 5 for rank in ranks]),
        mrr_at_10=_mean([1 / rank if rank else 0.0 for rank in ranks]),
        answer_precision=answer_p,
        answer_recall=answer_r,
        answer_f1=harmonic(answer_p, answer_r),
        noanswer_precision=noanswer_p,
        noanswer_recall=noanswer_r,
        noanswer_f1=harmonic(noanswer_p, noanswer_r),
    )


def _mean(values: Sequence[float | bool]) -> float:
    return sum(values) / len(values) if values else 0.0


TABLE_COLUMNS = ("n", "R@1", "R@5", "MRR@10", "ans_P", "ans_R", "ans_F1", "no_P", "no_R", "no_F1")


def table_row(label: str, scores: Scores) -> str:
    values = (
        scores.recall_at_1,
        scores.recall_at_5,
        scores.mrr_at_10,
        scores.answer_precision,
        scores.answer_recall,
        scores.answer_f1,
        scores.noanswer_precision,
        scores.noanswer_recall,
        scores.noanswer_f1,
    )
    return f"{label:<6}{scores.questions:>6}" + "".join(f"{100 * v:>8.1f}" for v in values)


def table_header() -> str:
    return f"{'lang':<6}{TABLE_COLUMNS[0]:>6}" + "".join(f"{c:>8}" for c in TABLE_COLUMNS[1:])


def summary_line(scores: Scores) -> str:
    """The fixed last line of `python -m bench.omos`."""
    return (
        f"R@1={100 * scores.recall_at_1:.1f} R@5={100 * scores.recall_at_5:.1f} "
        f"MRR@10={100 * scores.mrr_at_10:.1f} answer_F1={100 * scores.answer_f1:.1f} "
        f"noanswer_F1={100 * scores.noanswer_f1:.1f}"
    )
