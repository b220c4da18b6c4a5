"""The document store: entries and pages in the database, written by importers and staff."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from bot.storage.base import utcnow
from knowledge_base.models import Entry, EntryAnswer, EntryQuestion, Page, TextStatus


class NotFound(LookupError):
    """No entry or page with that id."""


@dataclass(frozen=True)
class AnswerText:
    text: str
    status: TextStatus = TextStatus.CURATED


@dataclass(frozen=True)
class EntryData:
    """An entry as importers and editors hand it over, before it is stored."""

    id: str
    field_of_action: str
    topic: str
    questions: dict[str, list[str]]
    answers: dict[str, AnswerText]
    source_title: str | None = None
    source_url: str | None = None
    source_contact: str | None = None
    last_reviewed: date | None = None
    origin: str = "staff"

    def content_hash(self) -> str:
        data = asdict(self)
        data["last_reviewed"] = self.last_reviewed.isoformat() if self.last_reviewed else None
        return _sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))


@dataclass(frozen=True)
class PageData:
    origin: str
    external_id: str
    language: str
    title: str
    content: str
    translation_group: str = ""
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def content_hash(self) -> str:
        return _sha256("\x1f".join([self.title, self.content, self.url or ""]))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class DocumentStore:
    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def upsert_entry(self, data: EntryData) -> bool:
        """Store an entry; returns False (and writes nothing) when its content did not change."""
        digest = data.content_hash()
        with self.session() as session:
            entry = session.get(Entry, data.id)
            if entry is not None and entry.content_hash == digest:
                return False
            if entry is None:
                entry = Entry(id=data.id)
                session.add(entry)
            entry.origin = data.origin
            entry.field_of_action = data.field_of_action
            entry.topic = data.topic
            entry.source_title = data.source_title
            entry.source_url = data.source_url
            entry.source_contact = data.source_contact
            entry.last_reviewed = data.last_reviewed
            entry.content_hash = digest
            entry.updated_at = utcnow()
            entry.questions = [
                EntryQuestion(language=lang, text=text)
                for lang, texts in data.questions.items()
                for text in texts
            ]
            existing = {answer.language: answer for answer in entry.answers}
            answers = []
            for language, answer in data.answers.items():
                row = existing.get(language) or EntryAnswer(language=language)
                if row.text != answer.text or row.status != answer.status:
                    row.updated_at = utcnow()
                row.text, row.status = answer.text, answer.status
                answers.append(row)
            entry.answers = answers
            return True

    def delete_entries_not_in(self, origin: str, keep: Iterable[str]) -> int:
        """Remove entries an importer no longer provides (entries of other origins stay)."""
        with self.session() as session:
            stale = session.scalars(
                select(Entry).where(Entry.origin == origin, Entry.id.not_in(list(keep)))
            ).all()
            for entry in stale:
                session.delete(entry)
            return len(stale)

    def upsert_page(self, data: PageData) -> bool:
        digest = data.content_hash()
        with self.session() as session:
            page = session.scalars(
                select(Page).where(
                    Page.origin == data.origin,
                    Page.external_id == data.external_id,
                    Page.language == data.language,
                )
            ).one_or_none()
            group = data.translation_group or data.external_id
            if page is not None and page.content_hash == digest and page.translation_group == group:
                return False
            if page is None:
                page = Page(
                    origin=data.origin, external_id=data.external_id, language=data.language
                )
                session.add(page)
            page.title, page.content, page.url = data.title, data.content, data.url
            page.translation_group = group
            page.content_hash = digest
            page.updated_at = utcnow()
            return True

    def delete_pages(self, origin: str) -> int:
        with self.session() as session:
            return session.execute(delete(Page).where(Page.origin == origin)).rowcount

    def entries(self) -> list[Entry]:
        with self.session() as session:
            return list(
                session.scalars(
                    select(Entry)
                    .order_by(Entry.id)
                    .options(selectinload(Entry.questions), selectinload(Entry.answers))
                )
            )

    def entry(self, entry_id: str) -> Entry:
        with self.session() as session:
            entry = session.scalars(
                select(Entry)
                .where(Entry.id == entry_id)
                .options(selectinload(Entry.questions), selectinload(Entry.answers))
            ).one_or_none()
        if entry is None:
            raise NotFound(f"no entry {entry_id!r}")
        return entry

    def pages(self) -> list[Page]:
        with self.session() as session:
            return list(session.scalars(select(Page).order_by(Page.id)))

    def page(self, page_id: int) -> Page:
        with self.session() as session:
            page = session.get(Page, page_id)
        if page is None:
            raise NotFound(f"no page {page_id}")
        return page

    def pages_in_group(self, group: str) -> list[Page]:
        with self.session() as session:
            return list(session.scalars(select(Page).where(Page.translation_group == group)))
