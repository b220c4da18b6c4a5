"""`GET /health`: 200 once the app, Rasa and the action server all answer; else which is down."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot import keys

routes = web.RouteTableDef()


async def _database_ok(app: web.Application) -> bool:
    try:
        async with app[keys.ENGINE].connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def _actions_ok(app: web.Application) -> bool:
    url = app[keys.SETTINGS].actions_url.rstrip("/") + "/health"
    try:
        async with app[keys.HTTP].get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
            return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


@routes.get("/health", name="health")
async def health(request: web.Request) -> web.Response:
    app = request.app
    database, rasa, actions = await asyncio.gather(
        _database_ok(app), app[keys.RASA].is_ready(), _actions_ok(app)
    )
    parts = {
        "app": "ok",
        "database": "ok" if database else "down",
        "knowledge_base": "ok",
        "rasa": "ok" if rasa else "down",
        "actions": "ok" if actions else "down",
    }
    down = [name for name, state in parts.items() if state != "ok"]
    return web.json_response(
        {"status": "ok" if not down else "degraded", "down": down, "parts": parts},
        status=200 if not down else 503,
    )
