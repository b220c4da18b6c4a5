"""How well the FAQ entries answer the labelled questions, per language: `python -m bench.faq`.

The labelled questions (knowledge_base/calibration/faq/) were written apart from the entries'
question variants. For each language this prints how often the best entry is the right one,
how often Lotse answers with the right entry (its entry threshold lets the question through)
and how often it declines a question no entry answers. That threshold is fitted on these same
questions when the index is built, so the numbers compare content (which variants a language
has), not how well the decision carries over to new questions. Office staff can read off the
languages whose entries need more question variants.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.omos import DEFAULT_MODEL
from bench.stack import ROOT
from knowledge_base.answerability import RANKED_HITS
from knowledge_base.calibration import load_labelled
from knowledge_base.embedder import Embedder
from knowledge_base.loader import CALIBRATION_DIR, open_knowledge_base

CONTENT = ROOT / "knowledge_base" / "content"


@dataclass(frozen=True)
class Asked:
    language: str
    expected: str | None  # the entry that answers it, None where none does
    best: str | None  # the best entry found
    answered: bool  # whether Lotse answered with the best entry


@dataclass
class Tally:
    covered: int = 0
    best_right: int = 0
    answered_right: int = 0
    uncovered: int = 0
    declined: int = 0

    def add(self, asked: Asked) -> None:
        if asked.expected is None:
            self.uncovered += 1
            self.declined += not asked.answered
            return
        self.covered += 1
        self.best_right += asked.best == asked.expected
        self.answered_right += asked.best == asked.expected and asked.answered


def tally(results: Iterable[Asked]) -> dict[str, Tally]:
    """One tally per language, and "all" over every question."""
    tallies: dict[str, Tally] = {"all": Tally()}
    for asked in results:
        tallies.setdefault(asked.language, Tally()).add(asked)
        tallies["all"].add(asked)
    return tallies


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def ask_labelled(content: Path, model: str, calibration: Path) -> list[Asked]:
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
        results = []
        for question, vector in zip(labelled, vectors, strict=True):
            hits = knowledge.retriever.entries(vector, k=RANKED_HITS)
            results.append(
                Asked(
                    question.language,
                    question.entry_id,
                    hits[0].entry_id if hits else None,
                    knowledge.thresholds.entry.answerable([hit.score for hit in hits]),
                )
            )
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faq", description=__doc__)
    parser.add_argument("--content", type=Path, default=CONTENT)
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--calibration", type=Path, default=CALIBRATION_DIR)
    args = parser.parse_args(argv)
    tallies = tally(ask_labelled(args.content, args.model, args.calibration))
    print("| language | covered | best entry right | answered right | uncovered | declined |")
    print("|---|---:|---:|---:|---:|---:|")
    for language in sorted(tallies, key=lambda name: (name == "all", name)):
        t = tallies[language]
        print(
            f"| {language} | {t.covered} | {percent(t.best_right, t.covered)} | "
            f"{percent(t.answered_right, t.covered)} | {t.uncovered} | "
            f"{percent(t.declined, t.uncovered)} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
