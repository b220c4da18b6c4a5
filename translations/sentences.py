"""Sentence splitting for machine translation that needs no download.

argostranslate translates sentence by sentence. Its default splitters fetch models at run time
(MiniSBD, Stanza's resources.json); a rule-based spaCy sentencizer needs nothing but spaCy. A
package that ships its own `spacy/` pipeline gets that pipeline; otherwise spaCy's blank
pipeline for the source language (its tokenizer knows abbreviations such as "z.B." or "Dr.")
or, for a language spaCy lacks, the multilingual one.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

_SENTENCE_SETTERS = ("sentencizer", "senter", "parser")
_LOCK = threading.Lock()


class OfflineSentencizer:
    """Splits text into sentences with spaCy; the interface argostranslate's sbd models have."""

    def __init__(self, language: str, packaged: Path | None = None) -> None:
        self.language = language
        self.packaged = packaged if packaged is not None and packaged.is_dir() else None
        self._nlp: Any = None

    def split_sentences(self, text: str) -> list[str]:
        if not text.strip():
            return []
        if self._nlp is None:
            self._nlp = _pipeline(self.language, self.packaged)
        with _LOCK:  # spaCy pipelines are not documented as thread-safe
            doc = self._nlp(text)
        return [sentence.text for sentence in doc.sents if sentence.text.strip()]

    def __str__(self) -> str:
        return f"OfflineSentencizer({self.language}, packaged={self.packaged is not None})"


@lru_cache(maxsize=32)
def _pipeline(language: str, packaged: Path | None) -> Any:
    import spacy

    if packaged is not None:
        nlp = spacy.load(packaged, exclude=["parser"])
    else:
        try:
            nlp = spacy.blank(language)
        except ImportError:  # spaCy has no class for this language (or lacks its extras)
            nlp = spacy.blank("xx")
    if not any(name in nlp.pipe_names for name in _SENTENCE_SETTERS):
        nlp.add_pipe("sentencizer")
    return nlp
