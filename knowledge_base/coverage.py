"""Does the page have a match for every word of the question?

OMoS-QA's unanswerable questions mostly ask for a detail on a page about the right topic ("Wie
kann ich mein Fahrrad sicher verwahren?" on the page "Fahrrad"). A page's sentence vectors
are close to such a question, so the page model could not tell it from an answerable one.
Token vectors can: each question token looks for its best match among the page's tokens
(the late interaction of ColBERT, without training), and a page that answers leaves no rare
word of the question unmatched. Pages' token vectors are stored at indexing time, projected
onto the main directions of page tokens (`python -m bench.fit_token_projection`), which
makes them a third of the size and matches across languages better (bench/RESULTS.md).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from knowledge_base.embedder import TokenVectors

PROJECTION_FILE = "token_projection.npz"
COVERAGE_FEATURES = ("coverage", "coverage_low")
# The share of the question's words looked at for "coverage_low": its worst-matched quarter.
LOW_QUANTILE = 25


class TokenProjection:
    """A (width, d) matrix onto the main directions of page tokens; None keeps them whole."""

    def __init__(self, matrix: np.ndarray | None = None) -> None:
        # Rounded as it is stored, so a projection is the same before and after saving.
        self.matrix = None if matrix is None else np.asarray(matrix, np.float16).astype(np.float32)

    def save(self, path: Path, model: str) -> None:
        """With the name of the embedding model folder whose tokens it was fitted on."""
        assert self.matrix is not None
        np.savez_compressed(path, matrix=self.matrix.astype(np.float16), model=np.array(model))

    @classmethod
    def load(cls, path: Path, model_name: str) -> TokenProjection:
        """The fitted projection, or none where it is missing or was fitted for another model
        (its directions would be meaningless there)."""
        if not path.exists():
            return cls()
        with np.load(path) as data:
            if str(data["model"]) != Path(model_name).name:
                return cls()
            return cls(data["matrix"])

    def fingerprint(self) -> str:
        if self.matrix is None:
            return "whole"
        return hashlib.sha256(self.matrix.tobytes()).hexdigest()[:12]

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Projected and back to unit length, in float16 (what is stored). In torch (see
        `best_matches`)."""
        import torch

        with torch.inference_mode():
            projected = torch.from_numpy(np.ascontiguousarray(vectors, dtype=np.float32))
            if self.matrix is not None and len(projected):
                projected = projected @ torch.from_numpy(self.matrix)
            unit = torch.nn.functional.normalize(projected, dim=-1)
            return unit.numpy().astype(np.float16)


class LineTokens:
    """Every indexed line's token vectors and ids, by the line's index key."""

    def __init__(self, projection: TokenProjection | None = None) -> None:
        self.projection = projection or TokenProjection()
        self._vectors: dict[str, np.ndarray] = {}
        self._ids: dict[str, np.ndarray] = {}
        self._frequency: Counter[int] | None = None

    def __len__(self) -> int:
        return len(self._vectors)

    def keys(self) -> set[str]:
        return set(self._vectors)

    def add(self, keys: Sequence[str], tokens: Sequence[TokenVectors]) -> None:
        if len(keys) != len(tokens):
            raise ValueError(f"{len(keys)} keys but {len(tokens)} token sets")
        for key, token in zip(keys, tokens, strict=True):
            self._vectors[key] = self.projection.apply(token.vectors)
            self._ids[key] = token.ids.astype(np.int32)
        self._frequency = None

    def remove(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._vectors.pop(key, None)
            self._ids.pop(key, None)
        self._frequency = None

    def coverage(self, question: TokenVectors, keys: Sequence[str]) -> np.ndarray:
        """COVERAGE_FEATURES of the lines `keys` (one page) for a question: the mean of its
        word tokens' best cosines on the page weighted by their rarity among all lines, and
        the quarter-quantile of those cosines. Zeros when either side has no tokens."""
        present = [key for key in keys if key in self._vectors]
        words = question.words()
        if not present or not len(words.ids):
            return np.zeros(len(COVERAGE_FEATURES))
        page = np.concatenate([self._vectors[key] for key in present]).astype(np.float32)
        asked = self.projection.apply(words.vectors).astype(np.float32)
        best = best_matches(asked, page)
        weights = self._rarity(words.ids)
        return np.array(
            [float(best @ weights / weights.sum()), float(np.percentile(best, LOW_QUANTILE))]
        )

    def warm_up(self) -> Counter[int]:
        """Counts in how many lines each token occurs, once after every change."""
        if self._frequency is None:
            self._frequency = Counter()
            for line_ids in self._ids.values():
                self._frequency.update(set(line_ids.tolist()))
        return self._frequency

    def _rarity(self, ids: np.ndarray) -> np.ndarray:
        """Inverse document frequency over the lines: a word every page has says little."""
        frequency = self.warm_up()
        lines = len(self._ids)
        return np.array([np.log((lines + 1) / (frequency[i] + 1)) for i in ids.tolist()])

    def save(self, path: Path) -> None:
        keys = sorted(self._vectors)
        lengths = np.array([len(self._ids[key]) for key in keys], dtype=np.int64)
        width = self.projection.matrix.shape[1] if self.projection.matrix is not None else 0
        np.savez(
            path,
            keys=np.array(keys, dtype=str),
            lengths=lengths,
            vectors=np.concatenate([self._vectors[k] for k in keys])
            if keys
            else np.zeros((0, width), dtype=np.float16),
            ids=np.concatenate([self._ids[k] for k in keys]) if keys else np.zeros(0, np.int32),
        )

    @classmethod
    def load(cls, path: Path, projection: TokenProjection | None = None) -> LineTokens:
        tokens = cls(projection)
        with np.load(path) as data:
            ends = np.cumsum(data["lengths"])
            starts = ends - data["lengths"]
            vectors, ids = data["vectors"], data["ids"]
            for key, start, end in zip(data["keys"].tolist(), starts, ends, strict=True):
                tokens._vectors[key] = vectors[start:end]
                tokens._ids[key] = ids[start:end]
        return tokens


def best_matches(asked: np.ndarray, page: np.ndarray) -> np.ndarray:
    """Each question token's best cosine among the page's tokens. In torch, not numpy: a
    numpy matrix product leaves OpenBLAS's threads spinning, and the next question's pass
    through the model, on torch's threads, then took 60 ms longer on two cores."""
    import torch

    with torch.inference_mode():
        products = torch.from_numpy(asked) @ torch.from_numpy(page).T
        return products.max(dim=1).values.numpy()
