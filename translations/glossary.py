"""The staff's glossary: names of offices and programmes that stay German in every translation.

A newcomer has to find "Jobcenter" on a letter or a door sign, so a translation keeps the
German name and adds what it means, in brackets, in the newcomer's language where the
glossary says so: "Jobcenter (مركز العمل)". The list lives in `glossary.yml`, which staff edit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from translations.languages import SUPPORTED_LANGUAGES

GLOSSARY_FILE = Path(__file__).parent / "glossary.yml"
ALIASES_KEY = "also"
# German inflects these nouns ("des Jobcenters", "die Integrationskurse"); the inflected form
# is kept as written.
_INFLECTION = r"(?:e|en|n|s|es|er|ern)?"


class GlossaryError(ValueError):
    """The glossary file cannot be used as it is; the message says where and why."""


@dataclass(frozen=True)
class Term:
    """A name that stays as it is, with what it means in other languages."""

    name: str
    aliases: tuple[str, ...] = ()
    explanations: Mapping[str, str] = field(default_factory=dict)

    def explanation(self, language: str) -> str | None:
        return self.explanations.get(language)

    def shown_as(self, surface: str, language: str) -> str:
        """The name as written in the source, with its meaning in `language` if known."""
        meaning = self.explanation(language)
        return f"{surface} ({meaning})" if meaning and language != "de" else surface


@dataclass(frozen=True)
class TermMatch:
    start: int
    end: int
    term: Term


class Glossary:
    """Finds glossary terms in a text, longest name first, at word boundaries, case as written."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._by_name: dict[str, Term] = {}
        for term in self.terms:
            for name in (term.name, *term.aliases):
                self._by_name[name] = term
        names = "|".join(re.escape(n) for n in sorted(self._by_name, key=len, reverse=True))
        self._pattern = (
            re.compile(rf"(?<![\w-])({names}){_INFLECTION}(?!\w)") if self._by_name else None
        )

    def __len__(self) -> int:
        return len(self.terms)

    def find(self, text: str) -> list[TermMatch]:
        if self._pattern is None:
            return []
        return [
            TermMatch(match.start(), match.end(), self._by_name[match.group(1)])
            for match in self._pattern.finditer(text)
        ]


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """Read and check the glossary file; an empty or missing file is an empty glossary."""
    if not path.exists():
        return Glossary([])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise GlossaryError(f"{path}: not valid YAML ({error})") from error
    if data is None:
        return Glossary([])
    if not isinstance(data, dict):
        raise GlossaryError(f"{path}: expected 'Term: {{en: meaning, ...}}' entries at the top")
    return Glossary(_term(path, str(name), body) for name, body in data.items())


def _term(path: Path, name: str, body: object) -> Term:
    if body is None:
        return Term(name)
    if not isinstance(body, dict):
        raise GlossaryError(
            f"{path}: {name!r} needs language codes with meanings (e.g. 'en: job centre'), "
            f"not {body!r}"
        )
    aliases = body.get(ALIASES_KEY) or []
    if isinstance(aliases, str):
        aliases = [aliases]
    explanations: dict[str, str] = {}
    for key, value in body.items():
        if key == ALIASES_KEY:
            continue
        if key not in SUPPORTED_LANGUAGES:
            raise GlossaryError(
                f"{path}: {name!r} has {key!r}, which is neither a language Lotse speaks "
                f"({', '.join(SUPPORTED_LANGUAGES)}) nor {ALIASES_KEY!r} (other spellings)"
            )
        if not isinstance(value, str) or not value.strip():
            raise GlossaryError(f"{path}: {name!r}.{key} must be a short text")
        explanations[key] = value.strip()
    return Term(name, tuple(str(alias) for alias in aliases), explanations)
