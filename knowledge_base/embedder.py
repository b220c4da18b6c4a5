"""Sentence embeddings: one sentence-transformers model per process, loaded on first use."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

# e5 models were trained with these prefixes; a model that declares its own
# prompts (config_sentence_transformers.json) uses those instead.
_E5_PROMPTS = {"query": "query: ", "document": "passage: "}
_FINGERPRINT_FILES = (
    "config.json",
    "modules.json",
    "config_sentence_transformers.json",
    "lotse_build.json",
    "model.safetensors",
    "pytorch_model.bin",
)


class Embedder:
    """Turns questions and passages into unit vectors, so inner product is cosine."""

    def __init__(self, model: str, *, batch_size: int = 32, max_seq_length: int = 512) -> None:
        self.model_name = model
        self._batch_size = batch_size
        self._max_seq_length = max_seq_length
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        with self._lock:
            if self._model is None:
                # Imported here: it takes seconds, and an up-to-date index never needs it.
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(self.model_name, device="cpu")
                model.max_seq_length = min(model.max_seq_length or 512, self._max_seq_length)
                if not model.prompts.get("query") and "e5" in self.model_name.lower():
                    model.prompts = {**model.prompts, **_E5_PROMPTS}
                model.encode(["warm-up"])  # the first call costs more: take it here
                self._model = model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    @property
    def model(self) -> SentenceTransformer:
        self.warm_up()
        assert self._model is not None
        return self._model

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def fingerprint(self) -> str:
        """Identifies the weights without loading them, so a stale index is noticed cheaply."""
        path = Path(self.model_name)
        if not path.is_dir():
            return self.model_name
        digest = hashlib.sha256()
        for name in _FINGERPRINT_FILES:
            file = path / name
            if file.exists():
                stat = file.stat()
                digest.update(f"{name}:{stat.st_size}".encode())
                if file.suffix == ".json":
                    digest.update(file.read_bytes())
        return f"{path.name}:{digest.hexdigest()[:16]}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_documents(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, "document", progress=progress)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    def _encode(self, texts: Sequence[str], prompt: str, *, progress: bool = False) -> np.ndarray:
        """Unit vectors with the model's `prompt` ("query" or "document"), as float32."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        vectors = model.encode(
            list(texts),
            prompt_name=prompt if prompt in model.prompts else None,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def shared_embedder(model: str) -> Embedder:
    """One instance per model in a process, whoever asks: the weights are loaded once."""
    return Embedder(model)
