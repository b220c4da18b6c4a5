"""Reading request bodies: every refusal says what was wrong and what to do instead."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def json_error(
    status: type[web.HTTPException], message: str, **arguments: Any
) -> web.HTTPException:
    return status(
        text=json.dumps({"error": message}, ensure_ascii=False),
        content_type="application/json",
        **arguments,
    )


# What a newcomer's client may send; Rasa's calls to the internal API carry the whole
# conversation (its NLG requests include the tracker) and may be larger.
PUBLIC_BODY_BYTES = 64 * 1024
INTERNAL_BODY_BYTES = 16 * 1024 * 1024


async def json_object(
    request: web.Request, *, max_bytes: int = INTERNAL_BODY_BYTES
) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > max_bytes:
        raise _too_large(request.content_length, max_bytes)
    raw = await request.read()
    if len(raw) > max_bytes:
        raise _too_large(len(raw), max_bytes)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise json_error(
            web.HTTPBadRequest,
            f"The request body is not UTF-8 (invalid byte at position {error.start}). "
            "Send the JSON encoded as UTF-8.",
        ) from error
    if not text.strip():
        raise json_error(web.HTTPBadRequest, "The request body is empty: send a JSON object.")
    try:
        body = json.loads(text)
    except json.JSONDecodeError as error:
        raise json_error(
            web.HTTPBadRequest,
            f"The request body is not valid JSON ({error.msg} at line {error.lineno}, "
            f"column {error.colno}).",
        ) from error
    if not isinstance(body, dict):
        raise json_error(web.HTTPBadRequest, "The request body must be a JSON object {...}.")
    return body


def _too_large(size: int, limit: int) -> web.HTTPException:
    return json_error(
        web.HTTPRequestEntityTooLarge,
        f"The request body is {size:,} bytes; the limit is {limit:,}. Send one message at a "
        "time, without attachments.",
        max_size=limit,
        actual_size=size,
    )


def required_text(body: dict[str, Any], field: str, *, max_length: int | None = None) -> str:
    value = body.get(field)
    if value is None:
        raise json_error(web.HTTPBadRequest, f"The field '{field}' is missing.")
    if not isinstance(value, str):
        raise json_error(web.HTTPBadRequest, f"The field '{field}' must be a string.")
    if not value.strip():
        raise json_error(web.HTTPBadRequest, f"The field '{field}' is empty.")
    if max_length is not None and len(value) > max_length:
        raise json_error(
            web.HTTPRequestEntityTooLarge,
            f"The field '{field}' is {len(value):,} characters long; the limit is "
            f"{max_length:,}. Please shorten it or send it in several parts.",
            max_size=max_length,
            actual_size=len(value),
        )
    return value


def optional_object(body: dict[str, Any], field: str) -> dict[str, Any]:
    value = body.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise json_error(web.HTTPBadRequest, f"The field '{field}' must be a JSON object.")
    return value
