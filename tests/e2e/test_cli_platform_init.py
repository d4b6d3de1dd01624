"""`kepil platform init` from a terminal: a platform started from the permit the Ministry signed.

A TEST-PKI Ministry head signs the operator's permit (as in the ledger story); the operator
makes the platform's genesis from it, for the node `kepil serve` embeds or for a network, and
the genesis commits `ok` with receipts confirmed by the nodes it lists. Permits the nodes would
refuse are refused before anything is written.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kepil.entrypoints.node.network import free_port_run
from kepil.ledger import decode_tx

from .conftest import KEPIL, RunningServer
from .test_ledger_story_from_a_terminal import MINISTRY_BIN, OPERATOR, Terminal, _signed_permit

_UP_SECONDS = 90


def _kepil(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [KEPIL, *args], cwd=workdir, capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "KEPIL_DATA_DIR": str(workdir / "data"), **env},
    )  # fmt: skip


def _init(workdir: Path, directory: str, *options: str) -> subprocess.CompletedProcess[str]:
    return _kepil(
        workdir, "platform", "init", directory, "--cms", "permit.p7s",
        "--permit-file", "permit.json", "--trust-dir", "ca/trust",
        "--ministry-bin", MINISTRY_BIN, *options,
    )  # fmt: skip


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback
        return json.load(answer)


@pytest.fixture
def permitted(tmp_path: Path) -> Path:
    """A working directory with ca/ (the TEST Ministry CA), permit.json and permit.p7s."""
    _signed_permit(Terminal(tmp_path, ""))
    return tmp_path


def test_the_embedded_nodes_genesis_lists_its_own_key_and_its_receipt_confirms(
    permitted: Path, serve: Callable[..., RunningServer]
) -> None:
    made = _init(permitted, "platform", "--embedded")
    assert made.returncode == 0, made.stderr
    summary = json.loads(made.stdout)
    assert (summary["permit"], summary["operator"]) == ("PRM-2026-000001", OPERATOR)
    seed = permitted / "data" / "ledger" / "node-key.seed"
    for secret in (seed, permitted / "platform" / "operator.key"):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600, secret

    server = serve(
        KEPIL_TRUST_DIR=str(permitted / "ca" / "trust"), KEPIL_LEDGER_MINISTRY_BIN=MINISTRY_BIN
    )  # the same data directory: the node signs with the key genesis lists
    node = _get(f"{server.base_url}/api/v1/ledger/node")
    assert summary["nodes"] == [{"name": node["name"], "key": node["public_key"]}]
    submitted = _kepil(
        permitted, "wallet", "submit", "platform/genesis.json", "--wait", "10",
        KEPIL_PORT=str(server.port),
    )  # fmt: skip
    assert submitted.returncode == 0, submitted.stderr
    status = json.loads(submitted.stdout)
    assert (status["state"], status["code"]) == ("committed", "ok"), status

    receipt = _get(f"{server.base_url}/api/v1/ledger/transactions/{status['tx_id']}/receipt?wait=5")
    assert receipt["confirmed"] is True, receipt
    assert [c["node"] for c in receipt["checkpoints"]] == ["node-1"]
    assert "does not list this node's checkpoint key" not in server.logs()


def test_a_permit_under_a_ca_the_nodes_do_not_trust_is_refused_and_nothing_written(
    permitted: Path,
) -> None:
    assert _kepil(permitted, "pki", "init", "other").returncode == 0
    refused = _init(permitted, "platform", "--trust-dir", "other/trust")
    assert refused.returncode == 1
    [line] = refused.stderr.splitlines()
    assert line.startswith("kepil: error: the permit is refused (permit_signer_untrusted)")
    assert not (permitted / "platform").exists()


def test_a_permit_held_by_another_than_the_operator_is_refused(permitted: Path) -> None:
    refused = _init(permitted, "platform", "--operator-bin", "050840001233")
    assert refused.returncode == 1
    assert f"is held by {OPERATOR}, not the operator 050840001233" in refused.stderr
    assert not (permitted / "platform").exists()


@pytest.fixture
def network(permitted: Path) -> Path:
    """A one-node platform network made by `kepil platform init` on free loopback ports."""
    api, raft = free_port_run(1), free_port_run(1, low=32_000, high=33_000)
    made = _init(permitted, "net", "--nodes", "1", "--api-port", str(api), "--raft-port", str(raft))
    assert made.returncode == 0, made.stderr
    return permitted / "net"


def test_cluster_up_starts_the_network_and_its_genesis_permit_commits_ok(network: Path) -> None:
    cluster = json.loads((network / "cluster.json").read_text())
    genesis = json.loads((network / "genesis.json").read_text())
    payload = genesis["body"]["payload"]
    assert payload["nodes"] == [{"name": n["name"], "key": n["key"]} for n in cluster["nodes"]]
    toml = (network / "node-1.toml").read_text()
    assert f'ministry_bin = "{MINISTRY_BIN}"' in toml
    assert f'trust_dir = "{(network.parent / "ca" / "trust").resolve()}"' in toml

    log = network / "up.log"
    with log.open("w") as out:
        up = subprocess.Popen(
            [KEPIL, "cluster", "up", "--dir", str(network)], stdout=out, stderr=subprocess.STDOUT,
            env={**os.environ, "COLUMNS": "120"},
        )  # fmt: skip
    try:
        deadline = time.monotonic() + _UP_SECONDS
        while "committed ok" not in log.read_text() and up.poll() is None:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert up.poll() is None, log.read_text()
        tx_id = decode_tx((network / "genesis.json").read_bytes()).tx_id
        ledger = f"{cluster['nodes'][0]['api']}/api/v1/ledger/transactions/{tx_id}"
        status = _get(ledger)
        assert (status["state"], status["code"]) == ("committed", "ok"), status
        assert _get(f"{ledger}/receipt?wait=5")["confirmed"] is True
    finally:
        up.send_signal(signal.SIGINT)
        assert up.wait(timeout=60) == 0, log.read_text()


def test_the_permit_must_be_named_one_way(permitted: Path) -> None:
    neither = _kepil(permitted, "platform", "init", "platform")
    both = _kepil(
        permitted, "platform", "init", "platform", "--permit", "PRM-2026-000001",
        "--cms", "permit.p7s",
    )  # fmt: skip
    for refused in (neither, both):
        assert refused.returncode == 2
        assert refused.stderr.startswith("kepil: error: name the permit: --permit PRM-")
    assert not (permitted / "platform").exists()


def test_node_addresses_place_each_node_and_genesis_lists_them_all(permitted: Path) -> None:
    addresses = "127.0.0.1:28201:29201,127.0.0.1:28202:29202,127.0.0.1:28203:29203"
    made = _init(permitted, "net", "--node-addresses", addresses)
    assert made.returncode == 0, made.stderr
    cluster = json.loads((permitted / "net" / "cluster.json").read_text())
    assert [n["api"] for n in cluster["nodes"]] == [
        f"http://127.0.0.1:{port}" for port in (28201, 28202, 28203)
    ]
    genesis = json.loads((permitted / "net" / "genesis.json").read_text())
    assert [n["key"] for n in genesis["body"]["payload"]["nodes"]] == [
        n["key"] for n in cluster["nodes"]
    ]


def test_node_addresses_that_clash_are_refused_before_anything_is_written(
    permitted: Path,
) -> None:
    refused = _init(permitted, "net", "--node-addresses", "10.0.0.1,10.0.0.1")
    assert refused.returncode == 2
    assert "share an address" in refused.stderr
    assert not (permitted / "net").exists()


def test_the_embedded_node_takes_no_node_addresses(permitted: Path) -> None:
    refused = _init(permitted, "platform", "--embedded", "--node-addresses", "10.0.0.1")
    assert refused.returncode == 2
    assert "drop --node-addresses" in refused.stderr
    assert not (permitted / "platform").exists()
