"""The answer pipeline on small real content with the real embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage.database import sync_engine
from knowledge_base.answer import Notice
from knowledge_base.embedder import Embedder
from knowledge_base.loader import open_knowledge_base
from knowledge_base.models import TextStatus
from knowledge_base.service import KnowledgeBase
from tests.conftest import FIXTURES


class ReversingTranslator:
    """A stand-in with a visible effect; the real Argos translator has its own tests."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def translate(self, text: str, source: str, target: str) -> str | None:
        self.calls.append((source, target))
        return text[::-1] if target == "tr" else None


@pytest.fixture
def knowledge(tmp_path: Path, tiny_content: Path, embedder: Embedder) -> KnowledgeBase:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    return open_knowledge_base(
        url,
        embedder,
        tmp_path / "index",
        content_dir=tiny_content,
        calibration_dir=FIXTURES / "calibration",
    )


@pytest.mark.parametrize(
    ("question", "language", "entry_id"),
    [
        ("Wo kann ich einen Integrationskurs machen?", "de", "integration-course"),
        ("how can I get a WBS", "en", "housing-entitlement"),
        ("كيف أحصل على مكان في الروضة لطفلي؟", "ar", "kita-place"),
        ("Як отримати Wohnberechtigungsschein?", "uk", "housing-entitlement"),
        ("Entegrasyon kursuna nasıl kayıt olabilirim?", "tr", "integration-course"),
    ],
)
def test_questions_find_their_entry_across_languages(
    knowledge: KnowledgeBase, question: str, language: str, entry_id: str
) -> None:
    answer = knowledge.ask(question, language)
    assert answer.answered, answer
    assert answer.entry_id == entry_id


def test_answer_comes_in_the_askers_language_with_its_status(knowledge: KnowledgeBase) -> None:
    english = knowledge.ask("Where can I learn German?", "en")
    assert (english.language, english.status, english.notice) == ("en", TextStatus.CURATED, None)
    assert english.source is not None and english.source.url == "https://www.bamf.de/"

    arabic = knowledge.ask("أين يمكنني تعلم اللغة الألمانية؟", "ar")
    assert (arabic.language, arabic.status) == ("ar", TextStatus.MACHINE)
    assert arabic.notice == Notice.MACHINE_TRANSLATED


def test_without_a_text_in_the_language_german_is_shown_with_a_notice(
    knowledge: KnowledgeBase,
) -> None:
    answer = knowledge.ask("Як отримати місце в дитячому садку?", "uk")
    assert answer.entry_id == "kita-place"
    assert (answer.language, answer.notice) == ("de", Notice.NOT_IN_YOUR_LANGUAGE)
    assert "Kitaplatz" in (answer.text or "")


def test_a_translator_fills_the_gap_and_marks_it_machine(knowledge: KnowledgeBase) -> None:
    translator = ReversingTranslator()
    knowledge.translator = translator
    answer = knowledge.ask("Wohnberechtigungsschein nasıl alabilirim?", "tr")
    assert answer.entry_id == "housing-entitlement"
    assert translator.calls[0] == ("de", "tr")
    assert (answer.language, answer.status) == ("tr", TextStatus.MACHINE)
    assert answer.notice == Notice.MACHINE_TRANSLATED
    assert answer.text and answer.text.endswith(" neD")


@pytest.mark.parametrize(
    "question",
    ["Wie wird das Wetter morgen in Tokio?", "asdkjh qwezx vbnm", "Who won the football cup?"],
)
def test_questions_outside_the_content_get_no_answer(
    knowledge: KnowledgeBase, question: str
) -> None:
    answer = knowledge.ask(question, "de")
    assert not answer.answered
    assert answer.text is None


def test_index_is_reused_and_only_changes_are_embedded(
    tmp_path: Path, tiny_content: Path, embedder: Embedder
) -> None:
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    engine = sync_engine(url)
    first = open_knowledge_base(url, embedder, tmp_path / "index", content_dir=tiny_content)
    built_at = first.index.manifest.built_at
    again = open_knowledge_base(
        url, embedder, tmp_path / "index", content_dir=tiny_content, engine=engine
    )
    assert again.index.manifest.built_at == built_at

    housing = tiny_content / "wohnen-und-quartier" / "housing.yml"
    housing.write_text(
        housing.read_text(encoding="utf-8").replace("Was ist ein WBS?", "Brauche ich einen WBS?")
    )
    before = again.index.entries.keys()
    edited = open_knowledge_base(url, embedder, tmp_path / "index", content_dir=tiny_content)
    after = edited.index.entries.keys()
    assert len(before - after) == 1 and len(after - before) == 1
    assert any("Brauche ich" in item.text for item in edited.index.entries.items())


def test_opening_an_up_to_date_index_does_not_load_the_model(
    tmp_path: Path, tiny_content: Path, embedder: Embedder
) -> None:
    """`make run` syncs the knowledge base before the app starts: unchanged content must not
    cost a model load there."""
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    open_knowledge_base(url, embedder, tmp_path / "index", content_dir=tiny_content)
    fresh = Embedder(embedder.model_name)
    again = open_knowledge_base(url, fresh, tmp_path / "index", content_dir=tiny_content)
    assert not fresh.loaded
    again.ask("Was ist ein WBS?", "de")
    assert fresh.loaded


def test_the_original_of_a_machine_answer_is_the_text_a_person_wrote(
    knowledge: KnowledgeBase,
) -> None:
    assert knowledge.original("integration-course", "ar") == (
        "de",
        "Integrationskurse bieten Sprachkursträger an. Fragen Sie beim BAMF nach einem Kurs.",
    )
    english = knowledge.original("integration-course", "de")
    assert english is not None and english[0] == "en"
    assert knowledge.original("no-such-entry", "ar") is None
