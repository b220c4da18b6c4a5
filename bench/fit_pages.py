"""Fits the page reader on the OMoS-QA train split: `python -m bench.fit_pages`.

The reader answers with the best-scoring line of the page and its neighbours that score within
`margin` of it, and says "no answer here" when the best line scores below `min_score` (question
and page in the same language) or `min_score_cross` (different languages; see
knowledge_base/reader.py). This searches them on a grid, scoring every setting with the OMoS-QA
metrics on the train questions of all five languages against German pages, and writes the
setting with the best mean of answer F1 and no-answer F1 to
knowledge_base/calibration/pages.json, which the knowledge base loads. Dev is never read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.omos import DEFAULT_MODEL, read_questions
from bench.omos_kb import open_omos
from bench.omos_metrics import harmonic
from bench.stack import ROOT
from knowledge_base.embedder import Embedder
from knowledge_base.reader import ReaderParams

DATA = ROOT.parent / "shared" / "data" / "integreat-qa"
CALIBRATION = ROOT / "knowledge_base" / "calibration" / "pages.json"
MIN_SCORES = np.round(np.arange(0.78, 0.925, 0.01), 3)
MARGINS = np.round(np.arange(0.03, 0.301, 0.02), 3)
MAX_LINES = (12, 40)
PAGE_LANGUAGE = "de"


@dataclass(frozen=True)
class Example:
    scores: np.ndarray  # cosine of every line of the gold page, in line order
    gold: frozenset[int]
    language: str = PAGE_LANGUAGE  # the question's; the pages are German


def read_lines(
    scores: np.ndarray, params: ReaderParams, language: str = PAGE_LANGUAGE
) -> list[int]:
    """The same choice as knowledge_base.reader.Reader.read, on a plain array."""
    best_line = int(np.argmax(scores))
    if scores[best_line] < params.threshold(language, PAGE_LANGUAGE):
        return []
    floor = scores[best_line] - params.margin
    chosen = [best_line]
    for step in (-1, 1):
        line = best_line + step
        while len(chosen) < params.max_lines and 0 <= line < len(scores) and scores[line] >= floor:
            chosen.append(line)
            line += step
    return chosen


def evaluate(examples: Sequence[Example], params: ReaderParams) -> tuple[float, float]:
    """Answer F1 and no-answer F1, as bench/omos_metrics.py computes them."""
    precisions, recalls, said_none, truly_none = [], [], [], []
    for example in examples:
        predicted = set(read_lines(example.scores, params, example.language))
        said_none.append(not predicted)
        truly_none.append(not example.gold)
        if example.gold:
            found = len(predicted & example.gold)
            precisions.append(found / len(predicted) if predicted else 1.0)
            recalls.append(found / len(example.gold))
    answer_f1 = harmonic(float(np.mean(precisions)), float(np.mean(recalls)))
    both = sum(s and t for s, t in zip(said_none, truly_none, strict=True))
    no_p = both / sum(said_none) if any(said_none) else 0.0
    no_r = both / sum(truly_none) if any(truly_none) else 0.0
    return answer_f1, harmonic(no_p, no_r)


def fit(examples: Sequence[Example]) -> tuple[ReaderParams, float, float]:
    """Margin and line cap first with one threshold, then both thresholds for that margin."""
    best: tuple[float, ReaderParams, float, float] | None = None

    def consider(params: ReaderParams) -> None:
        nonlocal best
        answer_f1, noanswer_f1 = evaluate(examples, params)
        objective = (answer_f1 + noanswer_f1) / 2
        if best is None or objective > best[0]:
            best = (objective, params, answer_f1, noanswer_f1)

    for max_lines in MAX_LINES:
        for min_score in MIN_SCORES:
            for margin in MARGINS:
                score = float(min_score)
                consider(ReaderParams(float(margin), score, score, max_lines))
    assert best is not None
    margin, max_lines = best[1].margin, best[1].max_lines
    for same in MIN_SCORES:
        for cross in MIN_SCORES:
            consider(ReaderParams(margin, float(same), float(cross), max_lines))
    return best[1], best[2], best[3]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_pages", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--languages", nargs="+", default=["de", "en", "fr", "ar", "uk"])
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--out", type=Path, default=CALIBRATION)
    args = parser.parse_args(argv)

    omos = open_omos([args.data / "pages" / f"{PAGE_LANGUAGE}.jsonl"], Embedder(args.model))
    knowledge = omos.knowledge
    examples = []
    for language in args.languages:
        records = list(read_questions(args.data / "questions" / language / "train.jsonl"))
        vectors = knowledge.embedder.embed_queries([r["question"] for r in records])
        for record, vector in zip(records, vectors, strict=True):
            page = omos.page(record["pageId"], PAGE_LANGUAGE)
            if page is None:
                continue
            by_line = knowledge.reader.line_scores(vector, page.id)
            scores = np.array([by_line.get(i, -1.0) for i in range(len(page.lines))])
            examples.append(Example(scores, frozenset(record.get("answers") or ()), language))
    params, answer_f1, noanswer_f1 = fit(examples)
    print(f"{len(examples)} train questions: {params}")
    print(f"train answer_F1={100 * answer_f1:.1f} noanswer_F1={100 * noanswer_f1:.1f}")
    fitted = {
        "margin": params.margin,
        "min_score": params.min_score,
        "min_score_cross": params.min_score_cross,
        "max_lines": params.max_lines,
    }
    args.out.write_text(json.dumps(fitted, indent=2) + "\n")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
