"""The cross-lingual query encoder: merged into copies of the model's upper layers, fitted to
bring questions next to their German originals, used only for page search in another
language."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.storage.database import migrate, sync_engine
from knowledge_base.answerability import Answerability
from knowledge_base.embedder import Embedder
from knowledge_base.importers.omos import import_omos
from knowledge_base.loader import CALIBRATION_DIR, open_knowledge_base
from knowledge_base.query_encoder import (
    ENCODER_FILE,
    CrossLingualEncoder,
    LowRankUpdate,
    layer_of,
    load_encoder,
)
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import DocumentStore
from tests.conftest import FIXTURES
from tests.knowledge_base.test_page_importers import BUS, KITA_DE, KITA_EN, omos_file

QUERY = "encoder.layer.7.attention.self.query"
# (a question in another language, its German original); written for this test, not OMoS-QA's
PARALLEL = [
    (
        "How can I get my foreign degree recognised?",
        "Wie kann ich meinen ausländischen Abschluss anerkennen lassen?",
    ),
    ("Où puis-je apprendre l'allemand gratuitement ?", "Wo kann ich kostenlos Deutsch lernen?"),
    ("كيف أسجل طفلي في الحضانة؟", "Wie melde ich mein Kind in der Kita an?"),
    (
        "Де я можу отримати допомогу з пошуком житла?",
        "Wo bekomme ich Hilfe bei der Wohnungssuche?",
    ),
]


def update_of(scale: float, model: str = "multilingual-e5-small") -> LowRankUpdate:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 384)).astype(np.float32)
    b = (scale * rng.normal(size=(384, 2))).astype(np.float32)
    return LowRankUpdate({QUERY: (a, b)}, frozenset({"en"}), model)


def test_an_update_survives_a_round_trip_and_refuses_other_models(tmp_path: Path) -> None:
    path = tmp_path / ENCODER_FILE
    update_of(0.1).save(path)
    loaded = LowRankUpdate.load(path)
    assert loaded is not None
    assert loaded.languages == {"en"}
    a, b = loaded.factors[QUERY]
    assert a.dtype == np.float32
    assert b @ a == pytest.approx(
        update_of(0.1).factors[QUERY][1] @ update_of(0.1).factors[QUERY][0], abs=1e-3
    )
    assert loaded.fits("/models/multilingual-e5-small")
    assert not loaded.fits("/models/another-model")
    assert LowRankUpdate.load(tmp_path / "missing.npz") is None


def test_a_layer_name_says_which_layer_and_where_inside() -> None:
    assert layer_of(QUERY) == (7, "attention.self.query")
    assert update_of(0.1).first_layer == 7
    with pytest.raises(ValueError, match="not inside one of the encoder"):
        layer_of("pooler.dense")


def test_both_vectors_come_from_one_pass_and_the_plain_model_stays_as_it_was(
    embedder: Embedder,
) -> None:
    texts = ["Wo finde ich einen Deutschkurs?", "Where can I find a German course near me?"]
    plain = embedder.embed_queries(texts)
    weight = embedder.model[0].auto_model.get_submodule(QUERY).weight.detach().clone()

    same, moved = CrossLingualEncoder(embedder, update_of(1.0)).embed_pair(texts)

    assert same == pytest.approx(plain, abs=1e-5)
    assert np.sum(moved * plain, axis=1).max() < 0.999
    assert np.linalg.norm(moved, axis=1) == pytest.approx(1.0, abs=1e-5)
    assert embedder.model[0].auto_model.get_submodule(QUERY).weight.equal(weight)
    assert embedder.embed_queries(texts) == pytest.approx(plain, abs=1e-6)
    _, unchanged = CrossLingualEncoder(embedder, update_of(0.0)).embed_pair(texts)
    assert unchanged == pytest.approx(plain, abs=1e-5)


def test_a_shared_pass_gives_the_encoders_vectors_when_asked_and_only_once(
    embedder: Embedder,
) -> None:
    texts = ["Where can I find a German course near me?"]
    encoder = CrossLingualEncoder(embedder, update_of(1.0))
    shared = encoder.shared_pass(texts)
    crossed = shared.crossed()
    assert shared.crossed() is crossed
    assert crossed == pytest.approx(encoder.embed_pair(texts)[1], abs=1e-6)
    assert shared.plain == pytest.approx(embedder.embed_queries(texts), abs=1e-5)
    _, tokens = embedder.embed_with_tokens(texts, "query")
    for kept, alone in zip(shared.tokens, tokens, strict=True):
        assert kept.ids.tolist() == alone.ids.tolist()
        assert kept.vectors == pytest.approx(alone.vectors, abs=1e-4)


def test_the_fitted_encoder_puts_questions_nearer_their_german_originals(
    embedder: Embedder,
) -> None:
    encoder = load_encoder(CALIBRATION_DIR / ENCODER_FILE, embedder)
    assert encoder is not None
    assert encoder.languages == {"en", "fr", "ar", "uk"}
    asked, originals = zip(*PARALLEL, strict=True)
    german = embedder.embed_queries(originals)
    plain = np.sum(embedder.embed_queries(asked) * german, axis=1)
    fitted = np.sum(encoder.embed_pair(asked)[1] * german, axis=1)
    assert (fitted > plain).all(), (plain, fitted)


@pytest.fixture
def calibration(tmp_path: Path) -> Path:
    """The test calibration with the committed cross-lingual encoder."""
    folder = tmp_path / "calibration"
    shutil.copytree(FIXTURES / "calibration", folder)
    shutil.copy(CALIBRATION_DIR / ENCODER_FILE, folder / ENCODER_FILE)
    return folder


def test_the_encoder_ranks_pages_only_where_none_are_in_the_question_language(
    tmp_path: Path, calibration: Path, embedder: Embedder
) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    migrate(url)
    engine = sync_engine(url)
    store = DocumentStore(engine)
    german = omos_file(tmp_path / "de.jsonl", "de", {11: KITA_DE, 12: BUS})
    import_omos(store, german, progress=False)

    def opened() -> KnowledgeBase:
        return open_knowledge_base(
            url, embedder, tmp_path / "index", calibration_dir=calibration, engine=engine
        )

    knowledge = opened()
    assert knowledge.cross_lingual is not None
    english = "From what age does my child have a right to day care?"
    asked = knowledge.question_pass(english, "en")
    plain, crossed = asked.plain, asked.crossed()
    assert crossed is not None
    assert plain == pytest.approx(knowledge.embed_question(english), abs=1e-5)
    assert knowledge.crosses_languages("en")
    assert not knowledge.crosses_languages("de")
    assert not knowledge.crosses_languages("tr")  # not fitted for Turkish
    assert knowledge.question_pass(english, "tr").crossed() is None
    ranked = knowledge.rank_pages(plain, crossed, "en", k=2)
    assert knowledge.store.page(ranked[0].page_id).external_id == "11"
    searched = knowledge.page_hits(knowledge.page_queries(plain[None, :], "en")[0], "en")
    assert ranked[0].score != pytest.approx(searched[0].score)

    import_omos(store, omos_file(tmp_path / "en.jsonl", "en", {11: KITA_EN}), progress=False)
    knowledge = opened()
    assert not knowledge.crosses_languages("en")
    assert knowledge.question_pass(english, "en").crossed() is None
    best = knowledge.rank_pages(plain, None, "en")[0]
    assert knowledge.store.page(best.page_id).language == "en"


def test_the_gate_judges_the_plain_search_and_the_encoder_chooses_the_page(
    tmp_path: Path, calibration: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    migrate(url)
    engine = sync_engine(url)
    german = omos_file(tmp_path / "de.jsonl", "de", {11: KITA_DE, 12: BUS})
    import_omos(DocumentStore(engine), german, progress=False)
    knowledge = open_knowledge_base(
        url, embedder, tmp_path / "index", calibration_dir=calibration, engine=engine
    )
    english = "From what age does my child have a right to day care?"
    asked = knowledge.question_pass(english, "en")
    plain, crossed = asked.plain, asked.crossed()
    searched = knowledge.page_hits(knowledge.page_queries(plain[None, :], "en")[0], "en")
    ranked = knowledge.rank_pages(plain, crossed, "en")
    # the encoder's scores run higher than the plain search's
    assert ranked[0].score > searched[0].score + 0.01

    upper_passes = []
    upper_layers = CrossLingualEncoder.upper_layers

    def counted(encoder: CrossLingualEncoder, *args: object) -> np.ndarray:
        upper_passes.append(args)
        return upper_layers(encoder, *args)

    monkeypatch.setattr(CrossLingualEncoder, "upper_layers", counted)
    between = (ranked[0].score + searched[0].score) / 2
    knowledge.thresholds = replace(knowledge.thresholds, page=Answerability(between, 0.0))
    assert not knowledge.ask(english, "en").answered
    assert not upper_passes  # the gate refused: the encoder's layers never ran

    below = searched[0].score - 0.01
    knowledge.thresholds = replace(knowledge.thresholds, page=Answerability(below, 0.0))
    answer = knowledge.ask(english, "en")
    assert answer.answered and answer.language == "de"
    assert answer.page_id == ranked[0].page_id and "ersten Geburtstag" in (answer.text or "")
    assert len(upper_passes) == 1
