"""Puts an answer into words for the newcomer: notice, answer, source, in their language."""

from __future__ import annotations

from knowledge_base.answer import Answer, Notice
from translations import messages
from translations.catalogs import Catalogs
from translations.languages import language_name


def compose_answer(answer: Answer, language: str, catalogs: Catalogs) -> str:
    if answer.text is None:
        raise ValueError("only an answered question can be composed")
    lines = []
    if answer.notice == Notice.MACHINE_TRANSLATED:
        lines.append(catalogs.gettext(language, messages.MACHINE_TRANSLATION_NOTICE))
    elif answer.notice == Notice.NOT_IN_YOUR_LANGUAGE:
        notice = catalogs.gettext(language, messages.NOT_IN_YOUR_LANGUAGE_NOTICE)
        lines.append(notice.format(language=language_name(answer.language or "", language)))
    lines.append(answer.text)
    if answer.source and answer.source.describe():
        source = catalogs.gettext(language, messages.SOURCE)
        lines.append(source.format(source=answer.source.describe()))
    return "\n".join(lines)
