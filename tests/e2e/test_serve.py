"""`kepil serve` on the embedded default: migrates a fresh SQLite file and answers /healthz."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get_json(url: str, deadline: float) -> tuple[int, Any]:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_serve_creates_the_sqlite_database_and_answers_healthz(
    kepil_executable: str, tmp_path: Path
) -> None:
    port = _free_port()
    env = {**os.environ, "KEPIL_DATA_DIR": str(tmp_path), "KEPIL_LOG_FORMAT": "json"}
    server = subprocess.Popen(
        [kepil_executable, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status, body = _get_json(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
    finally:
        server.terminate()
        _, logs = server.communicate(timeout=15)
    assert status == 200
    assert body["checks"]["database"]["backend"] == "sqlite"
    assert (tmp_path / "kepil.sqlite3").exists()
    records = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("msg") == "request" and r.get("path") == "/healthz"]
    assert requests
    assert requests[0]["status"] == 200
    assert "duration_ms" in requests[0]
    # Uvicorn shuts down cleanly, then re-raises SIGTERM so the exit status tells who stopped it.
    assert any(r.get("msg", "").startswith("Application shutdown complete") for r in records)


def test_serve_refuses_a_placeholder_secret_in_prod_mode(
    kepil_executable: str, tmp_path: Path
) -> None:
    env = {**os.environ, "KEPIL_DATA_DIR": str(tmp_path), "KEPIL_MODE": "prod"}
    done = subprocess.run(
        [kepil_executable, "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "KEPIL_SESSION_SECRET" in done.stderr
    assert "Traceback" not in done.stderr
