"""Opens a knowledge base ready to answer: schema migrated, content imported, index in step."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from bot.storage.database import migrate, sync_engine
from knowledge_base.calibration import load_labelled, load_page_calibration
from knowledge_base.coverage import PROJECTION_FILE, TokenProjection
from knowledge_base.embedder import Embedder
from knowledge_base.importers.yaml_content import import_yaml
from knowledge_base.indexer import sync_index
from knowledge_base.query_adapter import ADAPTER_FILE, load_adapter
from knowledge_base.query_encoder import ENCODER_FILE, load_encoder
from knowledge_base.reader import ReaderParams
from knowledge_base.service import KnowledgeBase, TextTranslator
from knowledge_base.store import DocumentStore

log = logging.getLogger(__name__)

CALIBRATION_DIR = Path(__file__).parent / "calibration"


def open_knowledge_base(
    database_url: str,
    embedder: Embedder,
    index_dir: Path,
    *,
    content_dir: Path | None = None,
    fallback_languages: Sequence[str] = ("de", "en"),
    translator: TextTranslator | None = None,
    calibration_dir: Path = CALIBRATION_DIR,
    progress: bool = False,
    engine: Engine | None = None,
) -> KnowledgeBase:
    """Everything here is idempotent and cheap when nothing changed. `calibration_dir` holds
    the labelled questions (`faq/`), the page reader parameters (`pages.json`), the page
    search's query adapter (`query_adapter.npz`), its cross-lingual query encoder
    (`query_encoder.npz`) and the projection of the reader's token vectors
    (`token_projection.npz`)."""
    migrate(database_url)
    store = DocumentStore(engine or sync_engine(database_url))
    if content_dir is not None:
        report = import_yaml(store, content_dir, progress=progress)
        log.info("content from %s: %s", content_dir, report)
    page_calibration = load_page_calibration(calibration_dir / "pages.json")
    index, rebuilt = sync_index(
        store,
        embedder,
        index_dir,
        labelled=load_labelled(calibration_dir / "faq"),
        page_calibration={k: v for k, v in page_calibration.items() if k.startswith("page_")},
        projection=TokenProjection.load(calibration_dir / PROJECTION_FILE, embedder.model_name),
        progress=progress,
    )
    log.info("index %s (%s)", "rebuilt" if rebuilt else "up to date", index.manifest.counts)
    return KnowledgeBase(
        store,
        embedder,
        index,
        fallback_languages=fallback_languages,
        reader_params=ReaderParams.from_dict(page_calibration),
        translator=translator,
        # The manifest knows the dimension: asking the embedder would load the model, which
        # `knowledge_base sync` on unchanged content does not need.
        query_adapter=load_adapter(
            calibration_dir / ADAPTER_FILE, embedder.model_name, index.manifest.dimension
        ),
        cross_lingual=load_encoder(calibration_dir / ENCODER_FILE, embedder),
    )
