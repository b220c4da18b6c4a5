"""Keeps the vector indexes in step with the document store, embedding only what changed."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge_base.calibration import LabelledQuestion, calibrate_entries
from knowledge_base.coverage import LineTokens, TokenProjection
from knowledge_base.documents import QUESTION, entry_texts, page_lines, page_passages
from knowledge_base.embedder import Embedder
from knowledge_base.index import LINE_TOKENS, IndexedText, IndexFolder, Manifest, VectorIndex
from knowledge_base.store import DocumentStore

log = logging.getLogger(__name__)

INDEX_NAMES = ("entries", "passages", "lines")


@dataclass
class KnowledgeIndex:
    manifest: Manifest
    entries: VectorIndex
    passages: VectorIndex
    lines: VectorIndex
    line_tokens: LineTokens

    def by_name(self) -> dict[str, VectorIndex]:
        return {"entries": self.entries, "passages": self.passages, "lines": self.lines}


def desired_texts(store: DocumentStore) -> dict[str, list[IndexedText]]:
    texts: dict[str, list[IndexedText]] = {name: [] for name in INDEX_NAMES}
    for entry in store.entries():
        texts["entries"] += entry_texts(entry)
    for page in store.pages():
        texts["passages"] += page_passages(page)
        texts["lines"] += page_lines(page)
    return texts


def content_hash(texts: dict[str, list[IndexedText]], extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode("utf-8"))
    for name in INDEX_NAMES:
        for key in sorted(text.key for text in texts[name]):
            digest.update(key.encode("utf-8") + b"\n")
    return digest.hexdigest()


def embed_texts(
    embedder: Embedder, texts: list[IndexedText], *, progress: bool = False
) -> np.ndarray:
    """Entry questions are embedded like the questions they are matched with (e5's symmetric
    "query:" side); answers, passages and lines as documents."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    questions = [i for i, text in enumerate(texts) if text.kind == QUESTION]
    documents = [i for i, text in enumerate(texts) if text.kind != QUESTION]
    if questions:
        vectors[questions] = embedder.embed_queries([texts[i].text for i in questions])
    if documents:
        vectors[documents] = embedder.embed_documents(
            [texts[i].text for i in documents], progress=progress
        )
    return vectors


def load_index(folder: Path, projection: TokenProjection | None = None) -> KnowledgeIndex | None:
    """The saved index; its lines' token vectors only where they were stored under
    `projection` (else none, and `sync_index` embeds the lines again)."""
    loaded = IndexFolder(folder).load(INDEX_NAMES)
    if loaded is None:
        return None
    manifest, indexes = loaded
    projection = projection or TokenProjection()
    tokens_file = folder / LINE_TOKENS
    if tokens_file.exists() and manifest.tokens == projection.fingerprint():
        line_tokens = LineTokens.load(tokens_file, projection)
    else:
        line_tokens = LineTokens(projection)
    return KnowledgeIndex(manifest=manifest, line_tokens=line_tokens, **indexes)


def add_lines(
    index: VectorIndex,
    tokens: LineTokens,
    lines: list[IndexedText],
    embedder: Embedder,
    *,
    progress: bool = False,
) -> None:
    """Page lines with their token vectors, from one pass of the model."""
    vectors, token_vectors = embedder.embed_with_tokens(
        [line.text for line in lines], "document", progress=progress
    )
    index.add(lines, vectors)
    tokens.add([line.key for line in lines], token_vectors)


def sync_index(
    store: DocumentStore,
    embedder: Embedder,
    folder: Path,
    *,
    labelled: Sequence[LabelledQuestion] = (),
    page_calibration: Mapping[str, float] | None = None,
    projection: TokenProjection | None = None,
    progress: bool = False,
) -> tuple[KnowledgeIndex, bool]:
    """Return an index matching the store, its answer thresholds fitted on `labelled`,
    its lines' token vectors under `projection`; the bool says whether anything had to be
    rebuilt."""
    texts = desired_texts(store)
    page_calibration = dict(page_calibration or {})
    projection = projection or TokenProjection()
    digest = content_hash(texts, json.dumps([labelled, page_calibration], default=repr))
    model = embedder.fingerprint()
    current = load_index(folder, projection)
    if (
        current
        and current.manifest.model == model
        and current.manifest.content_hash == digest
        and current.manifest.tokens == projection.fingerprint()
    ):
        return current, False

    if current is None or current.manifest.model != model:
        log.info("building the index from scratch with %s", model)
        indexes = {name: VectorIndex(embedder.dimension) for name in INDEX_NAMES}
        line_tokens = LineTokens(projection)
    else:
        indexes = current.by_name()
        line_tokens = current.line_tokens
    for name in INDEX_NAMES:
        index = indexes[name]
        wanted = {text.key: text for text in texts[name]}
        index.remove(index.keys() - wanted.keys())
        present = index.keys()
        missing = [text for key, text in wanted.items() if key not in present]
        if name == "lines":
            line_tokens.remove(line_tokens.keys() - wanted.keys())
            missing += [text for key, text in wanted.items() if key in present - line_tokens.keys()]
        if not missing:
            continue
        log.info("embedding %d new %s", len(missing), name)
        if name == "lines":
            add_lines(index, line_tokens, missing, embedder, progress=progress)
        else:
            index.add(missing, embed_texts(embedder, missing, progress=progress))
    manifest = Manifest(
        model=model,
        dimension=embedder.dimension,
        content_hash=digest,
        counts={name: len(index) for name, index in indexes.items()},
        tokens=projection.fingerprint(),
        calibration={
            **calibrate_entries(indexes["entries"], embedder, list(labelled)),
            **page_calibration,
        },
    )
    IndexFolder(folder).save(manifest, indexes, line_tokens)
    return KnowledgeIndex(manifest=manifest, line_tokens=line_tokens, **indexes), True
