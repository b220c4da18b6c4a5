"""How well the FAQ entries answer the labelled questions, per language: `python -m bench.faq`.

The labelled questions (knowledge_base/calibration/faq/) were written apart from the entries'
question variants. For each language this prints how often the best entry is the right one,
how often Lotse answers with the right entry and how often it declines a question no entry
answers. Those two it counts twice: with the entry threshold the index fitted on all these
questions, as Lotse runs, and with a threshold fitted on four fifths of them for the fifth held
out, which says how the decision carries over to new questions. Office staff can read off the
languages whose entries need more question variants.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.omos import DEFAULT_MODEL
from bench.stack import ROOT
from knowledge_base.answerability import RANKED_HITS, fit_answerability
from knowledge_base.calibration import load_labelled
from knowledge_base.embedder import Embedder
from knowledge_base.loader import CALIBRATION_DIR, open_knowledge_base

CONTENT = ROOT / "knowledge_base" / "content"
FOLDS = 5


@dataclass(frozen=True)
class Asked:
    language: str
    expected: str | None  # the entry that answers it, None where none does
    best: str | None  # the best entry found
    scores: tuple[float, ...]  # the ranked entries' scores, best first

    @property
    def right(self) -> bool:
        return self.expected is not None and self.best == self.expected


@dataclass
class Tally:
    covered: int = 0
    best_right: int = 0
    answered_right: int = 0
    uncovered: int = 0
    declined: int = 0

    def add(self, asked: Asked, answered: bool) -> None:
        if asked.expected is None:
            self.uncovered += 1
            self.declined += not answered
            return
        self.covered += 1
        self.best_right += asked.right
        self.answered_right += asked.right and answered


def tally(results: Iterable[tuple[Asked, bool]]) -> dict[str, Tally]:
    """One tally per language, and "all" over every question; each result is a question and
    whether Lotse answered it."""
    tallies: dict[str, Tally] = {"all": Tally()}
    for asked, answered in results:
        tallies.setdefault(asked.language, Tally()).add(asked, answered)
        tallies["all"].add(asked, answered)
    return tallies


def held_out_decisions(asked: Sequence[Asked], folds: int = FOLDS) -> list[bool]:
    """Whether Lotse answers each question, with the decision fitted on the other folds."""
    fold_of = np.random.RandomState(0).permutation(len(asked)) % folds
    answered = [False] * len(asked)
    for fold in range(folds):
        fitted = [item for item, f in zip(asked, fold_of, strict=True) if f != fold]
        decision, _ = fit_answerability([a.scores for a in fitted], [a.right for a in fitted])
        for i in np.flatnonzero(fold_of == fold):
            answered[i] = decision.answerable(asked[i].scores)
    return answered


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def ask_labelled(content: Path, model: str, calibration: Path) -> tuple[list[Asked], list[bool]]:
    """Every labelled question about the content, and whether Lotse answers it as it runs."""
    with tempfile.TemporaryDirectory() as folder:
        knowledge = open_knowledge_base(
            f"sqlite:///{folder}/faq.db",
            Embedder(model),
            Path(folder) / "index",
            content_dir=content,
            calibration_dir=calibration,
        )
        known = {item.entry_id for item in knowledge.index.entries.items()}
        labelled = [q for q in load_labelled(calibration / "faq") if q.entry_id in known | {None}]
        vectors = knowledge.embedder.embed_queries([q.text for q in labelled])
        asked = []
        for question, vector in zip(labelled, vectors, strict=True):
            hits = knowledge.retriever.entries(vector, k=RANKED_HITS)
            best = hits[0].entry_id if hits else None
            scores = tuple(hit.score for hit in hits)
            asked.append(Asked(question.language, question.entry_id, best, scores))
        return asked, [knowledge.thresholds.entry.answerable(a.scores) for a in asked]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faq", description=__doc__)
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--calibration", type=Path, default=CALIBRATION_DIR)
    args = parser.parse_args(argv)
    asked, answered = ask_labelled(args.content, args.model, args.calibration)
    as_run = tally(zip(asked, answered, strict=True))
    held_out = tally(zip(asked, held_out_decisions(asked), strict=True))
    print(
        "| language | covered | best entry right | answered right | held out "
        "| uncovered | declined | held out |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for language in sorted(as_run, key=lambda name: (name == "all", name)):
        t, h = as_run[language], held_out[language]
        print(
            f"| {language} | {t.covered} | {percent(t.best_right, t.covered)} | "
            f"{percent(t.answered_right, t.covered)} | {percent(h.answered_right, h.covered)} | "
            f"{t.uncovered} | {percent(t.declined, t.uncovered)} | "
            f"{percent(h.declined, h.uncovered)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
