"""The action server's settings (it runs in its own process, beside the app)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ActionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LOTSE_", frozen=True, extra="ignore")

    app_url: str = "http://127.0.0.1:8080"
    internal_token: str = ""
    app_timeout_seconds: float = Field(10.0, gt=0)
