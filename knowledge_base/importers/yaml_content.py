"""Imports the staff's FAQ entries from YAML files (knowledge_base/content/README.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import yaml
from tqdm import tqdm

from knowledge_base.importers import ImportReport
from knowledge_base.models import TextStatus
from knowledge_base.store import AnswerText, DocumentStore, EntryData


class ContentError(ValueError):
    """A content file that cannot be imported, with where and why."""


def read_entries(folder: Path) -> Iterator[EntryData]:
    seen: dict[str, Path] = {}
    origin = f"yaml:{folder.name}"
    for path in sorted(folder.rglob("*.yml")):
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise ContentError(f"{path}: not valid YAML: {error}") from error
        if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
            raise ContentError(f"{path}: expected a mapping with an 'entries' list")
        for raw in document["entries"]:
            entry = _entry(raw, document, path, origin)
            if entry.id in seen:
                raise ContentError(
                    f"{path}: entry id {entry.id!r} is also used in {seen[entry.id]}"
                )
            seen[entry.id] = path
            yield entry


def _entry(raw: object, document: dict, path: Path, origin: str) -> EntryData:
    if not isinstance(raw, dict) or not raw.get("id"):
        raise ContentError(f"{path}: every entry needs an 'id'")
    where = f"{path}, entry {raw['id']!r}"
    field_of_action = document.get("field_of_action") or path.parent.name
    topic = document.get("topic") or path.stem
    questions = raw.get("questions") or {}
    answers = raw.get("answers") or {}
    if not isinstance(questions, dict) or not all(isinstance(v, list) for v in questions.values()):
        raise ContentError(f"{where}: 'questions' must map a language to a list of questions")
    if not isinstance(answers, dict) or not answers:
        raise ContentError(f"{where}: 'answers' must map a language to an answer")
    parsed_answers = {}
    for language, answer in answers.items():
        if not isinstance(answer, dict) or not str(answer.get("text", "")).strip():
            raise ContentError(f"{where}: the {language} answer needs a 'text'")
        try:
            status = TextStatus(answer.get("status", "curated"))
        except ValueError as error:
            raise ContentError(
                f"{where}: status {answer.get('status')!r} of the {language} answer is not one of "
                f"{[s.value for s in TextStatus]}"
            ) from error
        parsed_answers[str(language)] = AnswerText(str(answer["text"]).strip(), status)
    source = raw.get("source") or {}
    reviewed = raw.get("last_reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        raise ContentError(f"{where}: last_reviewed must be a date like 2026-11-20")
    return EntryData(
        id=str(raw["id"]),
        field_of_action=str(field_of_action),
        topic=str(topic),
        questions={
            str(lang): [str(q).strip() for q in qs if str(q).strip()]
            for lang, qs in questions.items()
        },
        answers=parsed_answers,
        source_title=source.get("title"),
        source_url=source.get("url"),
        source_contact=source.get("contact"),
        last_reviewed=reviewed,
        origin=origin,
    )


def import_yaml(store: DocumentStore, folder: Path, *, progress: bool = True) -> ImportReport:
    """Upsert every entry in the folder and remove the ones that were deleted from it."""
    entries = list(read_entries(folder))
    changed = sum(
        store.upsert_entry(entry)
        for entry in tqdm(entries, desc="entries", unit="entry", disable=not progress)
    )
    removed = store.delete_entries_not_in(f"yaml:{folder.name}", [e.id for e in entries])
    return ImportReport(changed=changed, unchanged=len(entries) - changed, removed=removed)
