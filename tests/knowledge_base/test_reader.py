"""The page reader on small real pages embedded with the real model."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.calibration import load_page_calibration
from knowledge_base.coverage import PROJECTION_FILE, LineTokens, TokenProjection
from knowledge_base.documents import page_lines
from knowledge_base.embedder import Embedder
from knowledge_base.index import VectorIndex
from knowledge_base.indexer import add_lines
from knowledge_base.loader import CALIBRATION_DIR
from knowledge_base.models import Page
from knowledge_base.reader import LINE_FEATURES, PAGE_FEATURES, Reader, ReaderParams, line_features

KITA = [
    "Kita",
    "Jedes Kind ab einem Jahr hat Anspruch auf einen Platz in einer Kita.",
    "",
    "Die Anmeldung erfolgt beim Jugendamt der Stadt.",
    "Die Busse fahren am Wochenende seltener.",
    "Der Wertstoffhof ist samstags geöffnet.",
]


@pytest.fixture(scope="module")
def indexed(embedder: Embedder) -> tuple[VectorIndex, LineTokens]:
    """The page's lines and their tokens, as the indexer stores them."""
    page = Page(
        id=1,
        origin="test",
        external_id="1",
        translation_group="g1",
        language="de",
        title="Kita",
        content="\n".join(KITA),
        content_hash="-",
    )
    index = VectorIndex(embedder.dimension)
    projection = TokenProjection.load(CALIBRATION_DIR / PROJECTION_FILE, embedder.model_name)
    tokens = LineTokens(projection)
    add_lines(index, tokens, page_lines(page), embedder)
    return index, tokens


@pytest.fixture(scope="module")
def lines_index(indexed: tuple[VectorIndex, LineTokens]) -> VectorIndex:
    return indexed[0]


def test_features_describe_where_a_line_stands_on_its_page() -> None:
    scores = np.array([0.80, 0.90, 0.85])
    features = line_features(scores, ["Titel", "a", "b:"], np.array([0, 1, 3]), True)
    column = {name: features[:, i] for i, name in enumerate(LINE_FEATURES)}
    assert column["gap"] == pytest.approx([-0.10, 0.0, -0.05])
    assert column["rank"] == pytest.approx([2 / 3, 0.0, 1 / 3])
    assert column["first"].tolist() == [1.0, 0.0, 0.0]
    assert column["colon"].tolist() == [0.0, 0.0, 1.0]
    assert column["prev_gap"] == pytest.approx([-0.10, -0.10, 0.0])


def test_the_reader_finds_the_answer_line_and_refuses_an_unrelated_question(
    lines_index: VectorIndex, embedder: Embedder
) -> None:
    reader = Reader(lines_index, ReaderParams())
    question = embedder.embed_queries(["Ab wann hat mein Kind Anspruch auf einen Kitaplatz?"])[0]
    reading = reader.read(question, 1, "de")
    assert 1 in reading.lines and 5 not in reading.lines
    assert 2 not in reading.lines  # the empty line is never read
    unrelated = embedder.embed_queries(["Wer gewinnt die Fußball-Weltmeisterschaft?"])[0]
    assert reader.read(unrelated, 1, "de").lines == ()
    assert reader.read(question, 99, "de").lines == ()


def test_a_reading_uses_its_own_answer_threshold(
    lines_index: VectorIndex, embedder: Embedder
) -> None:
    question = embedder.embed_queries(["Ab wann hat mein Kind Anspruch auf einen Kitaplatz?"])[0]
    assert Reader(lines_index, ReaderParams()).read(question, 1, "en").lines
    reader = Reader(lines_index, ReaderParams(answer_thresholds={"en>de": 1.0}))
    assert reader.read(question, 1, "de").lines
    assert reader.read(question, 1, "en").lines == ()


def test_parameters_survive_the_calibration_file() -> None:
    params = ReaderParams(line_gap=3.5, answer_threshold=0.7, answer_thresholds={"fr>de": 0.9})
    values = params.as_dict()
    assert values["answer_threshold.fr>de"] == 0.9
    assert ReaderParams.from_dict({**values, "page_threshold": 0.6}) == params


def test_the_fitted_parameters_load_and_answer(
    indexed: tuple[VectorIndex, LineTokens], embedder: Embedder
) -> None:
    index, line_tokens = indexed
    values = load_page_calibration(CALIBRATION_DIR / "pages.json")
    params = ReaderParams.from_dict(values)
    assert params.line_weights.shape == (len(LINE_FEATURES),)
    assert params.answer_weights.shape == (len(PAGE_FEATURES),)
    vectors, tokens = embedder.embed_with_tokens(
        ["Wo melde ich mein Kind für die Kita an?"], "query"
    )
    reading = Reader(index, params, line_tokens).read(vectors[0], 1, "de", tokens[0])
    assert 0.0 <= reading.answerable <= 1.0
    assert set(reading.lines) <= {0, 1, 3, 4, 5}


def test_a_page_far_behind_the_best_one_in_the_search_answers_less_surely(
    indexed: tuple[VectorIndex, LineTokens], embedder: Embedder
) -> None:
    """The fitted page model: a page the search put well behind another is less likely the
    one that answers; the best page itself (gap 0) is what Lotse reads."""
    index, line_tokens = indexed
    reader = Reader(
        index,
        ReaderParams.from_dict(load_page_calibration(CALIBRATION_DIR / "pages.json")),
        line_tokens,
    )
    vectors, tokens = embedder.embed_with_tokens(
        ["Wo melde ich mein Kind für die Kita an?"], "query"
    )
    best, behind = (
        reader.read(vectors[0], 1, "de", tokens[0], search_gap=gap) for gap in (0.0, -0.05)
    )
    assert behind.answerable < best.answerable
    assert reader.read(vectors[0], 1, "de", tokens[0]) == best


def test_a_page_that_lacks_a_word_of_the_question_covers_it_less(
    indexed: tuple[VectorIndex, LineTokens], embedder: Embedder
) -> None:
    """The page says who has a right to a Kita place and where to register, not what it costs."""
    index, tokens = indexed
    reader = Reader(index, ReaderParams(), tokens)
    questions = [
        "Ab wann hat mein Kind Anspruch auf einen Kitaplatz?",
        "Wie viel kostet ein Kitaplatz im Monat?",
    ]
    vectors, question_tokens = embedder.embed_with_tokens(questions, "query")
    covered, lacking = (
        reader.view(vector, 1, "de", token)
        for vector, token in zip(vectors, question_tokens, strict=True)
    )
    assert covered is not None and lacking is not None
    assert covered.coverage[0] > lacking.coverage[0]
    assert reader.view(vectors[0], 1, "de").coverage.tolist() == [0.0, 0.0]
