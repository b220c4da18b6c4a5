"""Fits the page reader on the OMoS-QA train split: `python -m bench.fit_pages`.

The reader (knowledge_base/reader.py) has a line model (is this line part of the answer?), a
page model (does this page answer at all?) and a threshold for each. This fits both logistic
models on the train questions of all five languages, each read against the German page and,
for the other languages, against the page in the question's own language (the two ways
`python -m bench.omos` reads), then tunes the two thresholds for the best sum of answer F1 and
no-answer F1 on line probabilities predicted out of fold (pages held out), and then the answer
threshold again for each kind of reading (question language, page language) it has enough
of. It also fits the page search's gate (`page_threshold`, `page_lift_weight`: is the best
page found sure enough to read?) the way entries' answerability is fitted. The page model
also learns from how far the page it reads stood behind the best page of the search that
`python -m bench.omos` makes for that reading (over German pages only for a German page, over
the question's language's pages for its own). Every parameter goes to
knowledge_base/calibration/pages.json, which the knowledge base loads. Run
`python -m bench.fit_adapter` and `python -m bench.fit_token_projection` first: the gate sees
page search as Lotse runs it, the page model coverage as the reader computes it. Dev is never
read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bench.omos import DEFAULT_MODEL, read_questions, search_gap, search_pages
from bench.omos_kb import open_omos
from bench.omos_metrics import harmonic
from bench.stack import ROOT
from knowledge_base.answerability import RANKED_HITS, fit_answerability
from knowledge_base.embedder import Embedder
from knowledge_base.reader import (
    LINE_FEATURES,
    PAGE_FEATURES,
    ReaderParams,
    choose_lines,
    page_features,
    same_language,
    sigmoid,
)

DATA = ROOT.parent / "shared" / "data" / "integreat-qa"
CALIBRATION = ROOT / "knowledge_base" / "calibration" / "pages.json"
LANGUAGES = ("de", "en", "fr", "ar", "uk")
BASE_LANGUAGE = "de"
FOLDS = 5
LINE_THRESHOLDS = np.round(np.arange(0.05, 0.61, 0.025), 3)
PAGE_THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.025), 3)
# A kind of reading (question language, page language) gets its own answer threshold only
# with at least this many train readings; fewer would fit noise.
MIN_READINGS = 200


@dataclass(frozen=True)
class Example:
    """One question read against one page: the reader's features and the gold labels."""

    features: np.ndarray  # (lines, LINE_FEATURES)
    scores: np.ndarray  # line cosines
    labels: np.ndarray  # 1 for answer lines
    reading: str  # reader.reading_key: "fr" (French page) or "fr>de" (German page)
    group: int  # the OMoS page id: folds hold pages out
    coverage: np.ndarray  # the page's tokens' coverage of the question (PageView.coverage)
    search_gap: float  # the page's search score minus the best page's (bench.omos.search_gap)

    @property
    def answerable(self) -> bool:
        return bool(self.labels.any())

    @property
    def same_language(self) -> bool:
        return same_language(self.reading)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method on standardised features;
    returns (weights, bias) for the raw features."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(100):
        p = sigmoid(z @ w)
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w[:-1] / scale
    return weights, float(w[-1] - weights @ mean)


def out_of_fold_lines(examples: Sequence[Example], folds: int = FOLDS) -> list[np.ndarray]:
    """Line probabilities for each example from a line model that never saw its page."""
    groups = sorted({example.group for example in examples})
    fold_of = {group: i % folds for i, group in enumerate(groups)}
    result: list[np.ndarray] = [np.zeros(0)] * len(examples)
    for fold in range(folds):
        train = [e for e in examples if fold_of[e.group] != fold]
        weights, bias = fit_logistic(
            np.concatenate([e.features for e in train]), np.concatenate([e.labels for e in train])
        )
        for i, example in enumerate(examples):
            if fold_of[example.group] == fold:
                result[i] = sigmoid(example.features @ weights + bias)
    return result


