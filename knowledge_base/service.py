"""The answer pipeline: retrieve -> decide -> extract -> render in the newcomer's language."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from knowledge_base.answer import Answer, Notice, Source
from knowledge_base.answerability import RANKED_HITS, Answerability
from knowledge_base.embedder import Embedder, TokenVectors
from knowledge_base.indexer import KnowledgeIndex
from knowledge_base.models import Entry, Page, TextStatus
from knowledge_base.query_adapter import QueryAdapter
from knowledge_base.query_encoder import CrossLingualEncoder, SharedPass
from knowledge_base.reader import Reader, ReaderParams, Reading
from knowledge_base.retriever import EntryHit, PageHit, Retriever
from knowledge_base.store import DocumentStore


class TextTranslator(Protocol):
    """Machine translation, where a deployment has it; None means "cannot translate this pair"."""

    def translate(self, text: str, source: str, target: str) -> str | None: ...


@dataclass(frozen=True)
class Thresholds:
    entry: Answerability
    page: Answerability


@dataclass(frozen=True)
class QuestionPass:
    """A question after one pass through the model: its plain vector, its token vectors for
    the reader and, where the cross-lingual encoder ranks the pages, the pass that yields
    that encoder's vector when the pages are searched (the two share their lower layers)."""

    plain: np.ndarray
    tokens: TokenVectors
    shared: SharedPass | None = None

    def crossed(self) -> np.ndarray | None:
        return None if self.shared is None else self.shared.crossed()[0]


@dataclass(frozen=True)
class SearchResult:
    entries: list[EntryHit]
    pages: list[PageHit]


