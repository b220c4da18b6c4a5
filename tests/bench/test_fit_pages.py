"""The reader fit: logistic regression that recovers a rule, thresholds that score best."""

from __future__ import annotations

import numpy as np
import pytest

from bench.fit_pages import evaluate, fit_logistic, tune_reading_thresholds, tune_thresholds
from knowledge_base.reader import ReaderParams, choose_lines, reading_key, sigmoid


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
    probabilities = np.array([0.1, 0.3, 0.2])
    assert choose_lines(probabilities, 0.4, 0.5, 0.5) == []
    assert choose_lines(probabilities, 0.6, 0.5, 0.5) == [1]
    assert choose_lines(np.array([0.6, 0.3, 0.7]), 0.6, 0.5, 0.5) == [0, 2]


def test_tuned_thresholds_find_answers_and_refuse_the_rest() -> None:
    probabilities = [np.array([0.1, 0.8, 0.7, 0.2]), np.array([0.2, 0.1, 0.15])]
    golds = [frozenset({1, 2}), frozenset()]
    params, answer_f1, noanswer_f1 = tune_thresholds(
        probabilities, [0.9, 0.2], golds, ReaderParams()
    )
    assert (answer_f1, noanswer_f1) == (1.0, 1.0)
    line, page = params.line_threshold, params.answer_threshold
    assert choose_lines(probabilities[0], 0.9, line, page) == [1, 2]
    assert choose_lines(probabilities[1], 0.2, line, page) == []


def test_each_kind_of_reading_gets_the_threshold_that_suits_it() -> None:
    """French readings answer at 0.6 and refuse at 0.4; German ones answer only at 0.9 and
    refuse at 0.7: one threshold cannot serve both, one per reading can. A kind of reading
    with too few examples keeps the pooled threshold."""
    line = np.array([0.9, 0.1])
    readings = ["fr>de"] * 4 + ["de"] * 4 + ["ar"]
    answerable = [0.6, 0.6, 0.4, 0.4, 0.9, 0.9, 0.7, 0.7, 0.5]
    golds = [frozenset({0})] * 2 + [frozenset()] * 2 + [frozenset({0})] * 2 + [frozenset()] * 3
    params = tune_reading_thresholds(
        [line] * len(readings), answerable, golds, readings, ReaderParams(), minimum=4
    )
    assert set(params.answer_thresholds) == {"fr>de", "de"}
    assert 0.4 < params.answer_threshold_for(reading_key("fr", "de")) <= 0.6
    assert 0.7 < params.answer_threshold_for(reading_key("de", "de")) <= 0.9
    assert params.answer_threshold_for(reading_key(None, "de")) == params.answer_thresholds["de"]
    assert params.answer_threshold_for(reading_key("ar", "ar")) == params.answer_threshold
