"""Text that must come out of machine translation exactly as it went in.

A URL, an e-mail address, a phone number or a street address that a model "translates" is
worse than useless, and office names must stay recognisable (see `translations.glossary`).
Before translation each such span is replaced by a numbered placeholder, `[1]`, `[2]`, ...;
afterwards the placeholders are put back.

Square brackets with a number are common in the texts translation models learn from, so they
tend to be copied. Models still mangle them now and then: spaces inside (`[ 1 ]`), other
digits (`[١]`, `[۱]`), full-width brackets (`［1］`). `restore` accepts all of those.

When the model loses a placeholder altogether, the span is not dropped: it is appended, one
per line, after the translation, and `Restored.lost` names it, so a caller may also offer the
original. A translation that silently lost the phone number of an office would be worse than
one with the number on the line below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from translations.glossary import Glossary, Term

URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]{}]+"
    r"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:de|com|org|net|eu|info)(?:/[^\s<>\"'()\[\]{}]*)?(?![\w@-])",
    re.IGNORECASE,
)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[ ./-]?(?:\(0\)[ ./-]?)?\d(?:[ ./-]?\d){5,}"  # +49 2043 99-0
    r"|\(0\d{2,5}\)[ /-]?\d(?:[ -]?\d){3,}"  # (02043) 99 2345
    r"|0\d{2,5}[ /-]?\d(?:[ -]?\d){3,}"  # 02043 992345, 0800-1234567
    r")(?!\d)"
)
# A street name ends in one of these ("Friedrich-Ebert-Straße 8", "Hochstr. 5a"); a name after
# a preposition ("Am Markt 3") counts only with a postcode, or "Am Montag 10 Uhr" would match.
_STREET = r"[A-ZÄÖÜ][\w-]*(?i:straße|strasse|str\.|weg|platz|allee|ring|gasse|damm|ufer|pfad|markt)"
_PLACE = r"(?:Am|An der|An den|Auf dem|Auf der|Im|In der|Zum|Zur|Unter den)\s[A-ZÄÖÜ][\w-]+"
_HOUSE_NUMBER = r"\d{1,3}\s?[a-zA-Z]?(?:\s?[-–/]\s?\d{1,3}[a-zA-Z]?)?(?!\w)"
_POSTCODE_CITY = r",?\s\d{5}\s[A-ZÄÖÜ][\w-]+(?:\s(?:an der|am|im)\s[A-ZÄÖÜ][\w-]+)?"
ADDRESS = re.compile(
    rf"(?<![\w-])(?:{_STREET}\s{_HOUSE_NUMBER}(?:{_POSTCODE_CITY})?"
    rf"|{_PLACE}\s{_HOUSE_NUMBER}{_POSTCODE_CITY})"
)
# A bracketed number already in the source would be taken for a placeholder: keep it as is.
MARKER = re.compile(r"\[\s*\d+\s*\]")
PLACEHOLDER = re.compile(r"[\[［【〔⟦]\s*(\d{1,3})\s*[\]］】〕⟧]")

_PATTERNS = (("url", URL), ("email", EMAIL), ("marker", MARKER), ("phone", PHONE))
_TRAILING = ".,;:!?"


@dataclass(frozen=True)
class Span:
    """One protected piece of the source: what it is and how it was written."""

    kind: str
    text: str
    term: Term | None = None


@dataclass(frozen=True)
class Restored:
    text: str
    lost: tuple[Span, ...]


@dataclass(frozen=True)
class Protected:
    """The source with placeholders (`text`) and the spans they stand for, in order."""

    text: str
    spans: tuple[Span, ...]

    @property
    def needs_translation(self) -> bool:
        """False when nothing but placeholders, digits and punctuation is left to translate."""
        return bool(re.search(r"[^\W\d_]", PLACEHOLDER.sub("", self.text)))

    def restore(self, translated: str, language: str) -> Restored:
        """Put the spans back into a translation into `language`; append any the model lost."""
        found: set[int] = set()
        explained: set[str] = set()

        def shown(span: Span) -> str:
            # A term's meaning is given once, where the term first appears.
            if span.term is None or span.term.name in explained:
                return span.text
            explained.add(span.term.name)
            return span.term.shown_as(span.text, language)

        def put_back(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            if not 0 <= index < len(self.spans):
                return match.group(0)
            found.add(index)
            return shown(self.spans[index])

        text = PLACEHOLDER.sub(put_back, translated) if self.spans else translated
        lost = tuple(span for i, span in enumerate(self.spans) if i not in found)
        if lost:
            text = "\n".join([text.rstrip(), *(shown(span) for span in lost)])
        return Restored(text, lost)


def protect(text: str, glossary: Glossary | None = None) -> Protected:
    """Replace URLs, e-mail addresses, phone numbers, addresses and glossary terms."""
    candidates: list[tuple[int, int, int, Span]] = []
    for priority, (kind, pattern) in enumerate(_PATTERNS):
        for match in pattern.finditer(text):
            start, end = match.start(), _trim(text, match.start(), match.end(), kind)
            candidates.append((start, end, priority, Span(kind, text[start:end])))
    for match in ADDRESS.finditer(text):
        candidates.append(
            (match.start(), match.end(), len(_PATTERNS), Span("address", match.group(0)))
        )
    if glossary is not None:
        for found in glossary.find(text):
            span = Span("term", text[found.start : found.end], found.term)
            candidates.append((found.start, found.end, len(_PATTERNS) + 1, span))

    chosen: list[tuple[int, int, Span]] = []
    # Earliest first; at the same start the longest, then the more specific kind.
    for start, end, _priority, span in sorted(candidates, key=lambda c: (c[0], c[0] - c[1], c[2])):
        if chosen and start < chosen[-1][1]:
            continue
        chosen.append((start, end, span))

    pieces: list[str] = []
    position = 0
    for number, (start, end, _span) in enumerate(chosen, start=1):
        pieces.append(text[position:start])
        pieces.append(f"[{number}]")
        position = end
    pieces.append(text[position:])
    return Protected("".join(pieces), tuple(span for _s, _e, span in chosen))


def _trim(text: str, start: int, end: int, kind: str) -> int:
    """A sentence's full stop after a URL or a number is not part of it."""
    if kind in ("url", "email"):
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
    return end
