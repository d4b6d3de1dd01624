"""`kepil cluster up` says why a node exited and fails when no majority runs.

Another server holds node-1's API port and answers /healthz like a node would: `up` used to
count that as node-1 being ready, print "1 nodes running" and go on watching nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kepil.entrypoints.node.network import free_port_run

from .conftest import KEPIL


class _Impostor(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"status": "ok", "node": "impostor", "height": 0, "leader": "x"})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port on which another server answers /healthz."""
    port = free_port_run(2)
    server = ThreadingHTTPServer(("127.0.0.1", port), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()


def test_a_node_that_cannot_bind_is_reported_with_its_reason_and_up_fails(
    tmp_path: Path, taken_port: int
) -> None:
    network = tmp_path / "net"
    raft_port = free_port_run(1)
    init = subprocess.run(
        [KEPIL, "cluster", "init", "--dir", str(network), "--nodes", "1",
         "--api-port", str(taken_port), "--raft-port", str(raft_port)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    up = subprocess.run(
        [KEPIL, "cluster", "up", "--dir", str(network)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert up.returncode == 1, up.stderr
    assert "Traceback" not in up.stderr
    assert "nodes running" not in up.stderr.replace("0 of 1 nodes running", "")
    [exited] = [line for line in up.stderr.splitlines() if "node-1 exited" in line]
    assert "address already in use" in exited
    assert "kepil: error: 0 of 1 nodes running, a majority needs 1" in up.stderr


def test_status_shows_another_server_on_a_nodes_port_as_down(taken_port: int) -> None:
    done = subprocess.run(
        [KEPIL, "cluster", "status", "--url", f"http://127.0.0.1:{taken_port}", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr
    assert done.returncode == 1
    assert json.loads(done.stdout)["nodes"] == [
        {"url": f"http://127.0.0.1:{taken_port}", "state": "down"}
    ]
