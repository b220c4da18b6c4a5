"""Gettext catalogs for every fixed text Lotse says, in every language it speaks.

`python -m translations.catalogs update` extracts the English texts from domain.yml
and the Python sources into translations/lotse.pot and merges them into each
language's lotse.po; `make` compiles the .po files into the .mo files read here.
"""

from __future__ import annotations

import argparse
import gettext
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from translations.languages import SUPPORTED_LANGUAGES

DOMAIN = "lotse"
LOCALE_DIR = Path(__file__).parent / "locale"
ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).parent / f"{DOMAIN}.pot"
PYTHON_SOURCES = ("bot", "actions", "translations", "knowledge_base")


class Catalogs:
    """Looks texts up per language; a missing translation falls back to the English msgid."""

    def __init__(self, locale_dir: Path = LOCALE_DIR) -> None:
        self._locale_dir = locale_dir

    @lru_cache(maxsize=64)  # noqa: B019  (one Catalogs per process; languages are few)
    def _translations(self, language: str) -> gettext.NullTranslations:
        return gettext.translation(DOMAIN, self._locale_dir, languages=[language], fallback=True)

    def gettext(self, language: str, message: str) -> str:
        return self._translations(language).gettext(message)

    def has_catalog(self, language: str) -> bool:
        return (self._locale_dir / language / "LC_MESSAGES" / f"{DOMAIN}.mo").exists()


def domain_texts(domain_file: Path) -> Iterator[tuple[str, str]]:
    """(response name, English text) for every text and button title a response shows."""
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
    for name, variations in (domain.get("responses") or {}).items():
        for variation in variations:
            text = variation.get("text", "")
            if text and not _is_placeholder(text):
                yield name, text
            for button in variation.get("buttons") or []:
                if not str(button.get("payload", "")).startswith("/change_language"):
                    yield name, button["title"]


def _is_placeholder(text: str) -> bool:
    return text.startswith("{") and text.endswith("}") and text.count("{") == 1


def build_template(root: Path = ROOT) -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="Lotse", msgid_bugs_address="", charset="utf-8")
    for name, text in domain_texts(root / "domain.yml"):
        catalog.add(text, locations=[("domain.yml", 0)], auto_comments=[f"response {name}"])
    for package in PYTHON_SOURCES:
        for filename, lineno, message, comments, _ctx in extract_from_dir(
            root / package,
            method_map=[("**.py", "python")],
            keywords={"N_": None, "_": None},
            comment_tags=("Translators:",),
        ):
            catalog.add(
                message, locations=[(f"{package}/{filename}", lineno)], auto_comments=comments
            )
    return catalog


def update_catalogs(languages: Iterable[str] = SUPPORTED_LANGUAGES, root: Path = ROOT) -> None:
    template = build_template(root)
    with TEMPLATE.open("wb") as out:
        write_po(out, template, omit_header=False, sort_output=True)
    for language in languages:
        po_file = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po_file.exists():
            with po_file.open("rb") as src:
                catalog = read_po(src, locale=language)
            catalog.update(template, update_creation_date=False)
        else:
            po_file.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, domain=DOMAIN, project="Lotse", charset="utf-8")
            catalog.update(template)
        with po_file.open("wb") as out:
            write_po(out, catalog, sort_output=True, ignore_obsolete=True)
        done = sum(1 for message in catalog if message.id and message.string)
        print(f"{po_file}: {done}/{len(template)} translated")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m translations.catalogs")
    parser.add_argument("command", choices=["update"], help="extract texts and merge catalogs")
    parser.parse_args()
    update_catalogs()


if __name__ == "__main__":
    main()
