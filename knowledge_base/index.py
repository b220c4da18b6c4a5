"""Vector indexes on FAISS, persisted as a folder with a manifest that says what built them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

if TYPE_CHECKING:
    from knowledge_base.coverage import LineTokens

MANIFEST = "manifest.json"
LINE_TOKENS = "lines.tokens.npz"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexedText:
    """What one vector stands for; `key` changes whenever the text does."""

    key: str
    kind: str
    language: str
    text: str
    entry_id: str | None = None
    page_id: int | None = None
    group: str | None = None
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Hit:
    score: float
    item: IndexedText


class VectorIndex:
    """Exact inner-product search over unit vectors, with add and remove by key."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self._faiss = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension))
        self._items: dict[int, IndexedText] = {}
        self._ids: dict[str, int] = {}
        self._next_id = 0

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> set[str]:
        return set(self._ids)

    def items(self) -> Iterable[IndexedText]:
        return self._items.values()

    def add(self, items: Sequence[IndexedText], vectors: np.ndarray) -> None:
        if len(items) != len(vectors):
            raise ValueError(f"{len(items)} items but {len(vectors)} vectors")
        if not items:
            return
        self.remove([item.key for item in items if item.key in self._ids])
        ids = np.arange(self._next_id, self._next_id + len(items), dtype=np.int64)
        self._faiss.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids)
        for vector_id, item in zip(ids.tolist(), items, strict=True):
            self._items[vector_id] = item
            self._ids[item.key] = vector_id
        self._next_id += len(items)

    def remove(self, keys: Iterable[str]) -> None:
        ids = [self._ids.pop(key) for key in keys if key in self._ids]
        if ids:
            self._faiss.remove_ids(np.asarray(ids, dtype=np.int64))
            for vector_id in ids:
                del self._items[vector_id]

    def search(self, queries: np.ndarray, k: int) -> list[list[Hit]]:
        if not self._items:
            return [[] for _ in range(len(queries))]
        scores, ids = self._faiss.search(
            np.ascontiguousarray(queries, dtype=np.float32), min(k, len(self._items))
        )
        return [
            [
                Hit(float(score), self._items[int(i)])
                for score, i in zip(row_s, row_i, strict=True)
                if i >= 0
            ]
            for row_s, row_i in zip(scores, ids, strict=True)
        ]

    def vectors(self, keys: Sequence[str]) -> np.ndarray:
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids = np.asarray([self._ids[key] for key in keys], dtype=np.int64)
        return self._faiss.reconstruct_batch(ids)

    def save(self, folder: Path, name: str) -> None:
        faiss.write_index(self._faiss, str(folder / f"{name}.faiss"))
        with (folder / f"{name}.items.jsonl").open("w", encoding="utf-8") as out:
            for vector_id, item in self._items.items():
                out.write(json.dumps({"id": vector_id, **asdict(item)}, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, folder: Path, name: str) -> VectorIndex:
        raw = faiss.read_index(str(folder / f"{name}.faiss"))
        index = cls(raw.d)
        index._faiss = faiss.IndexIDMap2(raw) if not isinstance(raw, faiss.IndexIDMap2) else raw
        with (folder / f"{name}.items.jsonl").open(encoding="utf-8") as src:
            for line in src:
                record = json.loads(line)
                vector_id = record.pop("id")
                item = IndexedText(**record)
                index._items[vector_id] = item
                index._ids[item.key] = vector_id
        index._next_id = max(index._items, default=-1) + 1
        return index


@dataclass
class Manifest:
    """Recorded next to the vectors so that an index built from other content or weights is
    rebuilt, not trusted."""

    model: str
    dimension: int
    content_hash: str
    built_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    counts: dict[str, int] = field(default_factory=dict)
    calibration: dict[str, float] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    tokens: str = ""  # the TokenProjection fingerprint the lines' token vectors were stored under

    def save(self, folder: Path) -> None:
        (folder / MANIFEST).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Manifest | None:
        path = folder / MANIFEST
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") != FORMAT_VERSION:
            return None
        return cls(**data)


class IndexFolder:
    """Named vector indexes (entries, passages, lines) saved and loaded together."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self, names: Iterable[str]) -> tuple[Manifest, dict[str, VectorIndex]] | None:
        manifest = Manifest.load(self.path)
        if manifest is None:
            return None
        try:
            return manifest, {name: VectorIndex.load(self.path, name) for name in names}
        except (OSError, RuntimeError, json.JSONDecodeError, TypeError):
            return None

    def save(
        self, manifest: Manifest, indexes: dict[str, VectorIndex], line_tokens: LineTokens
    ) -> None:
        """Write into a fresh folder and swap it in, so a crash never leaves half an index."""
        staging = self.path.with_name(self.path.name + ".new")
        if staging.exists():
            _remove_tree(staging)
        staging.mkdir(parents=True)
        for name, index in indexes.items():
            index.save(staging, name)
        line_tokens.save(staging / LINE_TOKENS)
        manifest.save(staging)
        old = self.path.with_name(self.path.name + ".old")
        if old.exists():
            _remove_tree(old)
        if self.path.exists():
            self.path.rename(old)
        staging.rename(self.path)
        if old.exists():
            _remove_tree(old)


def _remove_tree(path: Path) -> None:
    for child in path.iterdir():
        child.unlink()
    path.rmdir()
