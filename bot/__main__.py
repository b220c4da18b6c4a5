"""`python -m bot`: run Lotse's app with settings from the environment (LOTSE_*)."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.app import create_app
from bot.settings import Settings


def main() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings()
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        print=lambda _: print(
            f"Lotse app listening on http://{settings.host}:{settings.port}", flush=True
        ),
    )


if __name__ == "__main__":
    main()
