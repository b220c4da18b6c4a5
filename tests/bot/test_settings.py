from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.settings import Settings


def test_defaults_are_the_embedded_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LOTSE_PORT", "LOTSE_DATABASE_URL", "LOTSE_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.port == 8080
    assert settings.sqlalchemy_url == "sqlite:///var/lotse.db"
    assert len(settings.languages) == 10


def test_environment_overrides_with_the_lotse_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_PORT", "9099")
    monkeypatch.setenv("LOTSE_LANGUAGES", "de, en,ar")
    monkeypatch.setenv("LOTSE_RETENTION_DAYS", "30")
    monkeypatch.setenv("LOTSE_CALIBRATION_DIR", "/srv/lotse/calibration")
    settings = Settings()
    assert (settings.port, settings.languages, settings.retention_days) == (
        9099,
        ("de", "en", "ar"),
        30,
    )
    assert str(settings.calibration_dir) == "/srv/lotse/calibration"


def test_inconsistent_settings_are_refused() -> None:
    with pytest.raises(ValidationError, match="not in LOTSE_LANGUAGES"):
        Settings(languages=("en", "ar"), default_language="de")
    with pytest.raises(ValidationError):
        Settings(port=0)


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
