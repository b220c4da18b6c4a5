"""The actions against the real app (on loopback), with trackers built from small fixtures."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import actions
from actions.config import ActionSettings
from actions.lotse_api import LotseApi
from tests.conftest import ROOT, free_port

SENDER = "rest:amira"


def tracker(text: str, *, entities: list[dict] | None = None, **slots: Any) -> Tracker:
    return Tracker(
        sender_id=SENDER,
        slots={"human_offered": False, "last_entry_id": None, "feedback_value": None, **slots},
        latest_message={"text": text, "intent": {}, "entities": entities or []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )


@pytest.fixture
async def api(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[LotseApi]:
    """Actions talk to this test's app; the conversation exists as after a first message."""
    await client.post("/webhooks/rest/webhook", json={"sender": "amira", "message": "Hallo"})
    lotse = LotseApi(ActionSettings(app_url=str(client.make_url(""))))
    monkeypatch.setattr(actions, "api", lotse)
    yield lotse
    await lotse.close()


async def run(action: Any, tracker_: Tracker) -> tuple[list[dict], list]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker_, {})
    return dispatcher.messages, events


async def test_a_covered_question_is_answered_with_the_entry(api: LotseApi) -> None:
    messages, events = await run(
        actions.ActionAnswerQuestion(), tracker("Wie bekomme ich einen Wohnberechtigungsschein?")
    )
    assert [m["response"] for m in messages] == ["utter_answer"]
    assert "Wohnberechtigungsschein" in messages[0]["answer"]
    assert "Quelle" in messages[0]["answer"] or "Source" in messages[0]["answer"]
    assert events == [
        SlotSet("last_entry_id", "housing-entitlement"),
        SlotSet("human_offered", False),
    ]


async def test_an_uncovered_question_offers_a_person(api: LotseApi) -> None:
    messages, events = await run(
        actions.ActionAnswerQuestion(), tracker("Wie wird das Wetter morgen in Tokio?")
    )
    assert [m["response"] for m in messages] == ["utter_no_answer"]
    assert events == [SlotSet("last_entry_id", None), SlotSet("human_offered", True)]


async def test_a_person_is_requested_once(api: LotseApi, client: TestClient) -> None:
    first, events = await run(actions.ActionRequestHuman(), tracker("Mensch bitte"))
    second, _ = await run(actions.ActionRequestHuman(), tracker("Mensch bitte"))
    assert [m["response"] for m in first] == ["utter_handoff_requested"]
    assert [m["response"] for m in second] == ["utter_handoff_already_requested"]
    assert SlotSet("human_offered", False) in events


async def test_after_an_unhelpful_answer_the_request_says_why(
    api: LotseApi,
    settings: Any,
) -> None:
    await run(
        actions.ActionRequestHuman(),
        tracker("ja", human_offered=True, feedback_value="not_helpful"),
    )
    with sqlite3.connect(settings.data_dir / "lotse.db") as db:
        assert db.execute("SELECT reason FROM handoff_requests").fetchall() == [("not_helpful",)]


@pytest.mark.parametrize(
    ("entities", "text", "language"),
    [
        ([{"entity": "language", "value": "tr"}], "Türkçe konuş", "tr"),
        ([{"entity": "language", "value": "Türkisch"}], "auf Türkisch bitte", "tr"),
        ([], "по-русски пожалуйста", "ru"),
    ],
)
async def test_language_change_names_the_language(
    api: LotseApi, entities: list[dict], text: str, language: str
) -> None:
    messages, events = await run(actions.ActionChangeLanguage(), tracker(text, entities=entities))
    assert messages[0]["response"] == "utter_language_changed"
    assert events == [SlotSet("language", language)]


async def test_language_change_without_a_language_asks_which(api: LotseApi) -> None:
    messages, events = await run(actions.ActionChangeLanguage(), tracker("andere Sprache"))
    assert [m["response"] for m in messages] == ["utter_ask_language"]
    assert events == []


