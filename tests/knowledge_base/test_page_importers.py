"""Integreat and OMoS-QA pages: imported, grouped across languages, searched and read."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.storage.database import migrate, sync_engine
from knowledge_base.coverage import PROJECTION_FILE, TokenProjection
from knowledge_base.embedder import Embedder
from knowledge_base.importers.integreat import import_integreat
from knowledge_base.importers.omos import import_omos
from knowledge_base.loader import CALIBRATION_DIR, open_knowledge_base
from knowledge_base.store import DocumentStore

KITA_DE = [
    "Kinderbetreuung",
    "Kinderbetreuung",
    "Ab dem ersten Geburtstag hat jedes Kind Anspruch auf einen Platz in einer Kita.",
    "Melden Sie Ihr Kind frühzeitig beim Jugendamt an.",
    "Die Müllabfuhr kommt jeden Dienstag.",
]
KITA_EN = [
    "Childcare",
    "Childcare",
    "From the first birthday every child has a right to a place in a day-care centre.",
    "Register your child early with the youth welfare office.",
    "The rubbish is collected every Tuesday.",
]
BUS = [
    "Busfahren",
    "Busfahren",
    "Ein Monatsticket kaufen Sie im Kundencenter.",
    "Kinder fahren günstiger.",
]


def omos_file(path: Path, language: str, pages: dict[int, list[str]]) -> Path:
    records = [
        {
            "page_id": page_id,
            "city": "testcity",
            "language": language,
            "title": lines[0],
            "content": "\n".join(lines),
        }
        for page_id, lines in pages.items()
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    return path


def integreat_page(page_id: int, language: str, title: str, html: str, base: int | None) -> dict:
    languages = {"de": {"id": base, "url": None, "path": None}} if base else {}
    return {
        "id": page_id,
        "url": f"https://example.org/testregion/{language}/{page_id}/",
        "path": f"/testregion/{language}/page-{page_id}/",
        "title": title,
        "content": html,
        "available_languages": languages,
    }


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    migrate(url)
    return DocumentStore(sync_engine(url))


def test_omos_pages_in_two_languages_are_one_page(tmp_path: Path, store: DocumentStore) -> None:
    german = omos_file(tmp_path / "de.jsonl", "de", {11: KITA_DE, 12: BUS})
    english = omos_file(tmp_path / "en.jsonl", "en", {11: KITA_EN})
    assert import_omos(store, german, progress=False).changed == 2
    assert import_omos(store, english, progress=False).changed == 1
    assert import_omos(store, german, progress=False).changed == 0
    kita = [p for p in store.pages() if p.external_id == "11"]
    assert {p.language for p in kita} == {"de", "en"}
    assert len({p.translation_group for p in kita}) == 1
    assert kita[0].lines[2].startswith(("Ab dem", "From the"))


def test_a_broken_omos_line_is_refused_with_its_place(tmp_path: Path, store: DocumentStore) -> None:
    broken = tmp_path / "de.jsonl"
    broken.write_text('{"page_id": 1, "language": "de", "content": "x"}\n{"page_id": 2}\n')
    with pytest.raises(ValueError, match=r"de.jsonl:2"):
        import_omos(store, broken, progress=False)


def test_integreat_export_keeps_text_lines_and_groups_translations(
    tmp_path: Path, store: DocumentStore
) -> None:
    export = tmp_path / "testregion.json"
    export.write_text(
        json.dumps(
            [
                integreat_page(
                    1,
                    "de",
                    "Kita",
                    "<p>Jedes Kind hat Anspruch.</p><ul><li>Anmeldung beim Jugendamt</li></ul>",
                    None,
                ),
                integreat_page(2, "en", "Day care", "<p>Every child has a right.</p>", 1),
                integreat_page(3, "de", "Leer", "", None),
            ]
        )
    )
    report = import_integreat(store, export, progress=False)
    assert report.changed == 2
    pages = {p.language: p for p in store.pages()}
    assert pages["de"].lines == ["Kita", "Jedes Kind hat Anspruch.", "Anmeldung beim Jugendamt"]
    assert pages["de"].translation_group == pages["en"].translation_group
    assert pages["en"].url == "https://example.org/testregion/en/2/"


@pytest.fixture
def pages_url(tmp_path: Path) -> str:
    """A database with the Kita page (de, en) and the bus page (de)."""
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    migrate(url)
    store = DocumentStore(sync_engine(url))
    import_omos(
        store, omos_file(tmp_path / "de.jsonl", "de", {11: KITA_DE, 12: BUS}), progress=False
    )
    import_omos(store, omos_file(tmp_path / "en.jsonl", "en", {11: KITA_EN}), progress=False)
    return url


def test_a_question_is_answered_from_the_lines_of_the_right_page(
    tmp_path: Path, pages_url: str, embedder: Embedder
) -> None:
    knowledge = open_knowledge_base(pages_url, embedder, tmp_path / "index")
    asked = knowledge.question_pass("Ab wann hat mein Kind Anspruch auf einen Kitaplatz?", "de")
    hits = knowledge.page_hits(asked.plain, "de", k=2)
    assert knowledge.store.page(hits[0].page_id).external_id == "11"
    reading = knowledge.read_page(asked.plain, hits[0].page_id, "de", asked.tokens)
    assert reading.lines and 2 in reading.lines
    unrelated = knowledge.question_pass("Wer gewinnt die Fußball-Weltmeisterschaft?", "de")
    assert knowledge.read_page(unrelated.plain, hits[0].page_id, "de", unrelated.tokens).lines == ()

    english = knowledge.embed_question("From what age does my child have a right to day care?")
    assert knowledge.store.page(knowledge.page_hits(english, "en", k=1)[0].page_id).language == "en"


@pytest.mark.parametrize(("page_threshold", "answered"), [(0.0, True), (5.0, False)])
def test_lotse_answers_from_a_page_only_when_the_page_search_gate_lets_it(
    tmp_path: Path, pages_url: str, embedder: Embedder, page_threshold: float, answered: bool
) -> None:
    calibration = tmp_path / "calibration"
    (calibration / "faq").mkdir(parents=True)
    shutil.copy(CALIBRATION_DIR / PROJECTION_FILE, calibration)
    fitted = json.loads((CALIBRATION_DIR / "pages.json").read_text())
    gate = {"page_threshold": page_threshold, "page_lift_weight": 0.0}
    (calibration / "pages.json").write_text(json.dumps({**fitted, **gate}))
    knowledge = open_knowledge_base(
        pages_url, embedder, tmp_path / "index", calibration_dir=calibration
    )

    answer = knowledge.ask("Ab wann hat mein Kind Anspruch auf einen Kitaplatz?", "de")

    assert answer.answered is answered
    if answered:
        assert answer.page_id is not None and 2 in answer.lines
        assert "ersten Geburtstag" in (answer.text or "")
        assert answer.source is not None and answer.source.title == "Kinderbetreuung"


def record_embeddings(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names the embedding method each text goes through from now on (the real model runs)."""
    embedded: list[str] = []

    def recorded(name: str) -> object:
        real = getattr(embedder, name)

        def call(texts: list[str], *args: object, **kwargs: object) -> object:
            embedded.extend([name] * len(texts))
            return real(texts, *args, **kwargs)

        return call

    for name in ("embed_documents", "embed_queries", "embed_with_tokens"):
        monkeypatch.setattr(embedder, name, recorded(name))
    return embedded


