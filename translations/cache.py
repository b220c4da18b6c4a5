"""Machine translations remembered in the database, so one answer is translated once.

A row is keyed by a hash of the text as the model saw it (with placeholders, see
`translations.protection`), the language pair and the model version: a changed text, another
pair or a new model package never hits an old row. What is stored is the model's output with
its placeholders; the protected spans and glossary meanings are put back on every read, so
editing the glossary needs no cache flush.

A caller that translates the same thing again and again (an entry's answer) may pass a `ref`
such as "entry:kita-place:de": when that text changes, the row for its old text is deleted
instead of lingering. Conversation messages should not be cached at all (`use_cache=False`
in `Translator.translate`): this table is not covered by the conversations' retention period.

Works on a sync engine, because the knowledge base translates in worker threads.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, String, Text, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, UTCDateTime, utcnow

log = logging.getLogger(__name__)


class TranslationCache(Base):
    """One machine translation of one text by one model."""

    __tablename__ = "translation_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    ref: Mapped[str | None] = mapped_column(String(200), index=True, default=None)
    source_language: Mapped[str] = mapped_column(String(8))
    target_language: Mapped[str] = mapped_column(String(8))
    model_version: Mapped[str] = mapped_column(String(200))
    translated: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


@dataclass(frozen=True)
class CacheKey:
    text: str
    source: str
    target: str
    model_version: str

    @property
    def digest(self) -> str:
        parts = (self.model_version, self.source, self.target, self.text)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


class TranslationCacheStore:
    """Reads and writes `translation_cache` rows; every call is its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, key: CacheKey) -> str | None:
        with Session(self.engine) as session:
            return session.scalar(
                select(TranslationCache.translated).where(TranslationCache.key == key.digest)
            )

    def put(self, key: CacheKey, translated: str, *, ref: str | None = None) -> None:
        """Store a translation; with a `ref`, forget what that ref translated before."""
        digest = key.digest
        try:
            with Session(self.engine) as session, session.begin():
                if ref is not None:
                    session.execute(
                        delete(TranslationCache).where(
                            TranslationCache.ref == ref,
                            TranslationCache.source_language == key.source,
                            TranslationCache.target_language == key.target,
                            TranslationCache.key != digest,
                        )
                    )
                if session.get(TranslationCache, digest) is None:
                    session.add(
                        TranslationCache(
                            key=digest,
                            ref=ref,
                            source_language=key.source,
                            target_language=key.target,
                            model_version=key.model_version,
                            translated=translated,
                        )
                    )
        except IntegrityError:
            # Two threads translated the same text at once; the first one's row stays.
            log.debug("translation %s was cached by another writer", digest[:12])

    def invalidate(self, ref: str) -> int:
        """Forget every translation made for `ref` (an entry was edited or deleted)."""
        with Session(self.engine) as session, session.begin():
            return session.execute(
                delete(TranslationCache).where(TranslationCache.ref == ref)
            ).rowcount

    def prune(self, older_than: datetime) -> int:
        """Forget translations made before `older_than` (aware datetime)."""
        with Session(self.engine) as session, session.begin():
            return session.execute(
                delete(TranslationCache).where(TranslationCache.created_at < older_than)
            ).rowcount

    def count(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(TranslationCache)) or 0
