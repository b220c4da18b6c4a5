"""A second query encoder for page search across languages.

multilingual-e5-small places an English, French, Arabic or Ukrainian question further from
the German page that answers it than the same question asked in German. This encoder is the
same model with low-rank updates (LoRA) to its 12 layers, distilled so that a question or page
line in those languages lands where the plain model puts its German original (`python -m
bench.fit_query_encoder`). It ranks pages for questions in the languages it was fitted on,
and only where the knowledge base has pages but none in the question's language: over pages
in the question's own language the plain model ranks better (bench/RESULTS.md). It only
ranks: the page search gate judges the plain search, and the page is read with the plain
vector, which the reader was fitted on (knowledge_base/service.py).

The updates are stored as their low-rank factors (2.5 MB in float16) and merged into a copy of
the layers when first needed; the copy shares the tokenizer and the word embeddings (96 of the
model's 118 million parameters) with the plain model.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge_base.embedder import Embedder

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ENCODER_FILE = "query_encoder.npz"


@dataclass(frozen=True)
class LowRankUpdate:
    """W + B @ A for every linear layer named (as in the transformer's `named_modules`)."""

    factors: Mapping[str, tuple[np.ndarray, np.ndarray]]  # name -> (A (r, in), B (out, r))
    languages: frozenset[str]
    model: str  # name of the embedding model folder it was fitted for

    def save(self, path: Path) -> None:
        arrays = {}
        for name, (a, b) in self.factors.items():
            arrays[f"{name}.A"] = a.astype(np.float16)
            arrays[f"{name}.B"] = b.astype(np.float16)
        np.savez_compressed(
            path, **arrays, languages=np.array(sorted(self.languages)), model=np.array(self.model)
        )

    @classmethod
    def load(cls, path: Path) -> LowRankUpdate | None:
        if not path.exists():
            return None
        with np.load(path) as data:
            names = sorted({key[: -len(".A")] for key in data.files if key.endswith(".A")})
            factors = {
                name: (data[f"{name}.A"].astype(np.float32), data[f"{name}.B"].astype(np.float32))
                for name in names
            }
            return cls(
                factors, frozenset(str(code) for code in data["languages"]), str(data["model"])
            )

    def fits(self, model_name: str) -> bool:
        """Updates fitted for other weights would move questions to the wrong place."""
        return Path(model_name).name == self.model


class CrossLingualEncoder:
    """Embeds questions for page search in another language; built on first use."""

    def __init__(self, embedder: Embedder, update: LowRankUpdate) -> None:
        self.embedder = embedder
        self.update = update
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def languages(self) -> frozenset[str]:
        return self.update.languages

    def warm_up(self) -> None:
        with self._lock:
            if self._model is None:
                self._model = merged_copy(self.embedder.model, self.update)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return self.embedder.embed_queries(texts)
        self.warm_up()
        assert self._model is not None
        return Embedder.encode_with(self._model, texts, "query", self.embedder.batch_size)


def merged_copy(model: SentenceTransformer, update: LowRankUpdate) -> SentenceTransformer:
    """A copy of `model` with the updates merged in; the word embeddings stay shared."""
    import torch

    transformer = model[0].auto_model
    shared = transformer.get_input_embeddings()
    # The tokenizer and the word embeddings are the same for both: share, do not copy.
    memo = {id(shared): shared, id(model.tokenizer): model.tokenizer}
    merged = copy.deepcopy(model, memo=memo)
    layers = merged[0].auto_model
    with torch.no_grad():
        for name, (a, b) in update.factors.items():
            linear = layers.get_submodule(name)
            linear.weight += torch.from_numpy(b @ a).to(linear.weight.dtype)
    merged.eval()
    return merged


def load_encoder(path: Path, embedder: Embedder) -> CrossLingualEncoder | None:
    update = LowRankUpdate.load(path)
    if update is None:
        return None
    if not update.fits(embedder.model_name):
        log.info("%s was fitted for %s: page search uses plain queries", path, update.model)
        return None
    return CrossLingualEncoder(embedder, update)
