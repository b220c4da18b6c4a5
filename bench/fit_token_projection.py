"""Fits the projection of page token vectors: `python -m bench.fit_token_projection`.

The reader compares a question's token vectors with those of the page it reads
(knowledge_base/coverage.py). This finds the main directions of the token vectors of the
German pages the OMoS-QA train questions ask about (singular vectors, not centred, so the
length a unit vector has along them is what is kept) and writes the first `--dimensions` of
them to knowledge_base/calibration/token_projection.npz, which the knowledge base projects
every line's and question's tokens onto. Run it before `python -m bench.fit_pages`: the page
model is fitted on coverage under this projection. Dev is never read.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

import numpy as np

from bench.fit_pages import BASE_LANGUAGE, DATA, LANGUAGES
from bench.omos import DEFAULT_MODEL, read_questions
from bench.stack import ROOT
from knowledge_base.coverage import PROJECTION_FILE, TokenProjection
from knowledge_base.embedder import Embedder
from knowledge_base.importers.omos import read_pages

OUT = ROOT / "knowledge_base" / "calibration" / PROJECTION_FILE
DIMENSIONS = 128
# Lines sampled from the train pages: ~13 tokens each, enough for 384 directions.
SAMPLE_LINES = 4000


def train_lines(data: Path, sample: int, seed: int = 0) -> list[str]:
    """A sample of the non-empty lines of the German pages that train questions ask about."""
    asked = {
        str(record["pageId"])
        for language in LANGUAGES
        for record in read_questions(data / "questions" / language / "train.jsonl")
    }
    lines = [
        line
        for page in read_pages(data / "pages" / f"{BASE_LANGUAGE}.jsonl")
        if page.external_id in asked
        for line in page.content.split("\n")
        if line.strip()
    ]
    random.Random(seed).shuffle(lines)
    return lines[:sample]


def fit_projection(token_vectors: np.ndarray, dimensions: int) -> TokenProjection:
    """The first `dimensions` right singular vectors of the (tokens, width) matrix."""
    _, _, directions = np.linalg.svd(token_vectors.astype(np.float32), full_matrices=False)
    return TokenProjection(directions[:dimensions].T)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fit_token_projection", description=__doc__
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    parser.add_argument("--lines", type=int, default=SAMPLE_LINES)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    lines = train_lines(args.data, args.lines)
    _, tokens = Embedder(args.model).embed_with_tokens(lines, "document", progress=True)
    matrix = np.concatenate([token.vectors for token in tokens])
    projection = fit_projection(matrix, args.dimensions)
    projection.save(args.out, Path(args.model).name)
    print(f"{len(lines)} lines, {len(matrix)} tokens -> {args.dimensions} directions: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
