"""The reader fit: logistic regression that recovers a rule, thresholds that score best."""

from __future__ import annotations

import numpy as np
import pytest

from bench.fit_pages import evaluate, fit_logistic, tune_thresholds
from knowledge_base.reader import ReaderParams, choose_lines, sigmoid


def test_logistic_regression_separates_a_clean_rule() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 2)) * [1.0, 5.0] + [0.0, 3.0]
    y = (x[:, 0] > 0.2).astype(float)
    weights, bias = fit_logistic(x, y, l2=0.01)
    predicted = sigmoid(x @ weights + bias) >= 0.5
    assert np.mean(predicted == y.astype(bool)) > 0.97
    assert abs(weights[0]) > 10 * abs(weights[1])


def test_evaluate_is_the_omos_definition() -> None:
    golds = [frozenset({2, 3}), frozenset({5}), frozenset(), frozenset()]
    predictions = [[1, 2, 3, 4], [], [], [0]]
    answer_f1, noanswer_f1 = evaluate(predictions, golds)
    assert answer_f1 == pytest.approx(2 * 0.75 * 0.5 / 1.25)
    assert noanswer_f1 == pytest.approx(0.5)


def test_choose_lines_keeps_the_best_line_once_the_page_answers() -> None:
    params = ReaderParams(line_threshold=0.5, answer_threshold=0.5)
    probabilities = np.array([0.1, 0.3, 0.2])
    assert choose_lines(probabilities, 0.4, params) == []
    assert choose_lines(probabilities, 0.6, params) == [1]
    assert choose_lines(np.array([0.6, 0.3, 0.7]), 0.6, params) == [0, 2]


def test_tuned_thresholds_find_answers_and_refuse_the_rest() -> None:
    probabilities = [np.array([0.1, 0.8, 0.7, 0.2]), np.array([0.2, 0.1, 0.15])]
    golds = [frozenset({1, 2}), frozenset()]
    params, answer_f1, noanswer_f1 = tune_thresholds(
        probabilities, [0.9, 0.2], golds, ReaderParams()
    )
    assert (answer_f1, noanswer_f1) == (1.0, 1.0)
    assert choose_lines(probabilities[0], 0.9, params) == [1, 2]
    assert choose_lines(probabilities[1], 0.2, params) == []
