"""The content model: FAQ entries curated by staff, and pages imported from elsewhere."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.storage.base import Base, UTCDateTime, utcnow


class TextStatus(enum.StrEnum):
    """Who vouches for a text: staff wrote it, a machine translated it, or a person checked that."""

    CURATED = "curated"
    MACHINE = "machine"
    REVIEWED = "reviewed"


class Entry(Base):
    __tablename__ = "entries"

    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), default="staff")
    field_of_action: Mapped[str] = mapped_column(String(64), index=True)
    topic: Mapped[str] = mapped_column(String(64))
    source_title: Mapped[str | None] = mapped_column(Text, default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    source_contact: Mapped[str | None] = mapped_column(Text, default=None)
    last_reviewed: Mapped[date | None] = mapped_column(Date, default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[EntryQuestion]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryQuestion.id"
    )
    answers: Mapped[list[EntryAnswer]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryAnswer.id"
    )

    def answer_in(self, language: str) -> EntryAnswer | None:
        return next((a for a in self.answers if a.language == language), None)


class EntryQuestion(Base):
    """One way a newcomer asks for an entry; the retriever matches questions against these."""

    __tablename__ = "entry_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)

    entry: Mapped[Entry] = relationship(back_populates="questions")


class EntryAnswer(Base):
    __tablename__ = "entry_answers"
    __table_args__ = (UniqueConstraint("entry_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[TextStatus] = mapped_column(
        Enum(
            TextStatus, values_callable=lambda m: [x.value for x in m], native_enum=False, length=16
        )
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="answers")


class Page(Base):
    """A page of text in one language; copies of one page in several languages share a group."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("origin", "external_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(120))
    translation_group: Mapped[str] = mapped_column(String(120), index=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text, default=None)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def lines(self) -> list[str]:
        return self.content.split("\n")
