"""What survives machine translation unchanged, and the glossary staff maintain."""

from __future__ import annotations

from pathlib import Path

import pytest

from translations.glossary import Glossary, GlossaryError, Term, load_glossary
from translations.languages import SUPPORTED_LANGUAGES
from translations.machine import machine_translatable
from translations.protection import protect


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary()


@pytest.mark.parametrize(
    ("text", "kind", "span"),
    [
        ("Mehr unter https://www.gladbeck.de/kita.", "url", "https://www.gladbeck.de/kita"),
        ("Siehe www.bamf.de, dort steht es.", "url", "www.bamf.de"),
        ("Formulare auf gladbeck.de/formulare finden.", "url", "gladbeck.de/formulare"),
        ("Schreiben Sie an info@stadt-gladbeck.de.", "email", "info@stadt-gladbeck.de"),
        ("Telefon: 02043 99-2345.", "phone", "02043 99-2345"),
        ("Telefon: +49 (0) 2043 992345!", "phone", "+49 (0) 2043 992345"),
        ("Rufen Sie (02043) 99 2345 an.", "phone", "(02043) 99 2345"),
        ("Kostenlos: 0800 1234567.", "phone", "0800 1234567"),
        ("Im Rathaus, Willy-Brandt-Platz 2, Zimmer 12.", "address", "Willy-Brandt-Platz 2"),
        (
            "Friedrich-Ebert-Straße 8, 45964 Gladbeck.",
            "address",
            "Friedrich-Ebert-Straße 8, 45964 Gladbeck",
        ),
        ("Hochstr. 5a ist das Haus.", "address", "Hochstr. 5a"),
        ("Am Markt 3, 45964 Gladbeck.", "address", "Am Markt 3, 45964 Gladbeck"),
        ("Die Integrationskurse beginnen.", "term", "Integrationskurse"),
        ("Fragen Sie bei der Agentur für Arbeit.", "term", "Agentur für Arbeit"),
        ("Den WBS gibt es im Rathaus.", "term", "WBS"),
    ],
)
def test_each_kind_of_span_is_found(glossary: Glossary, text: str, kind: str, span: str) -> None:
    protected = protect(text, glossary)
    assert [(s.kind, s.text) for s in protected.spans] == [(kind, span)]
    assert span not in protected.text and "[1]" in protected.text


@pytest.mark.parametrize(
    "text",
    [
        "Am Montag 10 Uhr geöffnet.",
        "Termine am 12.03.2025 um 10:30 Uhr.",
        "Im Jahr 2024 kamen 12500 Menschen.",
        "Der Arbeitsmarkt 2024 war gut.",
        "Einen Kitaplatz beantragen.",
    ],
)
def test_ordinary_sentences_are_left_to_the_model(glossary: Glossary, text: str) -> None:
    assert protect(text, glossary).spans == ()


def test_a_bracketed_number_in_the_source_is_kept_not_mistaken(glossary: Glossary) -> None:
    protected = protect("Siehe Fußnote [1] und das Jobcenter.", glossary)
    assert [s.text for s in protected.spans] == ["[1]", "Jobcenter"]
    restored = protected.restore("See footnote [1] and the [2].", "en")
    assert restored.text == "See footnote [1] and the Jobcenter (job centre)."


def test_mangled_placeholders_are_still_recognised(glossary: Glossary) -> None:
    protected = protect("Das Jobcenter: 02043 99-2345, jobcenter@gladbeck.de", glossary)
    restored = protected.restore("مركز [ ١ ]: ［2］, 【۳】", "ar")
    assert restored.lost == ()
    assert restored.text == "مركز Jobcenter (مركز العمل): 02043 99-2345, jobcenter@gladbeck.de"


def test_lost_spans_are_appended_not_dropped(glossary: Glossary) -> None:
    protected = protect("Rufen Sie 02043 99-2345 an oder gehen Sie zum Jobcenter.", glossary)
    restored = protected.restore("Call [1] or go to the job centre.", "en")
    assert [s.text for s in restored.lost] == ["Jobcenter"]
    assert restored.text == "Call 02043 99-2345 or go to the job centre.\nJobcenter (job centre)"


def test_a_terms_meaning_is_given_once_and_not_in_german(glossary: Glossary) -> None:
    protected = protect("Das Jobcenter zahlt. Fragen Sie das Jobcenter.", glossary)
    english = protected.restore("The [1] pays. Ask the [2].", "en").text
    assert english == "The Jobcenter (job centre) pays. Ask the Jobcenter."
    german = protect("The Jobcenter pays.", glossary).restore("Das [1] zahlt.", "de").text
    assert german == "Das Jobcenter zahlt."


def test_only_placeholders_need_no_model(glossary: Glossary) -> None:
    assert not protect("https://www.gladbeck.de, 02043 99-2345", glossary).needs_translation
    assert protect("Siehe https://www.gladbeck.de", glossary).needs_translation


def test_the_shipped_glossary_covers_the_offices_in_every_language(glossary: Glossary) -> None:
    names = {term.name for term in glossary.terms}
    assert {"Jobcenter", "Integrationskurs", "Wohnberechtigungsschein", "BAMF"} <= names
    for term in glossary.terms:
        assert set(term.explanations) == set(SUPPORTED_LANGUAGES) - {"de"}, term.name


def test_a_glossary_mistake_is_named(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yml"
    path.write_text("Jobcenter:\n  english: job centre\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match=r"'english'.*neither a language"):
        load_glossary(path)
    path.write_text("- Jobcenter\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="at the top"):
        load_glossary(path)
    assert len(load_glossary(tmp_path / "missing.yml")) == 0


def test_a_term_without_meaning_stays_as_written() -> None:
    glossary = Glossary([Term("Tafel")])
    assert protect("Die Tafel hilft.", glossary).restore("The [1] helps.", "en").text == (
        "The Tafel helps."
    )


def test_machine_text_never_replaces_curated_or_reviewed_text() -> None:
    statuses = {"de": "curated", "tr": "reviewed", "ar": "machine"}
    assert machine_translatable(statuses, ["de", "tr", "ar", "uk"]) == ["ar", "uk"]
