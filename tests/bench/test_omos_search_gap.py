"""How far the page the benchmark reads stood behind the best page of its search."""

from __future__ import annotations

from bench.omos import search_gap
from bench.omos_kb import OmosKnowledge
from knowledge_base.index import IndexedText
from knowledge_base.models import Page
from knowledge_base.retriever import PageHit


def omos_with_pages(count: int) -> OmosKnowledge:
    pages = {
        (str(100 + number), "de"): Page(
            id=number,
            origin="omos",
            external_id=str(100 + number),
            translation_group=f"omos:{100 + number}",
            language="de",
            title=f"Seite {number}",
            content=f"Seite {number}",
            content_hash="-",
        )
        for number in range(1, count + 1)
    }
    return OmosKnowledge(knowledge=None, build_seconds=0.0, pages=pages)  # type: ignore[arg-type]


def hit(page_id: int, score: float) -> PageHit:
    evidence = IndexedText(key=f"p{page_id}", text="", language="de", kind="passage")
    return PageHit(f"omos:{100 + page_id}", page_id, score, evidence)


def test_the_gap_is_the_score_below_the_best_page() -> None:
    omos = omos_with_pages(4)
    hits = [hit(2, 0.90), hit(1, 0.85), hit(3, 0.80)]
    assert search_gap(omos, hits, 102) == 0.0
    assert round(search_gap(omos, hits, 101), 6) == -0.05


def test_a_page_the_search_did_not_list_counts_as_the_last_one() -> None:
    omos = omos_with_pages(4)
    hits = [hit(2, 0.90), hit(1, 0.85), hit(3, 0.80)]
    assert round(search_gap(omos, hits, 104), 6) == -0.10
    assert search_gap(omos, [], 104) == 0.0
