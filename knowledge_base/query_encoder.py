"""A second query encoder for page search across languages.

multilingual-e5-small places an English, French, Arabic or Ukrainian question further from
the German page that answers it than the same question asked in German. This encoder is the
same model with low-rank updates (LoRA) to its upper six layers, distilled so that a question
or page line in those languages lands where the plain model puts its German original (`python
-m bench.fit_query_encoder`). It ranks pages for questions in the languages it was fitted on,
and only where the knowledge base has pages but none in the question's language: over pages
in the question's own language the plain model ranks better (bench/RESULTS.md). It only
ranks: the page search gate judges the plain search, and the page is read with the plain
vector, which the reader was fitted on (knowledge_base/service.py).

The updates are stored as their low-rank factors (1.2 MB in float16) and merged into copies of
the updated layers when first needed. Everything below them (tokenizer, word embeddings, the
lower six layers) is the plain model's, so one pass through the lower layers serves both
vectors: the plain one and this encoder's cost 1.5 passes, not 2, and the second half runs
only when the pages are searched (`SharedPass`).
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge_base.embedder import Embedder, TokenVectors, mean_unit

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

ENCODER_FILE = "query_encoder.npz"
LAYER_PREFIX = "encoder.layer."


def layer_of(name: str) -> tuple[int, str]:
    """("encoder.layer.7.attention.self.query") -> (7, "attention.self.query")."""
    if not name.startswith(LAYER_PREFIX):
        raise ValueError(f"{name} is not inside one of the encoder's layers")
    number, _, inner = name[len(LAYER_PREFIX) :].partition(".")
    return int(number), inner


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

    @property
    def first_layer(self) -> int:
        """The layers below this one are the plain model's: both encoders share them."""
        return min(layer_of(name)[0] for name in self.factors)

    def fits(self, model_name: str) -> bool:
        """Updates fitted for other weights would move questions to the wrong place."""
        return Path(model_name).name == self.model


class CrossLingualEncoder:
    """Embeds questions for page search in another language; built on first use."""

    def __init__(self, embedder: Embedder, update: LowRankUpdate) -> None:
        self.embedder = embedder
        self.update = update
        self._layers: torch.nn.ModuleList | None = None
        self._lock = threading.Lock()

    @property
    def languages(self) -> frozenset[str]:
        return self.update.languages

    def warm_up(self) -> None:
        with self._lock:
            if self._layers is None:
                self._layers = merged_layers(self.embedder.model[0].auto_model, self.update)

    def embed_pair(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The plain model's unit vectors for `texts` and this encoder's."""
        plain, crossed = [], []
        size = self.embedder.batch_size
        for start in range(0, len(texts), size):
            shared = self.shared_pass(texts[start : start + size])
            plain.append(shared.plain)
            crossed.append(shared.crossed())
        if not plain:
            empty = np.zeros((0, self.embedder.dimension), dtype=np.float32)
            return empty, empty
        return np.concatenate(plain), np.concatenate(crossed)

    def shared_pass(self, texts: Sequence[str]) -> SharedPass:
        """`texts` (one batch) through the plain model, keeping the output of the layers both
        encoders share, so that this encoder's vectors cost only the updated layers."""
        output, inputs = self.embedder.forward(texts, "query", hidden_states=True)
        plain = mean_unit(output.last_hidden_state, inputs["attention_mask"])
        tokens = self.embedder.token_vectors(output, inputs, "query")
        return SharedPass(
            plain.float().numpy(),
            tokens,
            output.hidden_states[self.update.first_layer],
            inputs["attention_mask"],
            self,
        )

    def upper_layers(self, shared: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
        """This encoder's unit vectors from the shared layers' output."""
        import torch

        self.warm_up()
        assert self._layers is not None
        config = self.embedder.model[0].auto_model.config
        with torch.inference_mode():
            top = run_layers(self._layers, config, shared, mask)
            return mean_unit(top, mask).float().numpy()


@dataclass
class SharedPass:
    """Questions after one pass through the plain model: their plain vectors now, this
    encoder's when first asked for (an FAQ entry may answer before pages are searched)."""

    plain: np.ndarray
    tokens: list[TokenVectors]  # the plain model's, for the reader
    shared: torch.Tensor  # output of the layers below the encoder's first updated one
    attention_mask: torch.Tensor
    encoder: CrossLingualEncoder
    _crossed: np.ndarray | None = field(default=None, repr=False)

    def crossed(self) -> np.ndarray:
        if self._crossed is None:
            self._crossed = self.encoder.upper_layers(self.shared, self.attention_mask)
        return self._crossed


def run_layers(
    layers: Sequence[torch.nn.Module],
    config: object,
    hidden: torch.Tensor,
    attention_mask: torch.Tensor,
) -> torch.Tensor:
    """`hidden` (batch, tokens, width) through `layers`, padding masked as the model does."""
    from transformers.masking_utils import create_bidirectional_mask

    mask = create_bidirectional_mask(
        config=config, inputs_embeds=hidden, attention_mask=attention_mask
    )
    for layer in layers:
        hidden = layer(hidden, mask)
    return hidden


def merged_layers(transformer: torch.nn.Module, update: LowRankUpdate) -> torch.nn.ModuleList:
    """Copies of the transformer's layers from the first updated one on, updates merged in;
    the transformer itself is left as it was."""
    import torch

    first = update.first_layer
    layers = copy.deepcopy(transformer.encoder.layer[first:])
    with torch.no_grad():
        for name, (a, b) in update.factors.items():
            number, inner = layer_of(name)
            linear = layers[number - first].get_submodule(inner)
            linear.weight += torch.from_numpy(b @ a).to(linear.weight.dtype)
    layers.eval()
    return layers


def load_encoder(path: Path, embedder: Embedder) -> CrossLingualEncoder | None:
    update = LowRankUpdate.load(path)
    if update is None:
        return None
    if not update.fits(embedder.model_name):
        log.info("%s was fitted for %s: page search uses plain queries", path, update.model)
        return None
    return CrossLingualEncoder(embedder, update)