def test_another_token_projection_embeds_the_lines_again_and_nothing_else(
    tmp_path: Path, pages_url: str, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = open_knowledge_base(pages_url, embedder, tmp_path / "index")
    calibration = tmp_path / "calibration"
    shutil.copytree(CALIBRATION_DIR, calibration)
    fitted = TokenProjection.load(CALIBRATION_DIR / PROJECTION_FILE, embedder.model_name).matrix
    assert fitted is not None
    narrower = TokenProjection(fitted[:, :64])
    narrower.save(calibration / PROJECTION_FILE, Path(embedder.model_name).name)
    embedded = record_embeddings(embedder, monkeypatch)

    again = open_knowledge_base(
        pages_url, embedder, tmp_path / "index", calibration_dir=calibration
    )

    # Passages keep their vectors; the labelled questions are embedded again for the FAQ
    # thresholds, as on every rebuild.
    assert "embed_documents" not in embedded
    assert embedded.count("embed_with_tokens") == len(first.index.lines)
    assert again.index.manifest.tokens == narrower.fingerprint() != first.index.manifest.tokens
    asked = again.question_pass("Ab wann hat mein Kind Anspruch auf einen Kitaplatz?", "de")
    kita = again.page_hits(asked.plain, "de", k=1)[0].page_id
    assert again.reader.view(asked.plain, kita, "de", asked.tokens).coverage[0] > 0.5
