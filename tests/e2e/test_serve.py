"""`kepil serve` on the embedded default: migrates a fresh SQLite file and answers /healthz."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_serve_creates_the_sqlite_database_and_answers_healthz(
    serve: Callable[..., Any],
) -> None:
    server = serve(KEPIL_LOG_FORMAT="json")
    with urllib.request.urlopen(f"{server.base_url}/healthz", timeout=5) as response:  # noqa: S310
        status, body = response.status, json.load(response)
    server.stop()
    assert status == 200
    assert body["checks"]["database"]["backend"] == "sqlite"
    assert (Path(server.env["KEPIL_DATA_DIR"]) / "kepil.sqlite3").exists()
    records = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("msg") == "request" and r.get("path") == "/healthz"]
    assert requests
    assert requests[-1]["status"] == 200
    assert "duration_ms" in requests[-1]
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
