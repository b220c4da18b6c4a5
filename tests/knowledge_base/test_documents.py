"""Question variants are indexed as written and as many type them: without diacritics."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge_base.calibration import _held_out_variants
from knowledge_base.documents import QUESTION, entry_texts, without_diacritics
from knowledge_base.index import IndexedText, VectorIndex
from knowledge_base.models import Entry, EntryQuestion
from knowledge_base.retriever import Retriever


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Kira yardımı nasıl alınır?", "Kira yardimi nasil alinir?"),
        ("Cum găsesc o locuință?", "Cum gasesc o locuinta?"),
        ("Gdzie złożyć wniosek o mieszkanie?", "Gdzie zlozyc wniosek o mieszkanie?"),
        ("Straße für Familien", "Strasse fur Familien"),
        ("Où est la crèche ?", "Ou est la creche ?"),
        ("Де записати дитину в садочок?", "Де записати дитину в садочок?"),
        ("مَدْرَسَة Kita", "مَدْرَسَة Kita"),
    ],
)
def test_latin_letters_lose_their_marks_and_other_scripts_keep_them(
    written: str, typed: str
) -> None:
    assert without_diacritics(written) == typed


def entry(*questions: tuple[str, str]) -> Entry:
    return Entry(
        id="wohngeld",
        field_of_action="wohnen-und-quartier",
        topic="housing",
        content_hash="x",
        questions=[EntryQuestion(language=lang, text=text) for lang, text in questions],
    )


def test_a_variant_with_diacritics_is_also_indexed_without_them() -> None:
    texts = entry_texts(
        entry(
            ("tr", "Kira yardımı nasıl alınır?"),
            ("tr", "Kira yardimi nasil alinir?"),
            ("de", "Wohngeld beantragen"),
            ("pl", "Jak dostać Wohngeld?"),
        )
    )
    questions = [(t.language, t.text) for t in texts if t.kind == QUESTION]
    assert questions == [
        ("tr", "Kira yardımı nasıl alınır?"),
        ("tr", "Kira yardimi nasil alinir?"),
        ("de", "Wohngeld beantragen"),
        ("pl", "Jak dostać Wohngeld?"),
        ("pl", "Jak dostac Wohngeld?"),
    ]
    assert len({t.key for t in texts}) == len(texts)


def test_a_held_out_variant_is_not_answered_by_its_own_spelling_without_diacritics() -> None:
    items = [
        IndexedText("q1", QUESTION, "pl", "Jak dostać Wohngeld?", entry_id="wohngeld"),
        IndexedText("q1-plain", QUESTION, "pl", "Jak dostac Wohngeld?", entry_id="wohngeld"),
        IndexedText("q2", QUESTION, "pl", "Gdzie jest przedszkole?", entry_id="kita"),
    ]
    index = VectorIndex(2)
    same = [1.0, 0.0]
    index.add(items, np.array([same, same, [0.6, 0.8]], dtype=np.float32))
    asked = [item.text for item in index.items()]
    results = _held_out_variants(index, Retriever(index, VectorIndex(2)))
    held_out = dict(zip(asked, results, strict=True))
    hits, expected = held_out["Jak dostać Wohngeld?"]
    assert expected == "wohngeld"
    assert hits[0].entry_id == "kita"
    assert hits[0].score == pytest.approx(0.6)
