"""Lotse's custom actions: thin, they ask the app and say what it answered.

Every text they utter is a response from domain.yml, rendered by the app in the
conversation's language; the actions only choose which one and fill in the answer.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.lotse_api import LotseApi, LotseApiError
from translations.languages import SUPPORTED_LANGUAGES, language_named_in

log = logging.getLogger(__name__)

api = LotseApi()

DomainDict = dict[str, Any]


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        try:
            result = await api.answer(tracker.sender_id, question)
        except LotseApiError as error:
            log.warning("no answer from the knowledge base: %s", error)
            result = {"answered": False}
        if result.get("answered"):
            machine = result.get("machine_translated")
            response = "utter_answer_machine" if machine else "utter_answer"
            dispatcher.utter_message(response=response, answer=result["text"])
            return [
                SlotSet("last_entry_id", result.get("entry_id")),
                SlotSet("human_offered", False),
            ]
        dispatcher.utter_message(response="utter_no_answer")
        return [SlotSet("last_entry_id", None), SlotSet("human_offered", True)]


class ActionRequestHuman(Action):
    """Records the wish for a person; the volunteer console picks the request up."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reason = "requested"
        if tracker.get_slot("human_offered"):
            helpful = tracker.get_slot("feedback_value")
            reason = "not_helpful" if helpful == "not_helpful" else "no_answer"
        try:
            result = await api.request_handoff(tracker.sender_id, reason)
        except LotseApiError as error:
            log.error("could not store the handoff request: %s", error)
            dispatcher.utter_message(response="utter_no_answer")
            return [SlotSet("human_offered", True)]
        response = (
            "utter_handoff_requested"
            if result.get("created")
            else ("utter_handoff_already_requested")
        )
        dispatcher.utter_message(response=response)
        return [SlotSet("human_offered", False), SlotSet("feedback_value", None)]


class ActionChangeLanguage(Action):
    def name(self) -> str:
        return "action_change_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        language = _requested_language(tracker)
        if not language:
            dispatcher.utter_message(response="utter_ask_language")
            return []
        try:
            await api.set_language(tracker.sender_id, language)
        except LotseApiError as error:
            log.warning("language change to %s refused: %s", language, error)
            dispatcher.utter_message(response="utter_ask_language")
            return []
        dispatcher.utter_message(response="utter_language_changed", language=language)
        return [SlotSet("language", language)]


def _requested_language(tracker: Tracker) -> str | None:
    """NLU maps language names to codes; where it missed one, the name is looked up. A
    message that names two ("from English to German") asks for the one the conversation is
    not in yet; a first message ("switch from French to English") has no such language yet,
    and the last one named wins."""
    current = _language_before(tracker)
    named = [
        entity if entity in SUPPORTED_LANGUAGES else language_named_in(entity, current=current)
        for entity in tracker.get_latest_entity_values("language")
    ]
    others = [code for code in named if code and code != current]
    if others:
        return others[-1]
    text = tracker.latest_message.get("text") or ""
    return language_named_in(text, current=current) or next(filter(None, named), None)


def _language_before(tracker: Tracker) -> str | None:
    """The conversation's language before the latest message, which the app passes on: the
    app may have switched to the language the message itself is written in."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("language_before")


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        value = next(tracker.get_latest_entity_values("feedback_value"), None)
        value = value or tracker.get_slot("feedback_value")
        helpful = value != "not_helpful"
        try:
            await api.record_feedback(tracker.sender_id, tracker.get_slot("last_entry_id"), helpful)
        except LotseApiError as error:
            log.warning("feedback not stored: %s", error)
        if helpful:
            dispatcher.utter_message(response="utter_feedback_thanks")
            return [SlotSet("human_offered", False)]
        dispatcher.utter_message(response="utter_feedback_sorry")
        return [SlotSet("human_offered", True)]


class ActionDeclineHuman(Action):
    def name(self) -> str:
        return "action_decline_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet("human_offered", False), SlotSet("feedback_value", None)]


class ActionShowOriginal(Action):
    """Shows the curated text a machine-translated answer came from."""

    def name(self) -> str:
        return "action_show_original"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        entry_id = tracker.get_slot("last_entry_id")
        result: dict[str, Any] = {"found": False}
        if entry_id:
            try:
                result = await api.original(tracker.sender_id, entry_id)
            except LotseApiError as error:
                log.warning("no original from the knowledge base: %s", error)
        if result.get("found"):
            dispatcher.utter_message(
                response="utter_original",
                original=result["text"],
                language_name=result["language_name"],
            )
        else:
            dispatcher.utter_message(response="utter_no_original")
        return []
