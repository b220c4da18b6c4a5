"""Sentence embeddings: one sentence-transformers model per process, loaded on first use."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

MODEL_INPUTS = ("input_ids", "attention_mask", "token_type_ids")

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


@dataclass(frozen=True)
class TokenVectors:
    """A text's contextual token vectors (unit length) and token ids, its prompt and the
    special tokens left out; `word` marks the tokens with a letter or digit in them."""

    vectors: np.ndarray  # (tokens, width)
    ids: np.ndarray  # (tokens,)
    word: np.ndarray  # (tokens,) bool

    def words(self) -> TokenVectors:
        """Only the word tokens (all tokens if none is one): punctuation matches anything."""
        if not self.word.any():
            return self
        return TokenVectors(self.vectors[self.word], self.ids[self.word], self.word[self.word])


class Embedder:
    """Turns questions and passages into unit vectors, so inner product is cosine."""

    def __init__(self, model: str, *, batch_size: int = 32, max_seq_length: int = 512) -> None:
        self.model_name = model
        self._batch_size = batch_size
        self._max_seq_length = max_seq_length
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        self._prompt_lengths: dict[str, int] = {}

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

    def embed_with_tokens(
        self, texts: Sequence[str], prompt: str, *, progress: bool = False
    ) -> tuple[np.ndarray, list[TokenVectors]]:
        """The unit vectors of `texts` with `prompt` ("query" or "document"), as `_encode`
        gives them, and their token vectors from the same pass (knowledge_base/coverage.py)."""
        from tqdm import tqdm

        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        tokens: list[TokenVectors | None] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # less padding
        starts = range(0, len(texts), self._batch_size)
        for start in tqdm(starts, desc="Batches", disable=not progress):
            batch = order[start : start + self._batch_size]
            output, inputs = self.forward([texts[i] for i in batch], prompt)
            vectors[batch] = mean_unit(output.last_hidden_state, inputs["attention_mask"]).numpy()
            for i, token in zip(batch, self.token_vectors(output, inputs, prompt), strict=True):
                tokens[i] = token
        return vectors, [token for token in tokens if token is not None]

    def forward(
        self, texts: Sequence[str], prompt: str, *, hidden_states: bool = False
    ) -> tuple[Any, dict[str, torch.Tensor]]:
        """One batch through the transformer, with the model's `prompt` and truncation: its
        output (and every layer's, with `hidden_states`) and its inputs."""
        import torch

        model = self.model
        features = model.preprocess(list(texts), prompt=model.prompts.get(prompt))
        inputs = {key: features[key] for key in MODEL_INPUTS if key in features}
        with torch.inference_mode():
            output = model[0].auto_model(**inputs, output_hidden_states=hidden_states)
        return output, inputs

    def token_vectors(
        self, output: Any, inputs: Mapping[str, torch.Tensor], prompt: str
    ) -> list[TokenVectors]:
        """Each text's tokens from a `forward` pass: after the prompt, before the end token."""
        import torch

        skip = 1 + self._prompt_tokens(prompt)  # the start token, then the prompt's
        result = []
        for hidden, ids, mask in zip(
            output.last_hidden_state, inputs["input_ids"], inputs["attention_mask"], strict=True
        ):
            kept = mask.bool()
            states = hidden[kept][skip:-1].float()
            own = ids[kept][skip:-1].numpy()
            pieces = self.model.tokenizer.convert_ids_to_tokens(own.tolist())
            result.append(
                TokenVectors(
                    torch.nn.functional.normalize(states, dim=-1).numpy(),
                    own.astype(np.int32),
                    np.array([any(c.isalnum() for c in piece) for piece in pieces], dtype=bool),
                )
            )
        return result

    def _prompt_tokens(self, prompt: str) -> int:
        """How many tokens the prompt takes before the text; its trailing space joins the
        text's first token ("▁que", "ry", ":" then "▁Wie")."""
        if prompt not in self._prompt_lengths:
            text = self.model.prompts.get(prompt, "").rstrip()
            ids = self.model.tokenizer(text, add_special_tokens=False)["input_ids"] if text else []
            self._prompt_lengths[prompt] = len(ids)
        return self._prompt_lengths[prompt]

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


def mean_unit(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean over the tokens, normalised: the embedding model's own pooling."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, dim=1)


@lru_cache(maxsize=4)
def shared_embedder(model: str) -> Embedder:
    """One instance per model in a process, whoever asks: the weights are loaded once."""
    return Embedder(model)
