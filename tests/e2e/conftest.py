"""The real stack (rasa, actions, app) on free loopback ports, once per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.stack import Stack, StackError


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, model_path: str) -> Iterator[Stack]:
    rasa_model = os.environ.get("LOTSE_RASA_MODEL", "")
    if not rasa_model or not Path(rasa_model).exists():
        pytest.fail(
            "LOTSE_RASA_MODEL does not name a trained model: run the tests with `make test`"
        )
    stack = Stack(tmp_path_factory.mktemp("stack"), Path(rasa_model), model_path)
    try:
        stack.start()
    except StackError as error:
        stack.stop()
        pytest.fail(str(error))
    yield stack
    stack.stop()
