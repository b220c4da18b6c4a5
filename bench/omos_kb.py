"""A knowledge base of OMoS-QA pages built with Lotse's own code, cached under var/cache/omos/.

The cache folder is named after a hash of the pages files, the embedding model and
`CACHE_VERSION`; inside it, `sync_index` embeds only what the current code's passages and
lines lack, so a change of chunking re-embeds passages, not everything.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.stack import ROOT
from bot.storage.database import migrate, sync_engine
from knowledge_base.embedder import Embedder
from knowledge_base.importers.omos import ORIGIN, import_omos
from knowledge_base.loader import open_knowledge_base
from knowledge_base.models import Page
from knowledge_base.service import KnowledgeBase
from knowledge_base.store import DocumentStore

CACHE_ROOT = ROOT / "var" / "cache" / "omos"
CACHE_VERSION = "1"


@dataclass
class OmosKnowledge:
    knowledge: KnowledgeBase
    build_seconds: float
    pages: dict[tuple[str, str], Page]  # (OMoS page id, language) -> page

    @property
    def languages(self) -> set[str]:
        return {language for _, language in self.pages}

    def page(self, omos_id: int | str, language: str) -> Page | None:
        return self.pages.get((str(omos_id), language))

    def omos_id(self, page_id: int) -> int:
        return int(self._by_id[page_id].external_id)

    def __post_init__(self) -> None:
        self._by_id = {page.id: page for page in self.pages.values()}


def cache_key(pages_files: Sequence[Path], embedder: Embedder) -> str:
    digest = hashlib.sha256(f"{CACHE_VERSION}\n{embedder.fingerprint()}\n".encode())
    for file in sorted(pages_files, key=lambda path: path.name):
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


def open_omos(
    pages_files: Sequence[Path], embedder: Embedder, *, progress: bool = True
) -> OmosKnowledge:
    folder = CACHE_ROOT / cache_key(pages_files, embedder)
    url = f"sqlite:///{folder / 'kb.db'}"
    started = time.perf_counter()
    migrate(url)
    engine = sync_engine(url)
    store = DocumentStore(engine)
    for file in pages_files:
        import_omos(store, file, progress=False)
    knowledge = open_knowledge_base(
        url, embedder, folder / "index", engine=engine, progress=progress
    )
    pages = {(page.external_id, page.language): page for page in store.pages()}
    unexpected = {page.origin for page in pages.values()} - {ORIGIN}
    if unexpected:
        raise ValueError(f"{folder} holds pages from {unexpected}: delete it and run again")
    return OmosKnowledge(knowledge, time.perf_counter() - started, pages)
