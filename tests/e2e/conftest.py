"""Starts the real stack (rasa, actions, app) on free loopback ports, once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port

STARTUP_SECONDS = 240


@dataclass
class Stack:
    app_url: str
    rasa_url: str
    actions_url: str
    data_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, name: str, command: list[str]) -> None:
        log = (self.data_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def wait_until_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    pytest.fail(f"{name} exited early:\n{self.log(name)[-4000:]}")
            try:
                if requests.get(f"{self.app_url}/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        logs = "\n".join(f"--- {n}\n{self.log(n)[-3000:]}" for n in self.processes)
        pytest.fail(f"the stack did not become healthy in {STARTUP_SECONDS}s\n{logs}")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, model_path: str) -> Iterator[Stack]:
    rasa_model = os.environ.get("LOTSE_RASA_MODEL", "")
    if not rasa_model or not Path(rasa_model).exists():
        pytest.fail(
            "LOTSE_RASA_MODEL does not name a trained model: run the tests with `make test`"
        )
    data_dir = tmp_path_factory.mktemp("stack")
    ports = {name: free_port() for name in ("app", "rasa", "actions")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        **os.environ,
        "LOTSE_PORT": str(ports["app"]),
        "LOTSE_DATA_DIR": str(data_dir),
        "LOTSE_APP_URL": urls["app"],
        "LOTSE_RASA_URL": urls["rasa"],
        "LOTSE_ACTIONS_URL": urls["actions"],
        "LOTSE_RASA_TRACKER_DB": str(data_dir / "rasa-tracker.db"),
        "LOTSE_EMBEDDING_MODEL": model_path,
        "RASA_TELEMETRY_ENABLED": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HOME": str(data_dir),
    }
    stack = Stack(urls["app"], urls["rasa"], urls["actions"], data_dir, env)
    subprocess.run(
        [sys.executable, "-m", "knowledge_base", "sync"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    rasa = str(ROOT / ".venv-rasa" / "bin" / "rasa")
    stack.start(
        "rasa",
        [
            rasa,
            "run",
            "--interface",
            "127.0.0.1",
            "--port",
            str(ports["rasa"]),
            "--model",
            rasa_model,
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ],
    )
    stack.start(
        "actions",
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(ports["actions"])],
    )
    stack.start("app", [sys.executable, "-m", "bot"])
    try:
        stack.wait_until_healthy()
        yield stack
    finally:
        stack.stop()
