"""The OMoS-QA scores on small cases worked out by hand."""

from __future__ import annotations

import pytest

from bench.omos_metrics import Gold, Prediction, rank_of, score, sentence_precision_recall


def prediction(id_: int, pages: tuple[int, ...], lines: tuple[int, ...]) -> Prediction:
    return Prediction(id_, pages, lines, bool(lines))


def test_sentence_precision_and_recall_of_one_answer() -> None:
    assert sentence_precision_recall([1, 2, 3, 4], [2, 3]) == (0.5, 1.0)
    assert sentence_precision_recall([], [2, 3]) == (1.0, 0.0)
    with pytest.raises(ValueError):
        sentence_precision_recall([1], [])


def test_rank_counts_only_the_first_ten_pages() -> None:
    assert rank_of(7, [3, 7]) == 2
    assert rank_of(7, [*range(100, 110), 7]) is None


def test_scores_follow_the_paper() -> None:
    pairs = [
        # answerable, gold page first, half of the predicted lines right, all gold found
        (Gold(1, 10, (2, 3), "de"), prediction(1, (10, 11), (1, 2, 3, 4))),
        # answerable, gold page second, nothing predicted: precise, recalls nothing
        (Gold(2, 20, (5,), "de"), prediction(2, (21, 20), ())),
        # unanswerable and said so; gold page absent
        (Gold(3, 30, (), "de"), prediction(3, (31,), ())),
        # unanswerable but answered
        (Gold(4, 40, (), "de"), prediction(4, (40,), (0,))),
    ]
    result = score(pairs)
    assert result.recall_at_1 == pytest.approx(2 / 4)
    assert result.recall_at_5 == pytest.approx(3 / 4)
    assert result.mrr_at_10 == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    # mean precision (0.5 + 1) / 2, mean recall (1 + 0) / 2, then their harmonic mean
    assert result.answer_precision == pytest.approx(0.75)
    assert result.answer_recall == pytest.approx(0.5)
    assert result.answer_f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    # "no answer" said for items 2 and 3, true for items 3 and 4
    assert result.noanswer_precision == pytest.approx(0.5)
    assert result.noanswer_recall == pytest.approx(0.5)
    assert result.noanswer_f1 == pytest.approx(0.5)
