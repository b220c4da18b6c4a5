"""Question in, ranked entries and pages out (with the evidence that ranked them)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from knowledge_base.documents import ANSWER
from knowledge_base.index import Hit, IndexedText, VectorIndex


@dataclass(frozen=True)
class EntryHit:
    entry_id: str
    score: float
    evidence: IndexedText


@dataclass(frozen=True)
class PageHit:
    """A page (all its translations) ranked by its best passage."""

    group: str
    page_id: int
    score: float
    evidence: IndexedText


class Retriever:
    # An answer text says more than the question, so it matches a differently
    # worded question less tightly than a question variant does.
    answer_weight = 0.95
    # Temperature of the soft maximum over a page's passages, chosen on OMoS-QA train (R@5
    # for every question language; bench/RESULTS.md).
    page_temperature = 0.0075

    def __init__(self, entries: VectorIndex, passages: VectorIndex) -> None:
        self._entries = entries
        self._passages = passages
        self._page_languages = {item.language for item in passages.items()}

    def entries(
        self, query: np.ndarray, k: int = 5, exclude: Collection[str] = ()
    ) -> list[EntryHit]:
        """Entries ranked by their best-matching question variant or answer."""
        best: dict[str, EntryHit] = {}
        for hit in self._entries.search(query[None, :], k=max(50, 10 * k))[0]:
            if hit.item.key in exclude:
                continue
            score = hit.score * (self.answer_weight if hit.item.kind == ANSWER else 1.0)
            entry_id = hit.item.entry_id
            assert entry_id is not None
            if entry_id not in best or score > best[entry_id].score:
                best[entry_id] = EntryHit(entry_id, score, hit.item)
        return sorted(best.values(), key=lambda h: h.score, reverse=True)[:k]

    @property
    def page_languages(self) -> frozenset[str]:
        return frozenset(self._page_languages)

    def has_pages_in(self, language: str) -> bool:
        return language in self._page_languages

    def pages(
        self,
        query: np.ndarray,
        k: int = 10,
        languages: Collection[str] | None = None,
        *,
        language: str | None = None,
    ) -> list[PageHit]:
        """Pages ranked by their passages (see _page_hit), in `languages` only when given."""
        if languages is None and language is not None and self.has_pages_in(language):
            languages = {language}
        hits: list[Hit] = self._passages.search(query[None, :], k=max(200, 20 * k))[0]
        found: dict[str, list[Hit]] = {}
        for hit in hits:
            if languages is not None and hit.item.language not in languages:
                continue
            found.setdefault(hit.item.group or str(hit.item.page_id), []).append(hit)
        ranked = [self._page_hit(group, page_hits) for group, page_hits in found.items()]
        return sorted(ranked, key=lambda h: h.score, reverse=True)[:k]

    def _page_hit(self, group: str, hits: list[Hit]) -> PageHit:
        """`hits` best first. A soft maximum of the passage scores: the best passage, plus a
        little for each other passage nearly as good."""
        best = hits[0]
        scores = np.array([hit.score for hit in hits], dtype=np.float64)
        temperature = self.page_temperature
        score = best.score + temperature * np.log(np.exp((scores - best.score) / temperature).sum())
        assert best.item.page_id is not None
        return PageHit(group, best.item.page_id, float(score), best.item)
