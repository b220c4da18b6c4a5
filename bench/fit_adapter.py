"""Fits the page search's query adapter on the OMoS-QA train split: `python -m bench.fit_adapter`.

Every train question in en, fr, ar and uk should rank its gold German page first. A page's
score is the soft maximum of its passages' cosines, as in knowledge_base/retriever.py; the
map (starting at zero, so at first it changes nothing) is fitted with full-batch Adam on the
cross-entropy of those page scores, with an L2 penalty that keeps it small. Dev is never read;
its pages are not the train pages, so bench.omos on dev measures the map on pages it never
saw. Writes knowledge_base/calibration/query_adapter.npz, which the knowledge base loads.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from bench.fit_pages import DATA
from bench.omos import DEFAULT_MODEL, read_questions
from bench.omos_kb import open_omos
from bench.stack import ROOT
from knowledge_base.embedder import Embedder
from knowledge_base.query_adapter import ADAPTER_FILE, QueryAdapter
from knowledge_base.retriever import Retriever

LANGUAGES = ("en", "fr", "ar", "uk")
OUT = ROOT / "knowledge_base" / "calibration" / ADAPTER_FILE


def page_scores(
    queries: torch.Tensor, passages: torch.Tensor, page_of: torch.Tensor, pages: int
) -> torch.Tensor:
    """(queries, pages): each page's soft maximum of passage cosines, as the retriever ranks."""
    temperature = Retriever.page_temperature
    scores = queries @ passages.T
    owner = page_of.expand(len(queries), -1)
    best = torch.full((len(queries), pages), -2.0, dtype=scores.dtype)
    best = best.scatter_reduce(1, owner, scores, reduce="amax")
    weights = torch.exp((scores - best.gather(1, owner)) / temperature)
    total = torch.zeros_like(best).scatter_add(1, owner, weights)
    return best + temperature * torch.log(total.clamp_min(1e-30))


def fit_matrix(
    queries: np.ndarray,
    gold: np.ndarray,
    passages: np.ndarray,
    page_of: np.ndarray,
    *,
    l2: float = 0.3,
    epochs: int = 200,
    softmax_temperature: float = 0.02,
    learning_rate: float = 1e-3,
) -> np.ndarray:
    """The map D for q -> q + q @ D. `gold[i]` and `page_of[j]` are page numbers 0..pages-1."""
    torch.manual_seed(0)
    x = torch.from_numpy(np.ascontiguousarray(queries, dtype=np.float32))
    p = torch.from_numpy(np.ascontiguousarray(passages, dtype=np.float32))
    owner = torch.from_numpy(page_of.astype(np.int64))
    target = torch.from_numpy(gold.astype(np.int64))
    pages = int(page_of.max()) + 1
    matrix = torch.zeros(x.shape[1], x.shape[1], requires_grad=True)
    optimiser = torch.optim.Adam([matrix], lr=learning_rate)
    for _ in range(epochs):
        moved = x + x @ matrix
        moved = moved / moved.norm(dim=1, keepdim=True)
        logits = page_scores(moved, p, owner, pages) / softmax_temperature
        loss = torch.nn.functional.cross_entropy(logits, target) + l2 * (matrix**2).sum()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    return matrix.detach().numpy()


def recall_at(
    queries: np.ndarray, gold: np.ndarray, passages: np.ndarray, page_of: np.ndarray, k: int = 5
) -> float:
    """Share of questions whose gold page is among the k best."""
    scores = page_scores(
        torch.from_numpy(queries),
        torch.from_numpy(passages),
        torch.from_numpy(page_of),
        int(page_of.max()) + 1,
    ).numpy()
    gold_scores = scores[np.arange(len(gold)), gold]
    return float(np.mean((scores > gold_scores[:, None]).sum(axis=1) < k))


def german_passages(data: Path, model: str) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """The German pages' passage vectors, the page number (0..pages-1) of each, and the
    numbers by OMoS page id."""
    omos = open_omos([data / "pages" / "de.jsonl"], Embedder(model), progress=False)
    passages = omos.knowledge.index.passages
    items = list(passages.items())
    numbers: dict[int, int] = {}
    page_of = np.array(
        [numbers.setdefault(omos.omos_id(item.page_id), len(numbers)) for item in items]
    )
    return passages.vectors([item.key for item in items]), page_of, numbers


def training_data(
    data: Path, languages: Sequence[str], model: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train question vectors, their gold page numbers, German passage vectors, their pages."""
    passages, page_of, numbers = german_passages(data, model)
    records = [
        record
        for language in languages
        for record in read_questions(data / "questions" / language / "train.jsonl")
        if int(record["pageId"]) in numbers
    ]
    queries = Embedder(model).embed_queries([record["question"] for record in records])
    gold = np.array([numbers[int(record["pageId"])] for record in records])
    return queries, gold, passages, page_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_adapter", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--l2", type=float, default=0.3)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    queries, gold, passages, page_of = training_data(args.data, args.languages, args.model)
    matrix = fit_matrix(queries, gold, passages, page_of, l2=args.l2, epochs=args.epochs)
    adapter = QueryAdapter(matrix, frozenset(args.languages), Path(args.model).name)
    moved = queries + queries @ adapter.matrix
    moved = (moved / np.linalg.norm(moved, axis=1, keepdims=True)).astype(np.float32)
    print(f"{len(queries)} train questions, {len(passages)} German passages")
    print(
        f"train R@5: plain {100 * recall_at(queries, gold, passages, page_of):.1f}, "
        f"adapted {100 * recall_at(moved, gold, passages, page_of):.1f}"
    )
    adapter.save(args.out)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
