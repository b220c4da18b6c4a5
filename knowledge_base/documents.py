"""What gets a vector: entry questions and answers, page passages and page lines."""

from __future__ import annotations

import hashlib
import unicodedata

from knowledge_base.index import IndexedText
from knowledge_base.models import Entry, Page

QUESTION, ANSWER, PASSAGE, LINE = "question", "answer", "passage", "line"


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def without_diacritics(text: str) -> str:
    """Latin letters without their marks, the way many type on a phone ("kira yardimi" for
    "kira yardımı", "locuinta" for "locuință"); other scripts stay as they are."""
    kept: list[str] = []
    for char in unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS)):
        if unicodedata.combining(char) and kept and _is_latin(kept[-1]):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _is_latin(char: str) -> bool:
    return unicodedata.name(char, "").startswith("LATIN")


# Latin letters that do not decompose into a plain letter and a mark.
_PLAIN_LETTERS = str.maketrans({"ı": "i", "İ": "I", "ł": "l", "Ł": "L", "ß": "ss", "ø": "o"})


def entry_texts(entry: Entry) -> list[IndexedText]:
    """A question variant with diacritics is also indexed without them: to the model a word
    typed without its marks is often a different word."""
    spellings = {
        (q.language, spelling): None
        for q in entry.questions
        for spelling in (q.text, without_diacritics(q.text))
    }
    texts = [
        IndexedText(
            key=f"q:{entry.id}:{language}:{_digest(text)}",
            kind=QUESTION,
            language=language,
            text=text,
            entry_id=entry.id,
        )
        for language, text in spellings
    ]
    texts += [
        IndexedText(
            key=f"a:{entry.id}:{a.language}:{_digest(a.text)}",
            kind=ANSWER,
            language=a.language,
            text=a.text,
            entry_id=entry.id,
        )
        for a in entry.answers
    ]
    return texts


def page_passages(page: Page, lines_per_passage: int = 5) -> list[IndexedText]:
    """Chunks of a few lines with the page title in front: a page's topic is often only in its
    title, and one long page would otherwise be one blurred vector."""
    lines = page.lines
    passages = []
    for start in range(0, len(lines), lines_per_passage):
        end = min(start + lines_per_passage, len(lines))
        body = "\n".join(line for line in lines[start:end] if line.strip())
        if not body:
            continue
        text = body if start == 0 else f"{page.title}\n{body}"
        passages.append(
            IndexedText(
                key=f"p:{page.id}:{start}:{_digest(text)}",
                kind=PASSAGE,
                language=page.language,
                text=text,
                page_id=page.id,
                group=page.translation_group,
                start=start,
                end=end,
            )
        )
    return passages


def page_lines(page: Page) -> list[IndexedText]:
    """Every non-empty line on its own: the reader picks answer sentences among them."""
    return [
        IndexedText(
            key=f"l:{page.id}:{i}:{_digest(line)}",
            kind=LINE,
            language=page.language,
            text=line,
            page_id=page.id,
            group=page.translation_group,
            start=i,
            end=i + 1,
        )
        for i, line in enumerate(page.lines)
        if line.strip()
    ]
