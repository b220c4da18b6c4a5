"""Starts Lotse's three processes on free loopback ports (for end-to-end tests and benchmarks)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class StackError(RuntimeError):
    """A process exited or the stack did not become healthy; the message carries the logs."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    data_dir: Path
    rasa_model: Path
    embedding_model: str
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    @property
    def app_url(self) -> str:
        return self.url("app")

    @property
    def rasa_url(self) -> str:
        return self.url("rasa")

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "LOTSE_PORT": str(self.ports["app"]),
            "LOTSE_DATA_DIR": str(self.data_dir),
            "LOTSE_DATABASE_URL": "",
            "LOTSE_INDEX_DIR": str(self.data_dir / "index"),
            "LOTSE_APP_URL": self.url("app"),
            "LOTSE_RASA_URL": self.url("rasa"),
            "LOTSE_ACTIONS_URL": self.url("actions"),
            "LOTSE_RASA_TRACKER_DB": str(self.data_dir / "rasa-tracker.db"),
            "LOTSE_EMBEDDING_MODEL": self.embedding_model,
            "LOTSE_ARGOS_DIR": str(self.data_dir / "argos"),
            "LOTSE_ARGOS_MODELS_DIR": str(self.data_dir / "argos" / "models"),
            "RASA_TELEMETRY_ENABLED": "false",
            # rasa-sdk has no --interface option; it binds SANIC_HOST, else every interface.
            "SANIC_HOST": "127.0.0.1",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "HOME": str(self.data_dir),
            **self.extra_env,
        }

    def log(self, name: str) -> str:
        path = self.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _start(self, name: str, command: list[str]) -> None:
        with (self.data_dir / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    def start(self, timeout_seconds: float = 240) -> None:
        """Import the sample content, start rasa, actions and app, wait for /health."""
        self.ports = {name: free_port() for name in ("app", "rasa", "actions")}
        self.data_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "knowledge_base", "sync"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        rasa = str(ROOT / ".venv-rasa" / "bin" / "rasa")
        self._start(
            "rasa",
            [
                rasa,
                "run",
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.ports["rasa"]),
                "--model",
                str(self.rasa_model),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
        )
        self._start(
            "actions",
            [
                sys.executable,
                "-m",
                "rasa_sdk",
                "--actions",
                "actions",
                "--port",
                str(self.ports["actions"]),
            ],
        )
        self._start("app", [sys.executable, "-m", "bot"])
        self.wait_until_healthy(timeout_seconds)

    def wait_until_healthy(self, timeout_seconds: float) -> None:
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise StackError(f"{name} exited early:\n{self.log(name)[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.app_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(1)
        logs = "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name in self.processes)
        raise StackError(f"the stack was not healthy after {timeout_seconds:.0f}s\n{logs}")

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
