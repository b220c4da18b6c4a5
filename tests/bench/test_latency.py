"""bench/latency.py's senders: every turn timed, a refused turn fails the run, pauses kept."""

from __future__ import annotations

import itertools
import time

import pytest
from aiohttp import web

from bench.latency import measure, percentile


def rest_channel(arrivals: list[tuple[str, float]], *, answer: bool = True) -> web.Application:
    """Answers like Rasa's REST channel and notes who asked when."""

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        arrivals.append((body["sender"], time.perf_counter()))
        if not answer:
            return web.json_response([], status=500)
        return web.json_response([{"recipient_id": body["sender"], "text": "ok"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    return app


def base_url(server) -> str:
    return str(server.make_url("")).rstrip("/")


async def test_each_sender_pauses_between_its_turns_and_starts_staggered(aiohttp_server) -> None:
    arrivals: list[tuple[str, float]] = []
    server = await aiohttp_server(rest_channel(arrivals))

    timings = await measure(base_url(server), 2, 3, rasa_direct=True, pause=0.2)

    assert len(timings) == 6 and all(t > 0 for t in timings)
    by_sender: dict[str, list[float]] = {}
    for sender, at in arrivals[1:]:  # the first is the warm-up turn
        by_sender.setdefault(sender, []).append(at)
    assert len(by_sender) == 2 and all(s.startswith("rest:") for s in by_sender)
    for times in by_sender.values():
        assert len(times) == 3
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.2
    first, second = sorted(times[0] for times in by_sender.values())
    assert second - first >= 0.09  # the second sender starts half a pause later


async def test_a_turn_without_a_reply_fails_the_run(aiohttp_server) -> None:
    server = await aiohttp_server(rest_channel([], answer=False))
    with pytest.raises(RuntimeError, match="turn failed"):
        await measure(base_url(server), 1, 1, rasa_direct=False)


def test_percentile_picks_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([7.0], 0.95) == 7.0
