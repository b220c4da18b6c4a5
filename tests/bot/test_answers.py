"""An answer not in the newcomer's language names its language the way they would."""

from __future__ import annotations

import pytest

from bot.answers import compose_answer
from knowledge_base.answer import Answer, Notice
from translations.catalogs import Catalogs
from translations.languages import language_name


@pytest.mark.parametrize(
    ("code", "in_language", "name"),
    [
        ("de", "en", "German"),
        ("de", "fr", "allemand"),
        ("en", "de", "Englisch"),
        ("de", "tr", "Almanca"),
        ("fr", "fr", "français"),
        ("de", "xx", "Deutsch"),
    ],
)
def test_a_language_is_named_in_the_readers_language(
    code: str, in_language: str, name: str
) -> None:
    assert language_name(code, in_language) == name


@pytest.mark.parametrize(
    ("language", "says"),
    [("en", "in German."), ("fr", "en allemand."), ("tr", "size Almanca cevabı")],
)
def test_the_notice_names_the_answers_language_in_the_newcomers(language: str, says: str) -> None:
    answer = Answer(
        question_language=language,
        score=1.0,
        text="Wohngeld ist ein Zuschuss zur Miete.",
        language="de",
        notice=Notice.NOT_IN_YOUR_LANGUAGE,
    )
    notice, text = compose_answer(answer, language, Catalogs()).split("\n")
    assert says in notice
    assert text == answer.text
