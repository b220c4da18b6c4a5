"""The app's internal API for the action server and for Rasa's NLG calls.

Bound to loopback like the rest; when LOTSE_INTERNAL_TOKEN is set, callers must send it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web

from bot import keys
from bot.answers import compose_answer
from bot.conversations import ConversationNotFound
from bot.nlg import UnknownResponse
from bot.requests import json_error, json_object, optional_object, required_text
from bot.storage.models import HandoffReason
from knowledge_base.answer import Notice
from translations.languages import language_name

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


async def _language_of(app: web.Application, sender_id: str) -> str:
    conversation = await app[keys.CONVERSATIONS].find(sender_id)
    return conversation.language if conversation else app[keys.SETTINGS].default_language


@routes.post("/internal/answer", name="internal_answer")
async def answer(request: web.Request) -> web.Response:
    """Answer a question from the knowledge base, composed in the conversation's language."""
    body = await json_object(request)
    sender_id = required_text(body, "sender_id")
    question = required_text(
        body, "question", max_length=request.app[keys.SETTINGS].max_message_chars
    )
    language = await _language_of(request.app, sender_id)
    knowledge = request.app[keys.KNOWLEDGE]
    result = await asyncio.get_running_loop().run_in_executor(
        None, knowledge.ask, question, language
    )
    await _record_query(request.app, sender_id, result)
    reply: dict[str, Any] = {
        "answered": result.answered,
        "language": language,
        "score": round(result.score, 4),
        "entry_id": result.entry_id,
        "page_id": result.page_id,
    }
    if result.answered:
        reply["text"] = compose_answer(result, language, request.app[keys.CATALOGS])
        reply["text_language"] = result.language
        reply["status"] = result.status.value if result.status else None
        reply["machine_translated"] = result.notice == Notice.MACHINE_TRANSLATED
    return web.json_response(reply)


@routes.post("/internal/original", name="internal_original")
async def original(request: web.Request) -> web.Response:
    """The text a machine-translated answer came from, for the "show the original" button."""
    body = await json_object(request)
    sender_id = required_text(body, "sender_id")
    entry_id = required_text(body, "entry_id")
    language = await _language_of(request.app, sender_id)
    found = request.app[keys.KNOWLEDGE].original(entry_id, language)
    if found is None:
        return web.json_response({"found": False})
    original_language, text = found
    return web.json_response(
        {
            "found": True,
            "language": original_language,
            "language_name": language_name(original_language, language),
            "text": text,
        }
    )


async def _record_query(app: web.Application, sender_id: str, result: Any) -> None:
    try:
        await app[keys.CONVERSATIONS].record_query(
            sender_id,
            answered=result.answered,
            score=result.score,
            entry_id=result.entry_id,
            page_id=result.page_id,
        )
    except ConversationNotFound:
        log.debug("question from a sender without a stored conversation (Rasa called directly)")


@routes.post("/internal/handoff", name="internal_handoff")
async def handoff(request: web.Request) -> web.Response:
    body = await json_object(request)
    sender_id = required_text(body, "sender_id")
    reason_text = body.get("reason", HandoffReason.REQUESTED.value)
    try:
        reason = HandoffReason(reason_text)
    except ValueError:
        raise json_error(
            web.HTTPBadRequest,
            f"reason {reason_text!r} is not one of {[r.value for r in HandoffReason]}.",
        ) from None
    try:
        request_id, created = await request.app[keys.CONVERSATIONS].request_handoff(
            sender_id, reason
        )
    except ConversationNotFound:
        raise json_error(web.HTTPNotFound, f"No conversation {sender_id!r}.") from None
    log.info("handoff request %d (%s, new=%s)", request_id, reason.value, created)
    return web.json_response({"id": request_id, "created": created})


@routes.post("/internal/feedback", name="internal_feedback")
async def feedback(request: web.Request) -> web.Response:
    body = await json_object(request)
    sender_id = required_text(body, "sender_id")
    helpful = body.get("helpful")
    if not isinstance(helpful, bool):
        raise json_error(web.HTTPBadRequest, "The field 'helpful' must be true or false.")
    entry_id = body.get("entry_id")
    if entry_id is not None and not isinstance(entry_id, str):
        raise json_error(web.HTTPBadRequest, "The field 'entry_id' must be a string or null.")
    try:
        await request.app[keys.CONVERSATIONS].record_feedback(sender_id, entry_id, helpful)
    except ConversationNotFound:
        raise json_error(web.HTTPNotFound, f"No conversation {sender_id!r}.") from None
    return web.json_response({"stored": True})


@routes.post("/internal/language", name="internal_language")
async def set_language(request: web.Request) -> web.Response:
    """The newcomer chose a language: it wins over detection from now on."""
    body = await json_object(request)
    sender_id = required_text(body, "sender_id")
    language = required_text(body, "language")
    supported = request.app[keys.SETTINGS].languages
    if language not in supported:
        raise json_error(
            web.HTTPBadRequest,
            f"language {language!r} is not supported; use one of {', '.join(supported)}.",
        )
    try:
        await request.app[keys.CONVERSATIONS].set_language(sender_id, language)
    except ConversationNotFound:
        raise json_error(web.HTTPNotFound, f"No conversation {sender_id!r}.") from None
    return web.json_response(
        {"language": language, "language_name": language_name(language, language)}
    )


@routes.post("/internal/nlg", name="internal_nlg")
async def nlg(request: web.Request) -> web.Response:
    """Rasa's NLG endpoint protocol: {response, arguments, tracker, channel} -> a message."""
    body = await json_object(request)
    name = required_text(body, "response")
    arguments = optional_object(body, "arguments")
    tracker = optional_object(body, "tracker")
    slots = tracker.get("slots") or {}
    sender_id = tracker.get("sender_id")
    conversation = (
        await request.app[keys.CONVERSATIONS].find(sender_id)
        if isinstance(sender_id, str)
        else None
    )
    language = (
        arguments.get("language")
        or (conversation.language if conversation else None)
        or slots.get("language")
        or request.app[keys.SETTINGS].default_language
    )
    if language not in request.app[keys.SETTINGS].languages:
        language = request.app[keys.SETTINGS].default_language
    values = {**slots, "language_name": language_name(language, language), **arguments}
    try:
        message = request.app[keys.RESPONSES].render(name, language, values)
    except UnknownResponse:
        raise json_error(web.HTTPNotFound, f"domain.yml defines no response {name!r}.") from None
    return web.json_response(message)


@web.middleware
async def require_internal_token(request: web.Request, handler: Any) -> web.StreamResponse:
    token = request.app[keys.SETTINGS].internal_token
    if (
        token
        and request.path.startswith("/internal/")
        and request.headers.get("Authorization") != f"Bearer {token}"
    ):
        raise json_error(
            web.HTTPUnauthorized, "The internal API needs 'Authorization: Bearer <token>'."
        )
    return await handler(request)
