"""Token vectors from the real model: the text's own tokens, from the pass that embeds it."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.embedder import Embedder


def test_token_vectors_are_the_texts_own_tokens_from_the_same_pass(embedder: Embedder) -> None:
    texts = ["Wo finde ich einen Deutschkurs?", "أين أجد دورة لغة؟", "Kita"]
    vectors, tokens = embedder.embed_with_tokens(texts, "query")
    assert vectors == pytest.approx(embedder.embed_queries(texts), abs=1e-5)
    documents, _ = embedder.embed_with_tokens(texts, "document")
    assert documents == pytest.approx(embedder.embed_documents(texts), abs=1e-5)

    tokenizer = embedder.model.tokenizer
    for text, token in zip(texts, tokens, strict=True):
        own = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert token.ids.tolist() == own  # no prompt, no start or end token
        assert np.linalg.norm(token.vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert tokens[0].word.tolist() == [True] * (len(tokens[0].ids) - 1) + [False]  # the "?"
    assert tokens[0].words().ids.tolist() == tokens[0].ids[:-1].tolist()
