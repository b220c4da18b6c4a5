"""The real stack (rasa, actions, app) on free loopback ports, once per test session, with a
tiny real Argos package in the models folder that the app installs when it starts."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stack import Stack, StackError
from tests.translations.tiny_argos import build_packages

# The sample content has no French text: French answers are machine-translated from German.
MACHINE_PAIRS = [("de", "fr")]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, model_path: str) -> Iterator[Stack]:
    rasa_model = os.environ.get("LOTSE_RASA_MODEL", "")
    if not rasa_model or not Path(rasa_model).exists():
        pytest.fail(
            "LOTSE_RASA_MODEL does not name a trained model: run the tests with `make test`"
        )
    data_dir = tmp_path_factory.mktemp("stack")
    build_packages(data_dir / "argos" / "models", MACHINE_PAIRS)
    stack = Stack(data_dir, Path(rasa_model), model_path)
    try:
        stack.start()
    except StackError as error:
        stack.stop()
        pytest.fail(str(error))
    yield stack
    stack.stop()
