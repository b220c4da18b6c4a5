"""Conversations expire, and expired ones leave nothing behind, in Lotse or in Rasa."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from aiohttp import web
from aiohttp.test_utils import TestClient

from bot.privacy import purge_expired
from bot.settings import Settings


def _db(settings: Settings) -> sqlite3.Connection:
    return sqlite3.connect(settings.data_dir / "lotse.db")


async def test_every_conversation_gets_the_retention_period(
    client: TestClient, settings: Settings
) -> None:
    await client.post("/webhooks/rest/webhook", json={"sender": "a", "message": "Hallo"})
    with _db(settings) as db:
        [(updated, expires)] = db.execute("SELECT updated_at, expires_at FROM conversations")
    gap = datetime.fromisoformat(expires) - datetime.fromisoformat(updated)
    assert gap == timedelta(days=settings.retention_days)


async def test_expired_conversations_are_purged_with_rasas_copy(
    client: TestClient, app: web.Application, settings: Settings
) -> None:
    for sender in ("old", "new"):
        await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": "Hallo"})
    past = (datetime.now(UTC) - timedelta(days=1)).replace(tzinfo=None).isoformat(" ")
    with _db(settings) as db:
        db.execute("UPDATE conversations SET expires_at = ? WHERE key = 'rest:old'", (past,))
    with sqlite3.connect(settings.tracker_db) as tracker:
        tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
        tracker.execute("INSERT INTO events (sender_id) VALUES ('rest:old'), ('rest:new')")

    assert await purge_expired(app) == 1
    with _db(settings) as db:
        assert db.execute("SELECT key FROM conversations").fetchall() == [("rest:new",)]
        assert db.execute("SELECT count(*) FROM messages").fetchall() == [(1,)]
    with sqlite3.connect(settings.tracker_db) as tracker:
        assert tracker.execute("SELECT sender_id FROM events").fetchall() == [("rest:new",)]


async def test_message_text_is_not_logged_at_info(client: TestClient, caplog) -> None:
    caplog.set_level("INFO")
    secret = "Mein Name ist Amira und ich wohne in der Hauptstraße"
    await client.post("/webhooks/rest/webhook", json={"sender": "a", "message": secret})
    assert caplog.records
    assert all("Amira" not in record.getMessage() for record in caplog.records)
