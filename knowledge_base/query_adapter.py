"""A linear map that moves a question's embedding toward the pages that answer it.

multilingual-e5-small places a question in English, French, Arabic or Ukrainian further from
the German page that answers it than the same question asked in German. A d×d map fitted on
OMoS-QA train questions against the passages of their gold pages (`python -m
bench.fit_adapter`) closes part of that gap on pages it never saw (bench/RESULTS.md). It is
used for page search only, and only for the question languages it was fitted on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ADAPTER_FILE = "query_adapter.npz"


@dataclass(frozen=True)
class QueryAdapter:
    matrix: np.ndarray  # (d, d); a query q becomes q + q @ matrix, renormalised
    languages: frozenset[str]
    model: str  # name of the embedding model folder it was fitted for

    def apply(self, query: np.ndarray, language: str) -> np.ndarray:
        if language not in self.languages:
            return query
        moved = query + query @ self.matrix
        return (moved / np.linalg.norm(moved)).astype(np.float32)

    def save(self, path: Path) -> None:
        """float16 keeps the committed file small (0.3 MB for d = 384)."""
        np.savez_compressed(
            path,
            matrix=self.matrix.astype(np.float16),
            languages=np.array(sorted(self.languages)),
            model=np.array(self.model),
        )

    @classmethod
    def load(cls, path: Path) -> QueryAdapter | None:
        if not path.exists():
            return None
        with np.load(path) as data:
            return cls(
                data["matrix"].astype(np.float32),
                frozenset(str(code) for code in data["languages"]),
                str(data["model"]),
            )

    def fits(self, model_name: str, dimension: int) -> bool:
        """A map fitted for other weights would move questions to the wrong place."""
        return Path(model_name).name == self.model and self.matrix.shape == (dimension, dimension)


def load_adapter(path: Path, model_name: str, dimension: int) -> QueryAdapter | None:
    adapter = QueryAdapter.load(path)
    if adapter is not None and not adapter.fits(model_name, dimension):
        log.info("%s was fitted for %s: page search uses plain queries", path, adapter.model)
        return None
    return adapter
