"""Rasa's NLU data lists some names twice, and the action once more: synonyms map a name to
its value, lookup tables make the same names a feature, and LANGUAGE_NAMES is what the
language action falls back on. The lists must agree."""

from pathlib import Path

import pytest
import yaml

from translations.languages import SUPPORTED_LANGUAGES, language_named_in

NLU = Path(__file__).parents[2] / "bot" / "data" / "nlu"


def _blocks(name: str) -> list[dict]:
    return yaml.safe_load((NLU / name).read_text(encoding="utf-8"))["nlu"]


def _examples(block: dict) -> list[str]:
    return [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]


def _named(blocks: list[dict], kind: str) -> dict[str, set[str]]:
    return {
        block[kind]: {example.casefold() for example in _examples(block)}
        for block in blocks
        if kind in block
    }


@pytest.fixture(scope="module")
def language_synonyms() -> dict[str, set[str]]:
    return _named(_blocks("language.yml"), "synonym")


def test_every_language_has_synonyms(language_synonyms: dict[str, set[str]]) -> None:
    assert sorted(language_synonyms) == sorted(SUPPORTED_LANGUAGES)


def test_the_language_lookup_lists_exactly_the_synonyms(
    language_synonyms: dict[str, set[str]],
) -> None:
    lookups = _named(_blocks("language.yml"), "lookup")
    assert lookups == {"language": set().union(*language_synonyms.values())}


def test_the_action_fallback_knows_every_language_synonym(
    language_synonyms: dict[str, set[str]],
) -> None:
    wrong = {
        name: language_named_in(name)
        for code, names in language_synonyms.items()
        for name in names
        if language_named_in(name) != code
    }
    assert wrong == {}


def test_each_verdict_lookup_lists_exactly_its_synonyms() -> None:
    blocks = _blocks("feedback.yml")
    synonyms = _named(blocks, "synonym")
    assert sorted(synonyms) == ["helpful", "not_helpful"]
    assert _named(blocks, "lookup") == synonyms
