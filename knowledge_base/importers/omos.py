"""Imports OMoS-QA pages (`pages/{language}.jsonl`: page_id, city, language, title, content)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from knowledge_base.importers import ImportReport
from knowledge_base.store import DocumentStore, PageData

ORIGIN = "omos"


def read_pages(path: Path) -> Iterator[PageData]:
    """The same page_id in several files is one page in several languages."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                page_id, language = record["page_id"], record["language"]
                content = record["content"]
            except (json.JSONDecodeError, KeyError) as error:
                raise ValueError(
                    f"{path}:{number}: not an OMoS-QA page record ({error})"
                ) from error
            yield PageData(
                origin=ORIGIN,
                external_id=str(page_id),
                language=language,
                title=record.get("title") or content.split("\n", 1)[0],
                content=content,
                translation_group=f"{ORIGIN}:{page_id}",
            )


def import_omos(store: DocumentStore, path: Path, *, progress: bool = True) -> ImportReport:
    pages = list(read_pages(path))
    changed = sum(
        store.upsert_page(page)
        for page in tqdm(pages, desc=path.name, unit="page", disable=not progress)
    )
    return ImportReport(changed=changed, unchanged=len(pages) - changed)
