"""The REST channel's contract and its refusals; here Rasa is down, as it can be in real life."""

from __future__ import annotations

import json
import sqlite3

import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings
from bot.storage.models import DeliveryStatus


def _rows(settings: Settings, query: str) -> list[tuple]:
    with sqlite3.connect(settings.data_dir / "lotse.db") as connection:
        return connection.execute(query).fetchall()


async def test_rasa_down_gives_a_short_notice_in_the_language_and_keeps_the_message(
    client: TestClient, settings: Settings
) -> None:
    response = await client.post(
        "/webhooks/rest/webhook",
        json={"sender": "amira", "message": "أين أجد دورة لغة ألمانية مع رعاية للأطفال؟"},
    )
    assert response.status == 200
    replies = await response.json()
    assert len(replies) == 1
    assert replies[0]["recipient_id"] == "amira"
    assert replies[0]["custom"] == {"error": "assistant_unavailable"}
    assert replies[0]["text"] != "" and "unavailable" not in replies[0]["text"]
    stored = _rows(settings, "SELECT direction, text, language, status FROM messages")
    assert stored == [
        ("in", "أين أجد دورة لغة ألمانية مع رعاية للأطفال؟", "ar", DeliveryStatus.UNDELIVERED.value)
    ]


async def test_health_names_the_parts_that_are_down(client: TestClient) -> None:
    response = await client.get("/health")
    assert response.status == 503
    body = await response.json()
    assert body["parts"]["app"] == "ok" and body["parts"]["database"] == "ok"
    assert set(body["down"]) == {"rasa", "actions"}


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b"[1, 2]", 400, "JSON object"),
        ('{"sender": "a", "message": "\xe4"}'.encode("latin-1"), 400, "not UTF-8"),
        (json.dumps({"message": "hallo"}).encode(), 400, "'sender' is missing"),
        (json.dumps({"sender": 5, "message": "hallo"}).encode(), 400, "'sender' must be a string"),
        (json.dumps({"sender": "a"}).encode(), 400, "'message' is missing"),
        (json.dumps({"sender": "a", "message": "   "}).encode(), 400, "'message' is empty"),
        (json.dumps({"sender": "a", "message": "x" * 4001}).encode(), 413, "limit is 4,000"),
        (
            json.dumps({"sender": "a", "message": "hi", "metadata": {"x": "y" * 70_000}}).encode(),
            413,
            "limit is 65,536",
        ),
        (
            json.dumps({"sender": "a", "message": "hi", "metadata": "de"}).encode(),
            400,
            "'metadata' must be a JSON object",
        ),
        (
            json.dumps({"sender": "a", "message": "hi", "metadata": {"language": "xx"}}).encode(),
            400,
            "not supported",
        ),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_stored(
    client: TestClient, settings: Settings, body: bytes, status: int, message: str
) -> None:
    response = await client.post("/webhooks/rest/webhook", data=body)
    assert response.status == status
    assert message in (await response.json())["error"]
    assert _rows(settings, "SELECT count(*) FROM messages") == [(0,)]


async def test_a_message_of_exactly_the_limit_is_accepted(client: TestClient) -> None:
    response = await client.post(
        "/webhooks/rest/webhook", json={"sender": "a", "message": "x" * 4000}
    )
    assert response.status == 200


async def test_a_newcomer_can_delete_their_conversation(
    client: TestClient, settings: Settings
) -> None:
    await client.post("/webhooks/rest/webhook", json={"sender": "oleks", "message": "привіт"})
    with sqlite3.connect(settings.tracker_db) as tracker:
        tracker.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
        tracker.execute("INSERT INTO events (sender_id) VALUES ('rest:oleks'), ('rest:other')")

    response = await client.delete("/webhooks/rest/conversations/oleks")
    assert response.status == 204
    assert _rows(settings, "SELECT count(*) FROM conversations") == [(0,)]
    assert _rows(settings, "SELECT count(*) FROM messages") == [(0,)]
    with sqlite3.connect(settings.tracker_db) as tracker:
        assert tracker.execute("SELECT sender_id FROM events").fetchall() == [("rest:other",)]

    again = await client.delete("/webhooks/rest/conversations/oleks")
    assert again.status == 404
