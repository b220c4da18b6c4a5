"""Fits the cross-lingual query encoder on OMoS-QA train: `python -m bench.fit_query_encoder`.

OMoS-QA's questions and pages are parallel: the same question, and the same page line by
line, in de, en, fr, ar and uk. The encoder (knowledge_base/query_encoder.py) is the embedding
model with low-rank updates (LoRA, rank 16) to every linear layer of its upper six layers (from
`--first-layer` 6 on), trained so that a text in any of these languages lands where the plain
model puts its German original (squared distance; German texts themselves are pulled to where
they are, which keeps German questions as they were). The texts are the train questions and
1,500 lines of the train pages in every language. Questions add the page search's own loss
(cross-entropy over the soft maximum page scores of the German train pages, as in
bench/fit_adapter.py), weighted 0.3.
The lower layers are frozen and the same for both encoders, so their output is computed once
for every text. Three epochs took 44 minutes here with a second fit sharing the two cores. Dev
is never read. Writes knowledge_base/calibration/query_encoder.npz (float16, 1.2 MB), which
the knowledge base loads.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from bench.fit_adapter import german_passages, page_scores, recall_at
from bench.fit_pages import BASE_LANGUAGE, DATA
from bench.omos import DEFAULT_MODEL, read_questions
from bench.stack import ROOT
from knowledge_base.embedder import mean_unit
from knowledge_base.query_encoder import (
    ENCODER_FILE,
    LAYER_PREFIX,
    LowRankUpdate,
    layer_of,
    run_layers,
)

LANGUAGES = ("en", "fr", "ar", "uk")
OUT = ROOT / "knowledge_base" / "calibration" / ENCODER_FILE
# A page line shorter than this is a heading or a fragment: little to learn from.
MIN_LINE_LENGTH = 21
MAX_TOKENS = 64
BATCH = 32
DISTANCE_WEIGHT = 10.0
SOFTMAX_TEMPERATURE = 0.02


@dataclass(frozen=True)
class Pair:
    text: str  # in any of the languages
    original: str  # its German original
    page: int  # its gold page number for a question, -1 for a page line


def parallel_pairs(
    data: Path, languages: Sequence[str], numbers: dict[int, int], lines: int
) -> list[Pair]:
    """Train questions and `lines` train page lines, each in German and every language."""
    every = [BASE_LANGUAGE, *languages]
    questions = {
        language: {
            record["id"]: record
            for record in read_questions(data / "questions" / language / "train.jsonl")
        }
        for language in every
    }
    pairs = [
        Pair(
            questions[language][key]["question"],
            german["question"],
            numbers[int(german["pageId"])],
        )
        for language in every
        for key, german in questions[BASE_LANGUAGE].items()
        if key in questions[language] and int(german["pageId"]) in numbers
    ]
    train_pages = {int(record["pageId"]) for record in questions[BASE_LANGUAGE].values()}
    contents: dict[str, dict[int, list[str]]] = {language: {} for language in every}
    for language in every:
        with (data / "pages" / f"{language}.jsonl").open(encoding="utf-8") as file:
            for line in file:
                page = json.loads(line)
                if int(page["page_id"]) in train_pages:
                    contents[language][int(page["page_id"])] = page["content"].split("\n")
    chosen = [
        (page, number)
        for page, text in contents[BASE_LANGUAGE].items()
        for number, line in enumerate(text)
        if len(line) >= MIN_LINE_LENGTH
    ]
    random.Random(0).shuffle(chosen)
    for language in every:
        for page, number in chosen[:lines]:
            translated = contents[language].get(page)
            if translated is not None and number < len(translated):
                pairs.append(Pair(translated[number], contents[BASE_LANGUAGE][page][number], -1))
    return pairs


class LowRankLinear(torch.nn.Module):
    """base(x) + x A^T B^T; B starts at zero, so at first nothing changes."""

    def __init__(self, base: torch.nn.Linear, rank: int) -> None:
        super().__init__()
        self.base = base
        scale = 1 / math.sqrt(base.in_features)
        self.A = torch.nn.Parameter(scale * torch.randn(rank, base.in_features))
        self.B = torch.nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.A.T) @ self.B.T


def add_low_rank(
    transformer: torch.nn.Module, rank: int, first_layer: int = 0
) -> dict[str, LowRankLinear]:
    """Wraps every linear layer of the encoder's layers from `first_layer` on; returns them by
    their plain names."""
    for parameter in transformer.parameters():
        parameter.requires_grad_(False)
    wrapped = {}
    for name, module in list(transformer.named_modules()):
        if (
            name.startswith(LAYER_PREFIX)
            and layer_of(name)[0] >= first_layer
            and isinstance(module, torch.nn.Linear)
        ):
            parent, _, child = name.rpartition(".")
            wrapper = LowRankLinear(module, rank)
            setattr(transformer.get_submodule(parent), child, wrapper)
            wrapped[name] = wrapper
    return wrapped


def tokens(model, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    prompt = model.prompts.get("query", "query: ")
    return model.tokenizer(
        [prompt + text for text in texts],
        padding=True,
        truncation=True,
        max_length=MAX_TOKENS,
        return_tensors="pt",
    )


def embed_all(model, texts: Sequence[str]) -> torch.Tensor:
    """Unit query vectors as the embedder makes them (prompt, mean pooling)."""
    model.eval()
    vectors = []
    for start in range(0, len(texts), 64):
        batch = tokens(model, texts[start : start + 64])
        with torch.no_grad():
            hidden = model[0].auto_model(**batch).last_hidden_state
        vectors.append(mean_unit(hidden, batch["attention_mask"]))
    return torch.cat(vectors)


def shared_states(model, texts: Sequence[str], first_layer: int) -> dict[str, torch.Tensor]:
    """Every text's hidden states where the updated layers begin. The layers below are the
    plain model's and frozen: computed once, not in every epoch."""
    model.eval()
    states = {}
    for start in range(0, len(texts), 64):
        chunk = texts[start : start + 64]
        batch = tokens(model, chunk)
        with torch.no_grad():
            output = model[0].auto_model(**batch, output_hidden_states=True)
        hidden = output.hidden_states[first_layer]
        for i, text in enumerate(chunk):
            states[text] = hidden[i, : int(batch["attention_mask"][i].sum())].clone()
    return states


