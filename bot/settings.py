"""Lotse's settings: one frozen object, read once from `LOTSE_*` environment variables.

Tests build their own `Settings(...)` instead of patching globals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from translations.languages import SUPPORTED_LANGUAGES


class Settings(BaseSettings):
    """Everything an operator may change, with the embedded defaults."""

    model_config = SettingsConfigDict(env_prefix="LOTSE_", frozen=True, extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    data_dir: Path = Path("var")
    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    actions_url: str = "http://127.0.0.1:5055"
    rasa_tracker_db: Path | None = None
    rasa_timeout_seconds: float = Field(15.0, gt=0)

    embedding_model: str = "var/models/multilingual-e5-small"
    index_dir: Path | None = None
    content_dir: Path = Path("knowledge_base/content")
    # labelled questions (faq/), page reader and page search parameters for that content
    calibration_dir: Path = Path("knowledge_base/calibration")

    argos_dir: Path | None = None
    argos_models_dir: Path | None = None

    languages: Annotated[tuple[str, ...], NoDecode] = SUPPORTED_LANGUAGES
    default_language: str = "de"
    fallback_languages: Annotated[tuple[str, ...], NoDecode] = ("de", "en")

    retention_days: int = Field(90, ge=1)
    max_message_chars: int = Field(4000, ge=1)
    internal_token: str = ""

    @field_validator("languages", "fallback_languages", mode="before")
    @classmethod
    def _split_comma_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _check_languages(self) -> Settings:
        unknown = [
            code
            for code in (self.default_language, *self.fallback_languages)
            if code not in self.languages
        ]
        if unknown:
            raise ValueError(f"languages {unknown} are not in LOTSE_LANGUAGES {self.languages}")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'lotse.db'}"

    @property
    def tracker_db(self) -> Path:
        return self.rasa_tracker_db or self.data_dir / "rasa-tracker.db"

    @property
    def index_path(self) -> Path:
        return self.index_dir or self.data_dir / "index"

    @property
    def argos_path(self) -> Path:
        """argostranslate's packages and data (never $HOME)."""
        return self.argos_dir or self.data_dir / "argos"

    @property
    def argos_models_path(self) -> Path:
        """Where a city drops `.argosmodel` files; installed when the app starts."""
        return self.argos_models_dir or self.argos_path / "models"
