"""Forgetting: a newcomer may delete their conversation, and every conversation expires."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from aiohttp import web

from bot import keys

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


def delete_rasa_trackers(tracker_db: Path, sender_ids: Iterable[str]) -> int:
    """Rasa keeps its own copy of the dialogue (the SQL tracker store's `events` table)."""
    ids = list(sender_ids)
    if not ids or not tracker_db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(tracker_db, timeout=10)) as connection:
        try:
            with connection:
                cursor = connection.executemany(
                    "DELETE FROM events WHERE sender_id = ?", [(sender,) for sender in ids]
                )
                return cursor.rowcount
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return 0
            raise


async def forget_conversation(app: web.Application, key: str) -> None:
    """Delete a conversation with everything Lotse and Rasa stored about it."""
    await app[keys.CONVERSATIONS].delete(key)
    await asyncio.get_running_loop().run_in_executor(
        None, delete_rasa_trackers, app[keys.SETTINGS].tracker_db, [key]
    )


async def purge_expired(app: web.Application) -> int:
    expired = await app[keys.CONVERSATIONS].purge_expired()
    if expired:
        await asyncio.get_running_loop().run_in_executor(
            None, delete_rasa_trackers, app[keys.SETTINGS].tracker_db, expired
        )
        log.info("deleted %d conversations past their retention period", len(expired))
    return len(expired)


async def retention_ctx(app: web.Application) -> AsyncIterator[None]:
    """Purge expired conversations at start and then every hour."""

    async def loop() -> None:
        while True:
            try:
                await purge_expired(app)
            except Exception:
                log.exception("purging expired conversations failed; will retry")
            await asyncio.sleep(PURGE_INTERVAL_SECONDS)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
