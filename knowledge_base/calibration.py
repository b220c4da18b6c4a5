"""Fits the answer/no-answer threshold for FAQ entries on labelled questions.

The labelled questions (knowledge_base/calibration/faq.yml) were written apart from the
entries' question variants: real-sounding questions with the entry that answers them, and
questions no entry answers. Where too few of them point at existing entries (a city with its
own content), each question variant is held out in turn and asked against the others.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge_base.answerability import fit_threshold
from knowledge_base.documents import QUESTION
from knowledge_base.embedder import Embedder
from knowledge_base.index import VectorIndex
from knowledge_base.retriever import Retriever

MIN_LABELLED_POSITIVES = 10


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    language: str
    entry_id: str | None


def load_labelled(path: Path) -> list[LabelledQuestion]:
    if not path.exists():
        return []
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        LabelledQuestion(str(item["text"]), str(item["language"]), item.get("entry"))
        for item in document.get("questions", [])
    ]


def calibrate_entries(
    entries: VectorIndex, embedder: Embedder, labelled: list[LabelledQuestion]
) -> dict[str, float]:
    known = {item.entry_id for item in entries.items()}
    usable = [q for q in labelled if q.entry_id is None or q.entry_id in known]
    scores: list[float] = []
    correct: list[bool] = []
    if usable:
        retriever = Retriever(entries, VectorIndex(entries.dimension))
        vectors = embedder.embed_queries([q.text for q in usable])
        for question, vector in zip(usable, vectors, strict=True):
            hits = retriever.entries(vector, k=1)
            scores.append(hits[0].score if hits else 0.0)
            correct.append(bool(hits) and hits[0].entry_id == question.entry_id)
    positives = sum(q.entry_id is not None for q in usable)
    if positives < MIN_LABELLED_POSITIVES:
        loo_scores, loo_correct = _held_out_variants(entries)
        scores += loo_scores
        correct += loo_correct
    if not scores:
        return {}
    threshold, accuracy = fit_threshold(scores, correct)
    return {
        "entry_threshold": threshold,
        "entry_accuracy": accuracy,
        "entry_examples": float(len(scores)),
    }


def _held_out_variants(entries: VectorIndex) -> tuple[list[float], list[bool]]:
    questions = [item for item in entries.items() if item.kind == QUESTION]
    if not questions:
        return [], []
    vectors = entries.vectors([item.key for item in questions])
    scores, correct = [], []
    for item, hits in zip(questions, entries.search(vectors, k=2), strict=True):
        others = [hit for hit in hits if hit.item.key != item.key]
        if others:
            scores.append(others[0].score)
            correct.append(others[0].item.entry_id == item.entry_id)
    return scores, correct


def load_page_calibration(path: Path) -> dict[str, float]:
    """Page answerability is fitted on OMoS-QA train by bench/omos.py --fit."""
    if not path.exists():
        return {}
    return {key: float(value) for key, value in json.loads(path.read_text()).items()}
