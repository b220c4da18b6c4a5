"""Importers turn outside content (YAML, Integreat exports, OMoS-QA pages) into the store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImportReport:
    changed: int
    unchanged: int
    removed: int = 0

    def __str__(self) -> str:
        return f"{self.changed} changed, {self.unchanged} unchanged, {self.removed} removed"
