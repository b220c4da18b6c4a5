from __future__ import annotations

import pytest

from knowledge_base.answerability import Answerability, fit_answerability, fit_threshold


def test_threshold_separates_right_answers_from_the_rest() -> None:
    scores = [0.95, 0.93, 0.91, 0.84, 0.82, 0.80]
    correct = [True, True, True, False, False, False]
    threshold, accuracy = fit_threshold(scores, correct)
    assert 0.84 < threshold < 0.91
    assert accuracy == 1.0
    assert Answerability(threshold).answerable([0.92])
    assert not Answerability(threshold).answerable([0.83])


def test_threshold_trades_off_when_classes_overlap() -> None:
    scores = [0.9, 0.86, 0.88, 0.7]
    correct = [True, True, False, False]
    threshold, accuracy = fit_threshold(scores, correct)
    assert accuracy == pytest.approx(0.75)
    achieved = sum((s >= threshold) == c for s, c in zip(scores, correct, strict=True)) / 4
    assert achieved == pytest.approx(0.75)


def test_fitting_needs_examples() -> None:
    with pytest.raises(ValueError):
        fit_threshold([], [])


def test_lift_separates_a_standout_match_from_a_flat_one() -> None:
    """Same best score, but only the first question points at one entry in particular."""
    standout = [0.88, 0.80, 0.79, 0.79]
    flat = [0.88, 0.87, 0.87, 0.86]
    examples = [standout, [0.9, 0.8, 0.8], flat, [0.86, 0.85, 0.85], [0.95, 0.93, 0.92]]
    correct = [True, True, False, False, True]
    decision, accuracy = fit_answerability(examples, correct)
    assert accuracy == 1.0
    assert decision.lift_weight > 0
    assert decision.answerable(standout) and not decision.answerable(flat)


def test_without_hits_nothing_is_answerable() -> None:
    assert not Answerability(0.0).answerable([])
