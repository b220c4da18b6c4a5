"""Every fixed text Lotse says exists in every language, with its placeholders intact."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from translations.catalogs import LOCALE_DIR, TEMPLATE, Catalogs, build_template
from translations.languages import SUPPORTED_LANGUAGES
from translations.messages import UNAVAILABLE

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _catalog(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "lotse.po").open("rb") as po:
        return read_po(po, locale=language)


def test_the_template_is_up_to_date_with_domain_and_code() -> None:
    """Fails when a text changed in domain.yml or the code without `make catalogs`."""
    with TEMPLATE.open("rb") as pot:
        committed = {message.id for message in read_po(pot) if message.id}
    assert committed == {message.id for message in build_template() if message.id}


@pytest.mark.parametrize("language", [code for code in SUPPORTED_LANGUAGES if code != "en"])
def test_every_text_is_translated_with_its_placeholders(language: str) -> None:
    with TEMPLATE.open("rb") as pot:
        wanted = {message.id for message in read_po(pot) if message.id}
    catalog = _catalog(language)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted <= set(translated), sorted(wanted - set(translated))
    for msgid, msgstr in translated.items():
        assert sorted(PLACEHOLDER.findall(msgstr)) == sorted(PLACEHOLDER.findall(msgid)), msgid


def test_compiled_catalogs_are_used_and_english_falls_back(tmp_path: Path) -> None:
    catalogs = Catalogs()
    assert catalogs.gettext("en", UNAVAILABLE) == UNAVAILABLE
    for language in ("de", "ar", "uk", "fa"):
        assert catalogs.has_catalog(language), "run `make` to compile the catalogs"
        assert catalogs.gettext(language, UNAVAILABLE) != UNAVAILABLE
    assert Catalogs(tmp_path).gettext("de", UNAVAILABLE) == UNAVAILABLE
