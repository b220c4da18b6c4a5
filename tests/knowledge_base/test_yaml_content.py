from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.database import migrate, sync_engine
from knowledge_base.importers.yaml_content import ContentError, import_yaml, read_entries
from knowledge_base.models import TextStatus
from knowledge_base.store import DocumentStore

ROOT = Path(__file__).resolve().parents[2]
FIELDS_OF_ACTION = {
    "zusammenleben-und-austausch",
    "sprache-und-bildung",
    "fortbildung-und-information",
    "arbeitsmarkt-und-beschaeftigung",
    "wohnen-und-quartier",
}


@pytest.fixture
def store(tmp_path: Path) -> DocumentStore:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    migrate(url)
    return DocumentStore(sync_engine(url))


def test_import_is_idempotent_and_follows_edits(store: DocumentStore, tiny_content: Path) -> None:
    first = import_yaml(store, tiny_content, progress=False)
    assert (first.changed, first.unchanged, first.removed) == (3, 0, 0)
    again = import_yaml(store, tiny_content, progress=False)
    assert (again.changed, again.unchanged) == (0, 3)

    housing = tiny_content / "wohnen-und-quartier" / "housing.yml"
    text = housing.read_text(encoding="utf-8")
    housing.write_text(text.replace("beim Amt für Wohnen.", "beim Amt für Wohnen im Rathaus."))
    edited = import_yaml(store, tiny_content, progress=False)
    assert (edited.changed, edited.unchanged) == (1, 2)
    assert "im Rathaus" in store.entry("housing-entitlement").answer_in("de").text

    (tiny_content / "sprache-und-bildung" / "language-courses.yml").unlink()
    removed = import_yaml(store, tiny_content, progress=False)
    assert removed.removed == 1
    assert [e.id for e in store.entries()] == ["housing-entitlement", "kita-place"]


def test_entries_keep_statuses_and_sources(store: DocumentStore, tiny_content: Path) -> None:
    import_yaml(store, tiny_content, progress=False)
    entry = store.entry("integration-course")
    assert entry.field_of_action == "sprache-und-bildung"
    assert entry.answer_in("ar").status == TextStatus.MACHINE
    assert entry.answer_in("de").status == TextStatus.CURATED
    assert entry.source_url == "https://www.bamf.de/"
    assert {q.language for q in entry.questions} == {"de", "en", "tr"}


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("entries: [{questions: {}}]", "needs an 'id'"),
        ("entries:\n  - id: x\n    answers: {}", "'answers' must map"),
        ("entries:\n  - id: x\n    answers: {de: {status: gut, text: t}}", "status 'gut'"),
        ("entries:\n  - id: x\n    answers: {de: {text: ''}}", "needs a 'text'"),
        ("entries: [unclosed", "not valid YAML"),
        ("just text", "expected a mapping"),
    ],
)
def test_bad_content_is_refused_with_the_place(
    tmp_path: Path, yaml_text: str, message: str
) -> None:
    (tmp_path / "bad.yml").write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ContentError, match=message) as error:
        list(read_entries(tmp_path))
    assert "bad.yml" in str(error.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    entry = "entries:\n  - id: same\n    answers: {de: {text: t}}\n"
    (tmp_path / "a.yml").write_text(entry, encoding="utf-8")
    (tmp_path / "b.yml").write_text(entry, encoding="utf-8")
    with pytest.raises(ContentError, match="also used in"):
        list(read_entries(tmp_path))


def test_sample_city_content_is_complete() -> None:
    """The sample content the run command imports: 60+ entries over the five fields of action,
    curated German and English, machine-marked ar/tr/uk/ru/fa until someone reviews them."""
    entries = list(read_entries(ROOT / "knowledge_base" / "content"))
    assert len(entries) >= 60
    assert {e.field_of_action for e in entries} == FIELDS_OF_ACTION
    for entry in entries:
        assert set(entry.answers) >= {"de", "en", "ar", "tr", "uk", "ru", "fa"}, entry.id
        for language in ("de", "en"):
            assert entry.answers[language].status == TextStatus.CURATED, entry.id
            assert len(entry.questions.get(language, [])) >= 3, entry.id
        for language in ("ar", "tr", "uk", "ru", "fa"):
            assert entry.answers[language].status in (TextStatus.MACHINE, TextStatus.REVIEWED)
        assert entry.source_title or entry.source_url or entry.source_contact, entry.id
