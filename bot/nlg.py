"""Renders Rasa's responses (domain.yml) in the conversation's language from the catalogs.

Rasa calls the app for every response it utters (endpoints.yml: nlg); this is why bot texts
live in gettext catalogs instead of per-language copies of the domain.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from translations.catalogs import Catalogs

log = logging.getLogger(__name__)


class UnknownResponse(LookupError):
    """Rasa asked for a response that domain.yml does not define."""


class _Blank(dict):
    """A placeholder without a value renders empty instead of failing the whole reply."""

    def __missing__(self, key: str) -> str:
        return ""


class ResponseRenderer:
    def __init__(self, domain_file: Path, catalogs: Catalogs) -> None:
        domain = yaml.safe_load(domain_file.read_text(encoding="utf-8"))
        self._responses: dict[str, list[dict[str, Any]]] = domain.get("responses") or {}
        self._catalogs = catalogs

    def names(self) -> list[str]:
        return list(self._responses)

    def render(
        self, name: str, language: str, values: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The first variation, translated; values fill `{placeholders}` in the text."""
        variations = self._responses.get(name)
        if not variations:
            raise UnknownResponse(name)
        variation = variations[0]
        values = _Blank({k: "" if v is None else v for k, v in (values or {}).items()})
        message: dict[str, Any] = {}
        if variation.get("text"):
            template = self._catalogs.gettext(language, variation["text"])
            message["text"] = string.Formatter().vformat(template, (), values).strip()
        if variation.get("buttons"):
            message["buttons"] = [
                {
                    "title": self._catalogs.gettext(language, button["title"]),
                    "payload": button["payload"],
                }
                for button in variation["buttons"]
            ]
        if variation.get("custom"):
            message["custom"] = variation["custom"]
        return message
