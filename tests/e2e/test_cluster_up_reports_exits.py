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
import typer

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


def _network(directory: Path, nodes: int, chain_id: str = "kepil-local") -> None:
    made = subprocess.run(
        [KEPIL, "cluster", "init", "--dir", str(directory), "--nodes", str(nodes),
         "--chain-id", chain_id, "--api-port", "28431", "--raft-port", "29431"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


def _genesis_for(directory: Path, chain_id: str) -> bytes:
    """A signed genesis (TEST key) listing the nodes of the network in `directory`."""
    from kepil.ledger import Window, build_tx, public_key_hex
    from kepil.ledger.crypto import SigningKey
    from kepil.ledger.handlers.genesis import Genesis, OperatorEntry
    from kepil.ledger.records import NodeKey

    key = SigningKey(bytes(range(32)))  # TEST fixture key, never a real operator's
    nodes = json.loads((directory / "cluster.json").read_text())["nodes"]
    payload = Genesis(
        "Test platform", OperatorEntry("120440056787", "Test", public_key_hex(key), ()),
        "", tuple(NodeKey(n["name"], n["key"]) for n in nodes),
    )  # fmt: skip
    window = Window(0, 4_000_000_000)
    return (
        build_tx(chain_id, payload, {"120440056787": 1}, window)
        .sign({"120440056787": key})
        .to_bytes()
    )


def _up(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KEPIL, "cluster", "up", "--dir", str(directory)],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip


def test_up_refuses_a_genesis_made_for_other_nodes_before_starting_any(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    _network(ours, 1)
    _network(theirs, 1)
    (ours / "genesis.json").write_bytes(_genesis_for(theirs, "kepil-local"))
    up = _up(ours)
    assert up.returncode == 2, up.stderr
    assert "is not this network's genesis: its node keys differ" in up.stderr
    assert not (ours / "node-1.log").exists()  # no node was started


def test_up_refuses_a_genesis_of_another_chain(tmp_path: Path) -> None:
    ours = tmp_path / "ours"
    _network(ours, 1)
    (ours / "genesis.json").write_bytes(_genesis_for(ours, "another-chain"))
    up = _up(ours)
    assert up.returncode == 2, up.stderr
    assert "its chain differ" in up.stderr
    assert not (ours / "node-1.log").exists()


def test_up_refuses_a_genesis_without_the_networks_files(tmp_path: Path) -> None:
    theirs, lone = tmp_path / "theirs", tmp_path / "lone"
    _network(theirs, 1)
    lone.mkdir()
    (lone / "genesis.json").write_bytes(_genesis_for(theirs, "kepil-local"))
    up = _up(lone)
    assert up.returncode == 2, up.stderr
    assert f"without {lone / 'cluster.json'}" in up.stderr
    assert not (lone / "cluster.json").exists()


def test_a_node_that_cannot_be_reached_is_reported_unreachable_not_refusing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    from kepil.entrypoints.cli.cluster_cmd import _submit_genesis
    from kepil.ledger import decode_tx

    _network(tmp_path / "net", 1)
    envelope = _genesis_for(tmp_path / "net", "kepil-local")
    closed = f"http://127.0.0.1:{free_port_run(1)}"  # nothing listens there
    with pytest.raises(typer.Exit) as failed:
        _submit_genesis(
            Console(stderr=True), tmp_path / "genesis.json",
            (envelope, decode_tx(envelope).tx_id), [closed],
        )  # fmt: skip
    assert failed.value.exit_code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "node unreachable" in line
    assert "refused" not in line.replace("Connection refused", "")
