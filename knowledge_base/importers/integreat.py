"""Imports pages from Integreat API exports (`/api/v3/{region}/{language}/pages` JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from knowledge_base.importers import ImportReport
from knowledge_base.importers.html_text import html_to_lines
from knowledge_base.store import DocumentStore, PageData

ORIGIN = "integreat"


def _language_from_path(path: str) -> str:
    """Integreat paths look like /{region}/{language}/{slug}/."""
    parts = [part for part in path.split("/") if part]
    if len(parts) < 2:
        raise ValueError(f"cannot tell region and language from page path {path!r}")
    return parts[1]


def read_pages(export: Path, *, base_language: str = "de") -> Iterator[PageData]:
    """Pages with a title line first (as in OMoS-QA); translations share the id of their
    `base_language` page as translation group, so one page in several languages is one page."""
    try:
        pages = json.loads(export.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{export}: not valid JSON: {error}") from error
    if not isinstance(pages, list):
        raise ValueError(f"{export}: expected a JSON list of pages")
    for page in pages:
        path = page.get("path") or ""
        region = next((part for part in path.split("/") if part), "")
        language = _language_from_path(path)
        lines = html_to_lines(page.get("content") or "")
        title = (page.get("title") or "").strip()
        if not lines or not title:
            continue
        base = (page.get("available_languages") or {}).get(base_language)
        group_id = page["id"] if language == base_language or not base else base["id"]
        yield PageData(
            origin=ORIGIN,
            external_id=str(page["id"]),
            language=language,
            title=title,
            content="\n".join([title, *lines]),
            url=page.get("url"),
            translation_group=f"{ORIGIN}:{region}:{group_id}",
        )


def import_integreat(store: DocumentStore, export: Path, *, progress: bool = True) -> ImportReport:
    pages = list(read_pages(export))
    changed = sum(
        store.upsert_page(page)
        for page in tqdm(pages, desc=export.name, unit="page", disable=not progress)
    )
    return ImportReport(changed=changed, unchanged=len(pages) - changed)
