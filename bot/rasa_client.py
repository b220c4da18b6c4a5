"""Talks to Rasa's REST channel: one turn in, the bot's messages out."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa did not answer (down, still loading its model, or failing)."""


class RasaClient:
    def __init__(self, http: aiohttp.ClientSession, base_url: str, timeout_seconds: float) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)

    async def send(self, sender: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        url = f"{self._base_url}/webhooks/rest/webhook"
        body = {"sender": sender, "message": text, "metadata": metadata}
        try:
            async with self._http.post(url, json=body, timeout=self._timeout) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                replies = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise RasaUnavailable(
                f"Rasa is not reachable at {self._base_url}: {error!r}"
            ) from error
        if not isinstance(replies, list):
            raise RasaUnavailable("Rasa answered something other than a list of messages")
        return replies

    async def is_ready(self) -> bool:
        """Rasa opens its port only after the model is loaded, so an answer means ready."""
        try:
            async with self._http.get(
                f"{self._base_url}/", timeout=aiohttp.ClientTimeout(total=2)
            ) as response:
                return response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            return False
