"""An answer and its evidence: which entry or page, which lines, how sure, in which language."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from knowledge_base.models import TextStatus


class Notice(enum.StrEnum):
    """What the newcomer must be told about the text's language."""

    MACHINE_TRANSLATED = "machine_translated"
    NOT_IN_YOUR_LANGUAGE = "not_in_your_language"


@dataclass(frozen=True)
class Source:
    title: str | None = None
    url: str | None = None
    contact: str | None = None

    def describe(self) -> str:
        return " – ".join(part for part in (self.title, self.contact, self.url) if part)


@dataclass(frozen=True)
class Answer:
    question_language: str
    score: float
    text: str | None = None
    language: str | None = None
    status: TextStatus | None = None
    notice: Notice | None = None
    source: Source | None = None
    entry_id: str | None = None
    page_id: int | None = None
    lines: tuple[int, ...] = ()

    @property
    def answered(self) -> bool:
        return self.text is not None