def embed_from(
    transformer: torch.nn.Module, states: Sequence[torch.Tensor], first_layer: int
) -> torch.Tensor:
    """Unit vectors from cached hidden states through the updated layers, with gradients."""
    width = max(len(state) for state in states)
    hidden = torch.zeros(len(states), width, states[0].shape[1])
    mask = torch.zeros(len(states), width, dtype=torch.long)
    for i, state in enumerate(states):
        hidden[i, : len(state)] = state
        mask[i, : len(state)] = 1
    top = run_layers(transformer.encoder.layer[first_layer:], transformer.config, hidden, mask)
    return mean_unit(top, mask)


def fit(
    model,
    pairs: Sequence[Pair],
    passages: torch.Tensor,
    page_of: torch.Tensor,
    *,
    rank: int,
    learning_rate: float,
    epochs: int,
    ranking_weight: float,
    first_layer: int,
) -> dict[str, LowRankLinear]:
    originals = sorted({pair.original for pair in pairs})
    teacher = embed_all(model, originals)
    row = {text: i for i, text in enumerate(originals)}
    states = shared_states(model, sorted({pair.text for pair in pairs}), first_layer)
    transformer = model[0].auto_model
    wrapped = add_low_rank(transformer, rank, first_layer)
    parameters = [p for p in transformer.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.0)
    pages = int(page_of.max()) + 1
    steps, step = epochs * math.ceil(len(pairs) / BATCH), 0
    for epoch in range(epochs):
        transformer.train()
        order = np.random.RandomState(epoch).permutation(len(pairs))
        started, total = time.perf_counter(), 0.0
        for start in range(0, len(order), BATCH):
            batch = [pairs[i] for i in order[start : start + BATCH]]
            vectors = embed_from(transformer, [states[pair.text] for pair in batch], first_layer)
            target = teacher[[row[pair.original] for pair in batch]]
            loss = DISTANCE_WEIGHT * ((vectors - target) ** 2).sum(1).mean()
            asked = [i for i, pair in enumerate(batch) if pair.page >= 0]
            if ranking_weight and asked:
                logits = page_scores(vectors[asked], passages, page_of, pages) / SOFTMAX_TEMPERATURE
                gold = torch.tensor([batch[i].page for i in asked])
                loss = loss + ranking_weight * torch.nn.functional.cross_entropy(logits, gold)
            for group in optimiser.param_groups:
                group["lr"] = learning_rate * (1 - step / steps)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())
            step += 1
        batches = math.ceil(len(order) / BATCH)
        print(
            f"epoch {epoch + 1}: loss {total / batches:.4f}, {time.perf_counter() - started:.0f} s",
            flush=True,
        )
    transformer.eval()
    return wrapped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fit_query_encoder", description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES))
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=1500)
    parser.add_argument("--ranking-weight", type=float, default=0.3)
    parser.add_argument(
        "--first-layer",
        type=int,
        default=6,
        help="update the layers from this one on; both encoders share the layers below",
    )
    parser.add_argument(
        "--lines-only",
        action="store_true",
        help="fit on the page lines alone: the train questions stay unseen, for the gate",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    passages, page_of, numbers = german_passages(args.data, args.model)
    pairs = parallel_pairs(args.data, args.languages, numbers, args.lines)
    questions = [pair for pair in pairs if pair.page >= 0]
    if args.lines_only:
        pairs = [pair for pair in pairs if pair.page < 0]
    print(f"{len(pairs)} pairs ({len(questions)} questions), {len(passages)} German passages")
    model = SentenceTransformer(args.model, device="cpu")
    p, owner = torch.from_numpy(passages), torch.from_numpy(page_of)
    gold = np.array([pair.page for pair in questions])
    before = embed_all(model, [pair.text for pair in questions]).numpy()
    wrapped = fit(
        model,
        pairs,
        p,
        owner,
        rank=args.rank,
        learning_rate=args.learning_rate,
        epochs=args.epochs,
        ranking_weight=args.ranking_weight,
        first_layer=args.first_layer,
    )
    after = embed_all(model, [pair.text for pair in questions]).numpy()
    plain = recall_at(before, gold, passages, page_of)
    fitted = recall_at(after, gold, passages, page_of)
    print(f"train R@5 over German train pages: plain {100 * plain:.1f}, fitted {100 * fitted:.1f}")
    update = LowRankUpdate(
        {
            name: (layer.A.detach().numpy(), layer.B.detach().numpy())
            for name, layer in wrapped.items()
        },
        frozenset(args.languages),
        Path(args.model).name,
    )
    update.save(args.out)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