def evaluate(
    predictions: Sequence[Sequence[int]], golds: Sequence[frozenset[int]]
) -> tuple[float, float]:
    """Answer F1 and no-answer F1, as bench/omos_metrics.py computes them."""
    precisions, recalls, said_none, truly_none = [], [], [], []
    for predicted, gold in zip(predictions, golds, strict=True):
        chosen = set(predicted)
        said_none.append(not chosen)
        truly_none.append(not gold)
        if gold:
            found = len(chosen & gold)
            precisions.append(found / len(chosen) if chosen else 1.0)
            recalls.append(found / len(gold))
    answer_f1 = harmonic(float(np.mean(precisions)), float(np.mean(recalls)))
    both = sum(s and t for s, t in zip(said_none, truly_none, strict=True))
    no_p = both / sum(said_none) if any(said_none) else 0.0
    no_r = both / sum(truly_none) if any(truly_none) else 0.0
    return answer_f1, harmonic(no_p, no_r)


def tune_thresholds(
    line_probabilities: Sequence[np.ndarray],
    answerable: Sequence[float],
    golds: Sequence[frozenset[int]],
    params: ReaderParams,
    line_thresholds: Sequence[float] = tuple(LINE_THRESHOLDS),
) -> tuple[ReaderParams, float, float]:
    """The thresholds with the best answer F1 + no-answer F1 (grid search)."""
    best: tuple[float, ReaderParams, float, float] | None = None
    for line_threshold in line_thresholds:
        for page_threshold in PAGE_THRESHOLDS:
            predictions = [
                choose_lines(p, a, float(line_threshold), float(page_threshold))
                for p, a in zip(line_probabilities, answerable, strict=True)
            ]
            answer_f1, noanswer_f1 = evaluate(predictions, golds)
            if best is None or answer_f1 + noanswer_f1 > best[0]:
                candidate = replace(
                    params,
                    line_threshold=float(line_threshold),
                    answer_threshold=float(page_threshold),
                )
                best = (answer_f1 + noanswer_f1, candidate, answer_f1, noanswer_f1)
    assert best is not None
    return best[1], best[2], best[3]


def tune_reading_thresholds(
    line_probabilities: Sequence[np.ndarray],
    answerable: Sequence[float],
    golds: Sequence[frozenset[int]],
    readings: Sequence[str],
    params: ReaderParams,
    minimum: int = MIN_READINGS,
) -> ReaderParams:
    """An answer threshold for each kind of reading with `minimum` examples, the line
    threshold kept: the page model's probabilities are shifted by language (bench/RESULTS.md)."""
    thresholds = {}
    for reading in sorted(set(readings)):
        chosen = [i for i, key in enumerate(readings) if key == reading]
        if len(chosen) < minimum:
            continue
        tuned, _, _ = tune_thresholds(
            [line_probabilities[i] for i in chosen],
            [answerable[i] for i in chosen],
            [golds[i] for i in chosen],
            params,
            line_thresholds=(params.line_threshold,),
        )
        thresholds[reading] = tuned.answer_threshold
    return replace(params, answer_thresholds=thresholds)


def fit(examples: Sequence[Example]) -> tuple[ReaderParams, float, float]:
    """Both models and both thresholds; returns them with train (out-of-fold) F1s."""
    line_weights, line_bias = fit_logistic(
        np.concatenate([e.features for e in examples]), np.concatenate([e.labels for e in examples])
    )
    oof = out_of_fold_lines(examples)
    summaries = np.array(
        [
            page_features(p, e.scores, e.same_language, e.coverage, e.search_gap)
            for p, e in zip(oof, examples, strict=True)
        ]
    )
    page_weights, page_bias = fit_logistic(
        summaries, np.array([e.answerable for e in examples], dtype=float)
    )
    params = ReaderParams(
        line_bias=line_bias,
        answer_bias=page_bias,
        **{f"line_{name}": float(w) for name, w in zip(LINE_FEATURES, line_weights, strict=True)},
        **{f"answer_{name}": float(w) for name, w in zip(PAGE_FEATURES, page_weights, strict=True)},
    )
    answerable = sigmoid(summaries @ page_weights + page_bias).tolist()
    golds = [frozenset(np.flatnonzero(e.labels).tolist()) for e in examples]
    params, _, _ = tune_thresholds(oof, answerable, golds, params)
    readings = [e.reading for e in examples]
    params = tune_reading_thresholds(oof, answerable, golds, readings, params)
    predictions = [
        choose_lines(p, a, params.line_threshold, params.answer_threshold_for(reading))
        for p, a, reading in zip(oof, answerable, readings, strict=True)
    ]
    answer_f1, noanswer_f1 = evaluate(predictions, golds)
    return params, answer_f1, noanswer_f1


