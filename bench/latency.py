"""Latency of a conversation turn through Lotse's REST channel, next to Rasa alone.

`python -m bench.latency [--app-url URL --rasa-url URL] [--turns N] [--pause SECONDS]`

Without URLs it starts its own stack on free loopback ports (like the end-to-end tests).
Each sender asks a question the sample knowledge base covers, so a turn goes the whole way:
app (store, language) -> Rasa -> action server -> app's knowledge API -> Rasa (NLG) -> app.
The same turn is then sent straight to Rasa's own REST channel (still with the action server
and the app's NLG and knowledge API behind it), so the difference is what the app's
channel layer adds. By default a sender sends its next question as soon as the reply is
there (a stress test: ten such senders keep two cores busy); `--pause` makes each wait that
long between turns, as a person reading and typing does, and staggers their starts. Prints;
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp

from bench.stack import ROOT, Stack

QUESTIONS = [
    "Wie melde ich mich für einen Integrationskurs an?",
    "How do I apply for a Wohnberechtigungsschein?",
    "كيف أجد مكانا في روضة الأطفال لطفلي؟",
    "Як визнати мій диплом у Німеччині?",
    "Almanca kursları ücretsiz mi?",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _sender(
    http: aiohttp.ClientSession,
    url: str,
    turns: int,
    rasa_direct: bool,
    pause: float = 0.0,
    delay: float = 0.0,
) -> list[float]:
    sender = uuid.uuid4().hex
    if rasa_direct:
        sender = f"rest:{sender}"
    timings = []
    await asyncio.sleep(delay)  # staggers the senders
    for turn in range(turns):
        if turn:
            await asyncio.sleep(pause)
        body = {"sender": sender, "message": QUESTIONS[turn % len(QUESTIONS)]}
        started = time.perf_counter()
        async with http.post(f"{url}/webhooks/rest/webhook", json=body) as response:
            replies = await response.json()
            if response.status != 200 or not replies:
                raise RuntimeError(f"turn failed at {url}: HTTP {response.status} {replies}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


async def measure(
    url: str, concurrency: int, turns: int, rasa_direct: bool, pause: float = 0.0
) -> list[float]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await _sender(http, url, 1, rasa_direct)  # warm-up
        results = await asyncio.gather(
            *(
                _sender(http, url, turns, rasa_direct, pause, pause * i / concurrency)
                for i in range(concurrency)
            )
        )
    return [t for timings in results for t in timings]


def run(app_url: str, rasa_url: str, turns: int, pause: float = 0.0) -> None:
    if pause:
        print(f"each sender pauses {pause:g} s between turns")
    print(f"{'path':<28}{'senders':>8}{'turns':>7}{'p50 ms':>9}{'p95 ms':>9}{'turns/s':>9}")
    for concurrency in (1, 10):
        for label, url, direct in (
            ("Lotse REST channel", app_url, False),
            ("Rasa REST channel alone", rasa_url, True),
        ):
            started = time.perf_counter()
            timings = asyncio.run(measure(url, concurrency, turns, direct, pause))
            elapsed = time.perf_counter() - started
            print(
                f"{label:<28}{concurrency:>8}{len(timings):>7}"
                f"{statistics.median(timings):>9.0f}{percentile(timings, 0.95):>9.0f}"
                f"{len(timings) / elapsed:>9.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__)
    parser.add_argument("--app-url")
    parser.add_argument("--rasa-url")
    parser.add_argument("--turns", type=int, default=20, help="turns per sender")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds a sender waits between its turns"
    )
    args = parser.parse_args()
    if args.pause < 0:
        parser.error("--pause must be 0 or more")
    if args.app_url and args.rasa_url:
        run(args.app_url, args.rasa_url, args.turns, args.pause)
        return
    model = os.environ.get("LOTSE_RASA_MODEL")
    if not model:
        raise SystemExit("set LOTSE_RASA_MODEL (make does) or pass --app-url and --rasa-url")
    embedding = os.environ.get(
        "LOTSE_EMBEDDING_MODEL", str(ROOT / "var" / "models" / "multilingual-e5-small")
    )
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as data_dir:
        stack = Stack(Path(data_dir), Path(model), embedding)
        try:
            stack.start()
            run(stack.app_url, stack.rasa_url, args.turns, args.pause)
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
