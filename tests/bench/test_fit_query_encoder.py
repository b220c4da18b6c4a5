"""The query encoder fit: parallel texts paired with their German originals, and a fit that
moves translations toward them without touching the plain weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from bench.fit_query_encoder import Pair, add_low_rank, embed_all, fit, parallel_pairs
from tests.knowledge_base.test_query_encoder import PARALLEL

LONG_DE = "Melden Sie Ihr Kind frühzeitig beim Jugendamt an."
LONG_EN = "Register your child early with the youth welfare office."


def write_jsonl(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))


def question(key: int, language: str, text: str, page: int) -> dict:
    return {"id": key, "question": text, "pageId": page, "language": language, "answers": []}


def page(key: int, language: str, lines: list[str]) -> dict:
    return {"page_id": key, "language": language, "title": lines[0], "content": "\n".join(lines)}


def test_questions_and_long_lines_are_paired_with_their_german_originals(tmp_path: Path) -> None:
    write_jsonl(
        tmp_path / "questions/de/train.jsonl",
        [question(1, "de", "Wo ist die Kita?", 11), question(2, "de", "Was kostet der Bus?", 99)],
    )
    write_jsonl(
        tmp_path / "questions/en/train.jsonl",
        [question(1, "en", "Where is the day care?", 11), question(2, "en", "Bus fare?", 99)],
    )
    write_jsonl(tmp_path / "pages/de.jsonl", [page(11, "de", ["Kita", LONG_DE])])
    write_jsonl(tmp_path / "pages/en.jsonl", [page(11, "en", ["Day care", LONG_EN])])

    pairs = parallel_pairs(tmp_path, ["en"], {11: 0}, lines=10)

    assert Pair("Where is the day care?", "Wo ist die Kita?", 0) in pairs
    assert Pair("Wo ist die Kita?", "Wo ist die Kita?", 0) in pairs
    assert Pair(LONG_EN, LONG_DE, -1) in pairs
    assert Pair(LONG_DE, LONG_DE, -1) in pairs
    # question 2's page is not among the pages searched; the short title is no line to learn
    assert len(pairs) == 4


def test_the_fit_moves_translations_toward_their_originals(model_path: str) -> None:
    torch.manual_seed(0)
    model = SentenceTransformer(model_path, device="cpu")
    pairs = [Pair(asked, german, -1) for asked, german in PARALLEL]
    asked = [pair.text for pair in pairs]
    german = embed_all(model, [pair.original for pair in pairs]).numpy()
    before = np.sum(embed_all(model, asked).numpy() * german, axis=1)
    passages, page_of = torch.zeros(1, german.shape[1]), torch.zeros(1, dtype=torch.long)

    lower = model[0].auto_model.encoder.layer[5].output.dense.weight.detach().clone()

    wrapped = fit(
        model,
        pairs,
        passages,
        page_of,
        rank=4,
        learning_rate=1e-3,
        epochs=5,
        ranking_weight=0,
        first_layer=6,
    )

    after = np.sum(embed_all(model, asked).numpy() * german, axis=1)
    assert after.mean() > before.mean() + 0.01
    assert len(wrapped) == 6 * 6  # every linear layer of layers 6 to 11
    assert all(not layer.base.weight.requires_grad for layer in wrapped.values())
    assert model[0].auto_model.encoder.layer[5].output.dense.weight.equal(lower)


def test_the_low_rank_layers_change_nothing_before_the_fit(model_path: str) -> None:
    model = SentenceTransformer(model_path, device="cpu")
    texts = ["Wo finde ich einen Deutschkurs?"]
    plain = embed_all(model, texts)
    add_low_rank(model[0].auto_model, rank=2)
    assert torch.allclose(embed_all(model, texts), plain, atol=1e-6)
