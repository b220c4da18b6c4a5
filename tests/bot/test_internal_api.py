"""The internal API the actions and Rasa's NLG call, on the real app."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from bot import keys
from bot.app import create_app
from bot.settings import Settings
from knowledge_base.embedder import shared_embedder


async def _start(client: TestClient, sender: str, text: str, **metadata: str) -> str:
    await client.post(
        "/webhooks/rest/webhook", json={"sender": sender, "message": text, "metadata": metadata}
    )
    return f"rest:{sender}"


async def test_nlg_renders_responses_in_the_conversation_language(client: TestClient) -> None:
    key = await _start(client, "jana", "Hallo", language="ar")
    response = await client.post(
        "/internal/nlg",
        json={"response": "utter_no_answer", "arguments": {}, "tracker": {"sender_id": key}},
    )
    message = await response.json()
    english = await (
        await client.post(
            "/internal/nlg", json={"response": "utter_no_answer", "arguments": {"language": "en"}}
        )
    ).json()
    assert message["text"] != english["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_human", "/deny"]
    assert message["buttons"][0]["title"] != english["buttons"][0]["title"]


async def test_nlg_fills_placeholders_and_keeps_payloads(client: TestClient) -> None:
    response = await client.post(
        "/internal/nlg",
        json={"response": "utter_answer", "arguments": {"answer": "Ein Satz.", "language": "de"}},
    )
    message = await response.json()
    assert message["text"] == "Ein Satz."
    assert '/feedback{"feedback_value": "helpful"}' in [b["payload"] for b in message["buttons"]]

    changed = await (
        await client.post(
            "/internal/nlg",
            json={"response": "utter_language_changed", "arguments": {"language": "uk"}},
        )
    ).json()
    assert "мовою: українська." in changed["text"]


async def test_nlg_refuses_unknown_responses(client: TestClient) -> None:
    response = await client.post("/internal/nlg", json={"response": "utter_nothing"})
    assert response.status == 404
    assert "utter_nothing" in (await response.json())["error"]


async def test_answer_is_composed_with_source_and_recorded(client: TestClient) -> None:
    key = await _start(client, "amira", "Hallo", language="ar")
    response = await client.post(
        "/internal/answer",
        json={"sender_id": key, "question": "Wo kann ich einen Integrationskurs machen?"},
    )
    body = await response.json()
    assert body["answered"] and body["entry_id"] == "integration-course"
    assert body["language"] == "ar" and body["status"] == "machine"
    assert "BAMF" in body["text"] and "https://www.bamf.de/" in body["text"]


async def test_language_choice_is_stored_as_explicit(client: TestClient) -> None:
    key = await _start(client, "ali", "Hallo")
    response = await client.post("/internal/language", json={"sender_id": key, "language": "fa"})
    assert (await response.json()) == {"language": "fa", "language_name": "فارسی"}
    refused = await client.post("/internal/language", json={"sender_id": key, "language": "xx"})
    assert refused.status == 400


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/internal/handoff", {"sender_id": "rest:nobody"}, 404),
        ("/internal/handoff", {"sender_id": "rest:x", "reason": "bored"}, 400),
        ("/internal/feedback", {"sender_id": "rest:x", "helpful": "yes"}, 400),
        ("/internal/answer", {"sender_id": "rest:x"}, 400),
        ("/internal/language", {"language": "de"}, 400),
    ],
)
async def test_internal_api_refuses_bad_requests(
    client: TestClient, path: str, body: dict, status: int
) -> None:
    response = await client.post(path, json=body)
    assert response.status == status
    assert (await response.json())["error"]


async def test_the_app_loads_the_embedding_model_before_it_serves(
    aiohttp_client, settings: Settings
) -> None:
    """The index is up to date, so nothing else would load the model before a question."""
    shared_embedder.cache_clear()
    client = await aiohttp_client(create_app(settings))
    assert client.app[keys.KNOWLEDGE].embedder.loaded


async def test_internal_token_is_required_when_configured(aiohttp_client, settings: Settings):
    app = create_app(settings.model_copy(update={"internal_token": "s3cret"}))
    client = await aiohttp_client(app)
    refused = await client.post("/internal/nlg", json={"response": "utter_greet"})
    assert refused.status == 401
    allowed = await client.post(
        "/internal/nlg",
        json={"response": "utter_greet"},
        headers={"Authorization": "Bearer s3cret"},
    )
    assert allowed.status == 200
    public = await client.get("/health")
    assert public.status == 503


async def test_original_of_an_entry_in_the_conversation_language(client: TestClient) -> None:
    key = await _start(client, "omid", "سلام", language="fa")
    response = await client.post(
        "/internal/original", json={"sender_id": key, "entry_id": "integration-course"}
    )
    assert response.status == 200
    body = await response.json()
    assert body["found"] is True
    assert (body["language"], body["language_name"]) == ("de", "آلمانی")
    assert body["text"].startswith("Integrationskurse")

    missing = await client.post(
        "/internal/original", json={"sender_id": key, "entry_id": "no-such-entry"}
    )
    assert await missing.json() == {"found": False}
    refused = await client.post("/internal/original", json={"sender_id": key})
    assert refused.status == 400
    assert "entry_id" in (await refused.json())["error"]


async def test_nlg_accepts_the_tracker_of_a_long_conversation(client: TestClient) -> None:
    """Rasa sends the whole tracker with every NLG call: it outgrows the public body limit."""
    key = await _start(client, "lena", "Hallo", language="de")
    events = [{"event": "bot", "text": "x" * 1000} for _ in range(200)]
    response = await client.post(
        "/internal/nlg",
        json={"response": "utter_greet", "tracker": {"sender_id": key, "events": events}},
    )
    assert response.status == 200
    assert (await response.json())["text"].startswith("Hallo!")
