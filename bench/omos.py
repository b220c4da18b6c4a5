"""The OMoS-QA benchmark: page retrieval, answer sentences and "no answer here", as Lotse does them.

`python -m bench.omos --pages FILE [--pages FILE ...] --questions FILE --predictions OUT`

Builds (or reuses, see bench/omos_kb.py) a knowledge base of the pages files with Lotse's own
code, then for every question writes one JSON line to OUT:
`{"id", "ranked_page_ids", "answer_sentences", "answerable"}`. Pages are searched in the
question's language where the knowledge base has it; the answer is read from the gold page in
that same language, as Lotse would answer had it retrieved that page, knowing how far behind
the best page its search put it. The gold answers are read only to score. Prints a table per
question language and, last, the summary line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

from bench.omos_kb import OmosKnowledge, open_omos
from bench.omos_metrics import (
    RANKED_PAGES,
    Gold,
    Prediction,
    score,
    summary_line,
    table_header,
    table_row,
)
from knowledge_base.embedder import Embedder
from knowledge_base.models import Page
from knowledge_base.retriever import PageHit
from knowledge_base.service import QuestionPass

DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "var" / "models" / "multilingual-e5-small"


def read_questions(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            missing = {"id", "question", "pageId", "language"} - record.keys()
            if missing:
                raise ValueError(f"{path}:{number}: not an OMoS-QA question, lacks {missing}")
            yield record


def page_to_read(omos: OmosKnowledge, page_id: int, search_language: str, asked: str) -> Page:
    """The gold page in the language Lotse searched; line numbers must match the gold ones,
    which refer to the page in the question's language (the files are parallel)."""
    reference = omos.page(page_id, asked)
    candidates = [search_language, asked, "de", *sorted(omos.languages)]
    for language in candidates:
        page = omos.page(page_id, language)
        if page is not None and (reference is None or len(page.lines) == len(reference.lines)):
            return page
    raise ValueError(f"page {page_id} is not in the knowledge base: wrong pages files?")


def search_gap(omos: OmosKnowledge, hits: Sequence[PageHit], page_id: int) -> float:
    """The page's (an OMoS id) search score minus the best page's, as the reader takes it; a
    page behind the last of `hits` counts as that one."""
    if not hits:
        return 0.0
    scores = [hit.score for hit in hits if omos.omos_id(hit.page_id) == page_id]
    return (scores[0] if scores else hits[-1].score) - hits[0].score


def search_pages(omos: OmosKnowledge, record: dict) -> tuple[QuestionPass, list[PageHit]]:
    """The question's pass through the model and the pages Lotse ranks for it."""
    knowledge = omos.knowledge
    language = record["language"]
    asked = knowledge.question_pass(record["question"], language)
    return asked, knowledge.rank_pages(asked.plain, asked.crossed(), language, k=RANKED_PAGES)


def predict(omos: OmosKnowledge, record: dict) -> Prediction:
    knowledge = omos.knowledge
    language = record["language"]
    asked, hits = search_pages(omos, record)
    search_language = hits[0].evidence.language if hits else language
    page = page_to_read(omos, record["pageId"], search_language, language)
    gap = search_gap(omos, hits, int(record["pageId"]))
    reading = knowledge.read_page(asked.plain, page.id, language, asked.tokens, gap)
    return Prediction(
        id=int(record["id"]),
        ranked_page_ids=tuple(omos.omos_id(hit.page_id) for hit in hits),
        answer_sentences=reading.lines,
        answerable=bool(reading.lines),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.omos", description=__doc__)
    parser.add_argument("--pages", type=Path, action="append", required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--predictions", type=Path, required=True)
    parser.add_argument(
        "--model", default=os.environ.get("LOTSE_EMBEDDING_MODEL", str(DEFAULT_MODEL))
    )
    args = parser.parse_args(argv)

    omos = open_omos(args.pages, Embedder(args.model))
    omos.knowledge.warm_up()  # a reused index does not load the models: not per question
    print(f"knowledge base ready in {omos.build_seconds:.1f} s ({len(omos.pages)} pages)")
    questions = list(read_questions(args.questions))
    pairs: dict[str, list[tuple[Gold, Prediction]]] = defaultdict(list)
    seconds = 0.0
    args.predictions.parent.mkdir(parents=True, exist_ok=True)
    with args.predictions.open("w", encoding="utf-8") as out:
        for record in questions:
            started = time.perf_counter()
            prediction = predict(omos, record)
            seconds += time.perf_counter() - started
            out.write(json.dumps(_as_json(prediction)) + "\n")
            gold = Gold(
                int(record["id"]),
                int(record["pageId"]),
                tuple(record.get("answers") or ()),
                record["language"],
            )
            pairs[gold.language].append((gold, prediction))

    print(table_header())
    for language in sorted(pairs):
        print(table_row(language, score(pairs[language])))
    everything = [pair for language in sorted(pairs) for pair in pairs[language]]
    overall = score(everything)
    if len(pairs) > 1:
        print(table_row("all", overall))
    print(f"{seconds / len(questions):.4f} s per question (embed, retrieve, read)")
    print(summary_line(overall))
    return 0


def _as_json(prediction: Prediction) -> dict:
    data = asdict(prediction)
    return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}


if __name__ == "__main__":
    sys.exit(main())