async def test_feedback_is_stored_and_unhelpful_offers_a_person(
    api: LotseApi,
    settings: Any,
) -> None:
    good, good_events = await run(
        actions.ActionRecordFeedback(),
        tracker(
            "",
            entities=[{"entity": "feedback_value", "value": "helpful"}],
            last_entry_id="kita-place",
        ),
    )
    bad, bad_events = await run(
        actions.ActionRecordFeedback(),
        tracker(
            "",
            entities=[{"entity": "feedback_value", "value": "not_helpful"}],
            last_entry_id="kita-place",
        ),
    )
    assert [m["response"] for m in good] == ["utter_feedback_thanks"]
    assert [m["response"] for m in bad] == ["utter_feedback_sorry"]
    assert good_events == [SlotSet("human_offered", False)]
    assert bad_events == [SlotSet("human_offered", True)]
    with sqlite3.connect(settings.data_dir / "lotse.db") as db:
        rows = db.execute("SELECT entry_id, helpful FROM feedback ORDER BY id").fetchall()
    assert rows == [("kita-place", 1), ("kita-place", 0)]


async def test_when_the_app_is_down_the_newcomer_still_gets_the_offer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    unreachable = LotseApi(ActionSettings(app_url=f"http://127.0.0.1:{free_port()}"))
    monkeypatch.setattr(actions, "api", unreachable)
    messages, events = await run(actions.ActionAnswerQuestion(), tracker("Kita?"))
    await unreachable.close()
    assert [m["response"] for m in messages] == ["utter_no_answer"]
    assert SlotSet("human_offered", True) in events


def test_every_action_is_declared_in_the_domain() -> None:
    declared = set(yaml.safe_load((ROOT / "domain.yml").read_text())["actions"])
    defined = {
        cls().name()
        for cls in vars(actions).values()
        if isinstance(cls, type) and issubclass(cls, actions.Action) and cls is not actions.Action
    }
    assert defined == declared


async def test_the_original_is_shown_for_the_last_entry(api: LotseApi) -> None:
    """The conversation is German (see `api`): the original is the entry's English text, and
    the language is named in German."""
    messages, events = await run(
        actions.ActionShowOriginal(), tracker("/show_original", last_entry_id="integration-course")
    )
    assert [m["response"] for m in messages] == ["utter_original"]
    assert messages[0]["original"].startswith("Integration courses are run by course providers")
    assert messages[0]["language_name"] == "Englisch"
    assert events == []

    nothing, _ = await run(actions.ActionShowOriginal(), tracker("/show_original"))
    assert [m["response"] for m in nothing] == ["utter_no_original"]


@pytest.mark.parametrize(
    ("text", "entities", "before", "detected", "chosen"),
    [
        ("switch from English to German", ["en", "de"], "en", "en", "de"),
        ("switch from German to English", [], "de", "en", "en"),
        ("switch from French to English", ["fr", "en"], "fr", "en", "en"),
        ("switch from French to English", ["fr", "en"], None, "en", "en"),
        ("Can you answer in Arabic instead of English?", ["ar", "en"], "en", "en", "ar"),
        ("Deutsch bitte", ["de"], "de", "de", "de"),
    ],
)
async def test_a_change_of_language_takes_the_language_not_spoken_before(
    api: LotseApi,
    text: str,
    entities: list[str],
    before: str | None,
    detected: str,
    chosen: str,
) -> None:
    """`detected` is the language the app settled on for this message: a long English
    message in a French conversation switches it before Rasa sees the message."""
    asked = tracker(text, entities=[{"entity": "language", "value": code} for code in entities])
    asked.latest_message["metadata"] = {"language": detected, "language_before": before}
    messages, events = await run(actions.ActionChangeLanguage(), asked)
    assert [m["response"] for m in messages] == ["utter_language_changed"]
    assert events == [SlotSet("language", chosen)]
