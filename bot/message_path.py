"""The path of a newcomer's message, whatever channel it came by.

store it -> settle its language -> is a person holding the conversation? -> Rasa -> store
the replies. A message is on disk before anything can fail, so nothing is lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot import keys
from bot.conversations import ConversationView, Received
from bot.rasa_client import RasaUnavailable
from bot.storage.models import ConversationState, DeliveryStatus
from translations import messages
from translations.language_id import LanguageChoice, choose_language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    channel: str
    sender: str
    text: str
    requested_language: str | None = None


async def handle_incoming(app: web.Application, incoming: Incoming) -> list[dict[str, Any]]:
    settings = app[keys.SETTINGS]
    detector = app[keys.DETECTOR]

    def settle_language(conversation: ConversationView | None) -> LanguageChoice:
        return choose_language(
            incoming.text,
            detector,
            current=conversation.language if conversation else None,
            current_explicit=conversation.language_explicit if conversation else False,
            requested=incoming.requested_language,
            default=settings.default_language,
        )

    conversations = app[keys.CONVERSATIONS]
    received = await conversations.receive(
        incoming.channel, incoming.sender, incoming.text, settle_language
    )
    conversation = received.conversation
    log.info(
        "message %d in conversation %d (%s, %d chars)",
        received.message_id,
        conversation.id,
        conversation.language,
        len(incoming.text),
    )
    if conversation.state == ConversationState.WITH_PERSON:
        return []
    return await _ask_rasa(app, incoming, received)


async def _ask_rasa(
    app: web.Application, incoming: Incoming, received: Received
) -> list[dict[str, Any]]:
    conversation = received.conversation
    conversations = app[keys.CONVERSATIONS]
    metadata = {
        "language": conversation.language,
        "language_before": received.language_before,
        "channel": incoming.channel,
    }
    try:
        replies = await app[keys.RASA].send(conversation.key, incoming.text, metadata)
    except RasaUnavailable as error:
        log.warning("message %d kept undelivered: %s", received.message_id, error)
        text = app[keys.CATALOGS].gettext(conversation.language, messages.UNAVAILABLE)
        await conversations.record_replies(received, [], DeliveryStatus.UNDELIVERED)
        return [
            {
                "recipient_id": incoming.sender,
                "text": text,
                "custom": {"error": "assistant_unavailable"},
            }
        ]
    for reply in replies:
        reply["recipient_id"] = incoming.sender
    await conversations.record_replies(received, replies, DeliveryStatus.DELIVERED)
    return replies