def collect(
    data: Path,
    split: str,
    languages: Sequence[str],
    model: str,
    page_languages: Sequence[str] = (BASE_LANGUAGE,),
) -> list[Example]:
    """Every question of `split` read against the German page and, where `page_languages` has
    it, the page in its own language."""
    embedder = Embedder(model)
    files = [data / "pages" / f"{code}.jsonl" for code in sorted({*page_languages, BASE_LANGUAGE})]
    omos = open_omos(files, embedder)
    german = open_omos([data / "pages" / f"{BASE_LANGUAGE}.jsonl"], embedder)
    reader = omos.knowledge.reader
    examples = []
    for language in languages:
        records = list(read_questions(data / "questions" / language / f"{split}.jsonl"))
        vectors, tokens = omos.knowledge.embedder.embed_with_tokens(
            [r["question"] for r in records], "query"
        )
        for record, vector, token in zip(records, vectors, tokens, strict=True):
            own = omos.page(record["pageId"], language)
            for page_language in dict.fromkeys((BASE_LANGUAGE, language)):
                page = omos.page(record["pageId"], page_language)
                own = own or page
                if page is None or own is None or len(page.lines) != len(own.lines):
                    continue
                searched = german if page_language == BASE_LANGUAGE else omos
                _, hits = search_pages(searched, record)
                gap = search_gap(searched, hits, int(record["pageId"]))
                view = reader.view(vector, page.id, language, token)
                if view is None:
                    continue
                gold = set(record.get("answers") or ())
                labels = np.array([line in gold for line in view.lines], dtype=float)
                examples.append(
                    Example(
                        view.features,
                        view.scores,
                        labels,
                        view.reading,
                        int(record["pageId"]),
                        view.coverage,
                        gap,
                    )
                )
    return examples


def gate_examples(
    data: Path, split: str, languages: Sequence[str], embedder: Embedder
) -> tuple[list[list[float]], list[bool]]:
    """The page search's ranked scores for every question of `split`, over German pages only
    and over the pages of all `languages`, and whether answering from the best page is right
    (it is the gold page and the question has an answer there)."""
    questions = {
        language: list(read_questions(data / "questions" / language / f"{split}.jsonl"))
        for language in languages
    }
    texts = {
        language: [record["question"] for record in records]
        for language, records in questions.items()
    }
    vectors = {language: embedder.embed_queries(texts[language]) for language in questions}
    ranked, correct = [], []
    for page_languages in ([BASE_LANGUAGE], sorted({*languages, BASE_LANGUAGE})):
        omos = open_omos([data / "pages" / f"{code}.jsonl" for code in page_languages], embedder)
        for language, records in questions.items():
            searches = omos.knowledge.page_queries(vectors[language], language)
            for record, search in zip(records, searches, strict=True):
                hits = omos.knowledge.page_hits(search, language, k=RANKED_HITS)
                ranked.append([hit.score for hit in hits])
                correct.append(
                    bool(hits)
                    and omos.omos_id(hits[0].page_id) == int(record["pageId"])
                    and bool(record.get("answers"))
                )
    return ranked, correct


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_pages", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument(
        "--page-languages",
        nargs="+",
        default=list(LANGUAGES),
        help="also read each question against its own language's page where listed here",
    )
    parser.add_argument("--out", type=Path, default=CALIBRATION)
    args = parser.parse_args(argv)

    examples = collect(args.data, "train", args.languages, args.model, args.page_languages)
    params, answer_f1, noanswer_f1 = fit(examples)
    ranked, correct = gate_examples(args.data, "train", args.languages, Embedder(args.model))
    gate, gate_accuracy = fit_answerability(ranked, correct)
    print(f"{len(examples)} train readings (question, page)")
    print(
        f"page search gate: threshold {gate.threshold:.3f}, lift weight {gate.lift_weight}, "
        f"accuracy {100 * gate_accuracy:.1f} on {len(ranked)} searches"
    )
    print(f"answer thresholds: {params.answer_threshold} elsewhere, {params.answer_thresholds}")
    print(
        f"train, out of fold: answer_F1={100 * answer_f1:.1f} noanswer_F1={100 * noanswer_f1:.1f}"
    )
    calibration = {
        **params.as_dict(),
        "page_threshold": gate.threshold,
        "page_lift_weight": gate.lift_weight,
        "page_accuracy": gate_accuracy,
    }
    args.out.write_text(json.dumps(calibration, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
