"""Rasa's REST channel format, served by Lotse: any client of Rasa's REST channel works."""

from __future__ import annotations

from aiohttp import web

from bot import keys
from bot.conversations import ConversationNotFound, conversation_key
from bot.message_path import Incoming, handle_incoming
from bot.privacy import forget_conversation
from bot.requests import (
    PUBLIC_BODY_BYTES,
    json_error,
    json_object,
    optional_object,
    required_text,
)

CHANNEL = "rest"
MAX_SENDER_LENGTH = 128

routes = web.RouteTableDef()


@routes.post("/webhooks/rest/webhook", name="rest_webhook")
async def webhook(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    body = await json_object(request, max_bytes=PUBLIC_BODY_BYTES)
    sender = required_text(body, "sender", max_length=MAX_SENDER_LENGTH)
    text = required_text(body, "message", max_length=settings.max_message_chars)
    metadata = optional_object(body, "metadata")
    language = metadata.get("language")
    if language is not None and language not in settings.languages:
        raise json_error(
            web.HTTPBadRequest,
            f"metadata.language {language!r} is not supported; use one of "
            f"{', '.join(settings.languages)}, or leave it out to have it detected.",
        )
    replies = await handle_incoming(request.app, Incoming(CHANNEL, sender, text, language))
    return web.json_response(replies)


@routes.delete("/webhooks/rest/conversations/{sender}", name="rest_forget")
async def forget(request: web.Request) -> web.Response:
    """The newcomer's right to be forgotten: the conversation and Rasa's copy of it."""
    try:
        await forget_conversation(
            request.app, conversation_key(CHANNEL, request.match_info["sender"])
        )
    except ConversationNotFound:
        raise json_error(
            web.HTTPNotFound, "There is no conversation with this sender (or it was deleted)."
        ) from None
    return web.Response(status=204)
