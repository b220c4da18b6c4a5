"""Client for the app's internal API: the actions hold no model and no database of their own."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from actions.config import ActionSettings

log = logging.getLogger(__name__)


class LotseApiError(RuntimeError):
    """The app did not answer as expected."""


class LotseApi:
    def __init__(self, settings: ActionSettings | None = None) -> None:
        self._settings = settings or ActionSettings()
        self._session: aiohttp.ClientSession | None = None

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        if self._session is None or self._session.closed:
            headers = {}
            if self._settings.internal_token:
                headers["Authorization"] = f"Bearer {self._settings.internal_token}"
            self._session = aiohttp.ClientSession(
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self._settings.app_timeout_seconds),
            )
        url = self._settings.app_url.rstrip("/") + path
        try:
            async with self._session.post(url, json=body) as response:
                payload = await response.json(content_type=None)
                if response.status != 200:
                    raise LotseApiError(f"{path}: HTTP {response.status}: {payload}")
                return payload
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise LotseApiError(f"{path}: {error!r}") from error

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def answer(self, sender_id: str, question: str) -> dict[str, Any]:
        return await self._post("/internal/answer", {"sender_id": sender_id, "question": question})

    async def request_handoff(self, sender_id: str, reason: str) -> dict[str, Any]:
        return await self._post("/internal/handoff", {"sender_id": sender_id, "reason": reason})

    async def record_feedback(
        self, sender_id: str, entry_id: str | None, helpful: bool
    ) -> dict[str, Any]:
        return await self._post(
            "/internal/feedback",
            {"sender_id": sender_id, "entry_id": entry_id, "helpful": helpful},
        )

    async def set_language(self, sender_id: str, language: str) -> dict[str, Any]:
        return await self._post(
            "/internal/language", {"sender_id": sender_id, "language": language}
        )

    async def original(self, sender_id: str, entry_id: str) -> dict[str, Any]:
        return await self._post(
            "/internal/original", {"sender_id": sender_id, "entry_id": entry_id}
        )
