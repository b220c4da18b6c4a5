"""Fits the answer/no-answer decision for FAQ entries on labelled questions.

`knowledge_base/calibration/faq/*.yml` hold questions written apart from the entries' own
question variants, each with the entry that answers it (one file per field of action), and
questions no entry answers (other topics, gibberish) in every supported language. Where too
few of the labelled questions point at existing entries (a city with its own content), each
question variant is also held out in turn and asked against the rest.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge_base.answerability import RANKED_HITS, fit_answerability
from knowledge_base.documents import QUESTION, without_diacritics
from knowledge_base.embedder import Embedder
from knowledge_base.index import IndexedText, VectorIndex
from knowledge_base.retriever import EntryHit, Retriever

MIN_LABELLED_POSITIVES = 30


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    language: str
    entry_id: str | None


def load_labelled(folder: Path) -> list[LabelledQuestion]:
    """All labelled questions of the YAML files in `folder`, in file order."""
    labelled = []
    for path in sorted(folder.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        labelled.extend(
            LabelledQuestion(str(item["text"]), str(item["language"]), item.get("entry"))
            for item in document.get("questions", [])
        )
    return labelled


def calibrate_entries(
    entries: VectorIndex, embedder: Embedder, labelled: Sequence[LabelledQuestion]
) -> dict[str, float]:
    retriever = Retriever(entries, VectorIndex(entries.dimension))
    known = {item.entry_id for item in entries.items()}
    usable = [q for q in labelled if q.entry_id is None or q.entry_id in known]
    ranked: list[list[float]] = []
    correct: list[bool] = []
    vectors = embedder.embed_queries([q.text for q in usable])
    for question, vector in zip(usable, vectors, strict=True):
        hits = retriever.entries(vector, k=RANKED_HITS)
        ranked.append([hit.score for hit in hits])
        correct.append(bool(hits) and hits[0].entry_id == question.entry_id)
    if sum(q.entry_id is not None for q in usable) < MIN_LABELLED_POSITIVES:
        for hits, expected in _held_out_variants(entries, retriever):
            ranked.append([hit.score for hit in hits])
            correct.append(bool(hits) and hits[0].entry_id == expected)
    if not any(correct) or all(correct):
        return {}
    decision, accuracy = fit_answerability(ranked, correct)
    return {
        "entry_threshold": decision.threshold,
        "entry_lift_weight": decision.lift_weight,
        "entry_accuracy": accuracy,
        "entry_examples": float(len(ranked)),
    }


def _held_out_variants(
    entries: VectorIndex, retriever: Retriever
) -> list[tuple[list[EntryHit], str | None]]:
    """Each question variant asked against all other texts (its own vectors, with and without
    diacritics, left out)."""
    questions = [item for item in entries.items() if item.kind == QUESTION]
    spellings: dict[tuple[str | None, str, str], set[str]] = defaultdict(set)
    for item in questions:
        spellings[_spelling(item)].add(item.key)
    results = []
    for item, vector in zip(questions, entries.vectors([q.key for q in questions]), strict=True):
        hits = retriever.entries(vector, k=RANKED_HITS, exclude=spellings[_spelling(item)])
        results.append((hits, item.entry_id))
    return results


def _spelling(item: IndexedText) -> tuple[str | None, str, str]:
    return item.entry_id, item.language, without_diacritics(item.text)


def load_page_calibration(path: Path) -> dict[str, float]:
    """Page answerability and reader parameters, fitted on OMoS-QA train by bench/omos.py."""
    if not path.exists():
        return {}
    return {key: float(value) for key, value in json.loads(path.read_text()).items()}