class KnowledgeBase:
    def __init__(
        self,
        store: DocumentStore,
        embedder: Embedder,
        index: KnowledgeIndex,
        *,
        fallback_languages: Sequence[str] = ("de", "en"),
        reader_params: ReaderParams | None = None,
        translator: TextTranslator | None = None,
        query_adapter: QueryAdapter | None = None,
        cross_lingual: CrossLingualEncoder | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.index = index
        self.thresholds = thresholds_from(index.manifest.calibration)
        self.fallback_languages = tuple(fallback_languages)
        self.translator = translator
        self.retriever = Retriever(index.entries, index.passages)
        self.reader = Reader(index.lines, reader_params, index.line_tokens)
        self.query_adapter = query_adapter
        self.cross_lingual = cross_lingual

    def warm_up(self) -> None:
        """Loads the models now rather than for the first newcomer's question."""
        self.embedder.warm_up()
        self.index.line_tokens.warm_up()
        if self.cross_lingual is not None and self.retriever.page_languages:
            self.cross_lingual.warm_up()

    def embed_question(self, question: str) -> np.ndarray:
        return self.embedder.embed_queries([question])[0]

    def search(self, question: str, *, k: int = 5) -> SearchResult:
        query = self.embed_question(question)
        return SearchResult(self.retriever.entries(query, k), self.retriever.pages(query, k))

    def ask(self, question: str, language: str) -> Answer:
        asked = self.question_pass(question, language)
        query = asked.plain
        entry_hits = self.retriever.entries(query, k=RANKED_HITS)
        if self.thresholds.entry.answerable([hit.score for hit in entry_hits]):
            return self._entry_answer(entry_hits[0], language)
        search = self.page_queries(query[None, :], language)[0]
        page_hits = self.page_hits(search, language, k=RANKED_HITS)
        if self.thresholds.page.answerable([hit.score for hit in page_hits]):
            chosen = page_hits[0]
            crossed = asked.crossed()
            if crossed is not None:
                chosen = self.page_hits(crossed, language, k=1)[0]
            answer = self._page_answer(asked, chosen, language)
            if answer is not None:
                return answer
        best = max([h.score for h in entry_hits] + [h.score for h in page_hits], default=0.0)
        return Answer(question_language=language, score=best)

    def question_pass(self, question: str, language: str) -> QuestionPass:
        """One pass of a question in `language` through the model (see QuestionPass)."""
        if not self.crosses_languages(language):
            vectors, tokens = self.embedder.embed_with_tokens([question], "query")
            return QuestionPass(vectors[0], tokens[0])
        assert self.cross_lingual is not None
        shared = self.cross_lingual.shared_pass([question])
        return QuestionPass(shared.plain[0], shared.tokens[0], shared)

    def page_queries(self, queries: np.ndarray, language: str) -> np.ndarray:
        """The plain search's vectors for questions in `language` (`queries`: their plain
        vectors, moved by the query adapter). The page search gate judges this search."""
        if self.query_adapter is None or not len(queries):
            return queries
        return np.stack([self.query_adapter.apply(query, language) for query in queries])

    def crosses_languages(self, language: str) -> bool:
        """Whether the cross-lingual encoder ranks the pages for `language`: there are pages,
        but none in `language`."""
        return bool(
            self.cross_lingual is not None
            and language in self.cross_lingual.languages
            and self.retriever.page_languages
            and not self.retriever.has_pages_in(language)
        )

    def rank_pages(
        self, query: np.ndarray, crossed: np.ndarray | None, language: str, *, k: int = 10
    ) -> list[PageHit]:
        """Pages for a question in `language` (`query`, `crossed`: its `QuestionPass`),
        best first. The cross-lingual encoder ranks them where it applies: better than the
        plain search, but its scores say less about whether the best page is right
        (bench/RESULTS.md), so the gate keeps judging the plain search."""
        if crossed is not None:
            return self.page_hits(crossed, language, k=k)
        search = self.page_queries(query[None, :], language)[0]
        return self.page_hits(search, language, k=k)

    def page_hits(self, search: np.ndarray, language: str, *, k: int = 10) -> list[PageHit]:
        """Pages for a search vector of a question in `language`, searched in that language
        where pages have it."""
        return self.retriever.pages(search, k, language=language)

    def read_page(
        self,
        query: np.ndarray,
        page_id: int,
        language: str,
        tokens: TokenVectors | None = None,
        search_gap: float = 0.0,
    ) -> Reading:
        """The lines of one page that answer a question in `language` (`query`: its plain
        vector, which the reader was fitted on; `tokens`: its token vectors; `search_gap`: the
        page's search score minus the best page's, 0 for the best page); none when it does
        not."""
        return self.reader.read(query, page_id, language, tokens, search_gap)

    def _entry_answer(self, hit: EntryHit, language: str) -> Answer:
        entry = self.store.entry(hit.entry_id)
        text, text_language, status, notice = self._localize_entry(entry, language)
        return Answer(
            question_language=language,
            score=hit.score,
            text=text,
            language=text_language,
            status=status,
            notice=notice,
            entry_id=entry.id,
            source=Source(entry.source_title, entry.source_url, entry.source_contact),
        )

    def _localize_entry(
        self, entry: Entry, language: str
    ) -> tuple[str, str, TextStatus, Notice | None]:
        own = entry.answer_in(language)
        if own is not None:
            notice = Notice.MACHINE_TRANSLATED if own.status == TextStatus.MACHINE else None
            return own.text, language, own.status, notice
        originals = [a for code in self.fallback_languages if (a := entry.answer_in(code))]
        if not originals:
            originals = list(entry.answers)
        if self.translator is not None:
            for original in originals:
                translated = self.translator.translate(original.text, original.language, language)
                if translated:
                    return translated, language, TextStatus.MACHINE, Notice.MACHINE_TRANSLATED
        original = originals[0]
        return original.text, original.language, original.status, Notice.NOT_IN_YOUR_LANGUAGE

    def original(self, entry_id: str, language: str) -> tuple[str, str] | None:
        """The text a person wrote or checked that a machine answer in `language` came from:
        (language, text) in the first fallback language that has one, else any such text."""
        try:
            entry = self.store.entry(entry_id)
        except LookupError:
            return None
        written = [
            answer
            for answer in entry.answers
            if answer.language != language and answer.status != TextStatus.MACHINE
        ]
        rank = {code: i for i, code in enumerate(self.fallback_languages)}
        written.sort(key=lambda answer: rank.get(answer.language, len(rank)))
        return (written[0].language, written[0].text) if written else None

    def _page_answer(self, asked: QuestionPass, hit: PageHit, language: str) -> Answer | None:
        reading = self.read_page(asked.plain, hit.page_id, language, asked.tokens)
        if not reading.lines:
            return None
        pages = {page.language: page for page in self.store.pages_in_group(hit.group)}
        read_page = self.store.page(hit.page_id)
        shown = pages.get(language) or next(
            (pages[code] for code in self.fallback_languages if code in pages), read_page
        )
        lines = _same_lines(read_page, shown, reading.lines)
        if lines is None:
            shown, lines = read_page, reading.lines
        text = "\n".join(shown.lines[i] for i in lines)
        notice = None if shown.language == language else Notice.NOT_IN_YOUR_LANGUAGE
        return Answer(
            question_language=language,
            score=hit.score,
            text=text,
            language=shown.language,
            status=TextStatus.CURATED,
            notice=notice,
            page_id=shown.id,
            lines=lines,
            source=Source(title=shown.title, url=shown.url),
        )


def _same_lines(read: Page, shown: Page, lines: tuple[int, ...]) -> tuple[int, ...] | None:
    """Line numbers carry over to a translation only when it has the same line structure."""
    if read.id == shown.id:
        return lines
    return lines if len(read.lines) == len(shown.lines) else None


def thresholds_from(calibration: Mapping[str, float]) -> Thresholds:
    """Without a fitted threshold Lotse answers nothing from that source rather than guess."""
    return Thresholds(
        entry=Answerability(
            calibration.get("entry_threshold", math.inf), calibration.get("entry_lift_weight", 0.0)
        ),
        page=Answerability(
            calibration.get("page_threshold", math.inf), calibration.get("page_lift_weight", 0.0)
        ),
    )
