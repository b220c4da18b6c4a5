"""`make run`'s action server stops without a traceback on Ctrl-C.

On Ctrl-C honcho sends every process SIGTERM, and again whenever one of the others exits
first. The action server, still waiting then for Rasa's idle keep-alive connection to close,
used to fail with "Event loop stopped before Future completed".
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time

from honcho.environ import parse_procfile

from bench.stack import ROOT, free_port

STARTED_SECONDS = 3


def wait_until_up(port: int, process: subprocess.Popen, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline and process.poll() is None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise AssertionError("the action server did not come up")


def test_the_action_server_stops_cleanly_when_signalled_twice() -> None:
    command = parse_procfile((ROOT / "Procfile").read_text()).processes["actions"]
    port = free_port()
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=ROOT,
        env={**os.environ, "LOTSE_ACTIONS_PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_until_up(port, process)
        # Sanic's manager answers before it has heard from its worker; a signal in that first
        # second breaks their pipe, which is another matter (Ctrl-C right at start).
        time.sleep(STARTED_SECONDS)
        kept_alive = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        kept_alive.request("GET", "/health")
        kept_alive.getresponse().read()
        os.killpg(process.pid, signal.SIGTERM)
        time.sleep(0.3)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
        kept_alive.close()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert "Traceback" not in output, output[-3000:]
