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

    again = _init(permitted, "again", "--embedded")  # its genesis is there: no second one
    assert again.returncode == 1, again.stderr
    assert "holds a chain already" in again.stderr
    assert not (permitted / "again").exists()


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


def _one_error(done: subprocess.CompletedProcess[str]) -> str:
    """The one `kepil: error:` line of a refused run (exit 2), no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    [line] = done.stderr.splitlines()
    assert line.startswith("kepil: error: "), line
    return line


def test_a_genesis_that_cannot_be_made_leaves_nothing_behind_and_a_retry_works(
    permitted: Path,
) -> None:
    ports = ("--nodes", "1", "--api-port", "28411", "--raft-port", "29411")
    refused = _init(permitted, "net", *ports, "--chain-id", "c" * 101)
    assert "no genesis can be made" in _one_error(refused)
    assert not (permitted / "net").exists()
    assert [p.name for p in permitted.iterdir() if p.name.startswith(".net")] == []
    assert _init(permitted, "net", *ports).returncode == 0
    assert (permitted / "net" / "genesis.json").exists()


def _expired(genesis: Path, operator_key: Path) -> bytes:
    """The same genesis re-signed with a window that closed yesterday."""
    from kepil.ledger.crypto import SigningKey
    from kepil.ledger.tx import unsigned_from_body

    body = dict(decode_tx(genesis.read_bytes()).unsigned.body)
    body["not_before"], body["not_after"] = int(time.time()) - 9 * 86400, int(time.time()) - 86400
    seed = [line for line in operator_key.read_text().splitlines() if not line.startswith("#")]
    key = SigningKey(bytes.fromhex(seed[0]))
    return unsigned_from_body(body).sign({OPERATOR: key}).to_bytes()


def test_an_expired_genesis_is_remade_for_the_networks_own_nodes(network: Path) -> None:
    seeds = {path: path.read_bytes() for path in network.glob("node-*/node-key.seed")}
    assert seeds
    (network / "genesis.json").write_bytes(
        _expired(network / "genesis.json", network / "operator.key")
    )

    remade = _init(network.parent, "net")
    assert remade.returncode == 0, remade.stderr
    genesis = decode_tx((network / "genesis.json").read_bytes()).unsigned
    assert genesis.not_after > time.time()
    cluster = json.loads((network / "cluster.json").read_text())
    assert genesis.payload["nodes"] == [
        {"name": n["name"], "key": n["key"]} for n in cluster["nodes"]
    ]
    assert {path: path.read_bytes() for path in seeds} == seeds  # the node keys stay


def test_a_genesis_still_valid_is_not_replaced(network: Path) -> None:
    before = (network / "genesis.json").read_bytes()
    assert "stays valid until" in _one_error(_init(network.parent, "net"))
    assert (network / "genesis.json").read_bytes() == before


def test_node_addresses_take_only_a_hostname_an_ipv4_or_a_bracketed_ipv6_address(
    permitted: Path,
) -> None:
    for bad in ("10.0.0.1/24", "node one", "999.0.0.1", "::1", "[not-ipv6]", "-node.kz"):
        line = _one_error(_init(permitted, "net", "--node-addresses", f"10.0.0.9,{bad}"))
        assert "is neither HOST nor HOST:API_PORT:RAFT_PORT" in line, bad
        assert not (permitted / "net").exists()


def test_nodes_on_other_machines_get_their_anchors_and_the_real_next_steps(permitted: Path) -> None:
    made = _init(permitted, "net", "--node-addresses", "10.0.0.1,node-2.example.kz,[fd00::3]")
    assert made.returncode == 0, made.stderr
    network = permitted / "net"
    assert 'trust_dir = "trust"' in (network / "node-1.toml").read_text()
    anchors = network.parent / "ca" / "trust"
    assert sorted(p.name for p in (network / "trust").rglob("*")) == sorted(
        p.name for p in anchors.rglob("*")
    )
    assert "kepil node --config node-N.toml" in made.stderr
    assert "cluster.password" in made.stderr
    assert "kepil wallet submit net/genesis.json --url http://10.0.0.1:8101" in made.stderr
    assert "kepil cluster up" not in made.stderr


def test_offline_the_registry_check_is_said_to_be_skipped_and_advisory(permitted: Path) -> None:
    made = _init(permitted, "net", "--nodes", "1", "--api-port", "28421", "--raft-port", "29421")
    assert made.returncode == 0, made.stderr
    assert "the state registry was not asked" in made.stderr
    assert "never the registry" in made.stderr


def test_the_embedded_nodes_unreadable_key_or_ledger_gives_one_line_and_writes_nothing(
    permitted: Path,
) -> None:
    ledger = permitted / "data" / "ledger"
    ledger.mkdir(parents=True)
    (ledger / "node-key.seed").write_text("not a seed\n")
    assert "the embedded node's key" in _one_error(_init(permitted, "platform", "--embedded"))
    (ledger / "node-key.seed").unlink()
    ledger.rmdir()
    ledger.write_text("a file where the ledger directory goes\n")
    assert "the embedded node's key" in _one_error(_init(permitted, "platform", "--embedded"))
    assert not (permitted / "platform").exists()


def test_options_a_mode_would_ignore_are_refused(permitted: Path) -> None:
    cases = [
        (("--embedded", "--nodes", "3"), "--embedded is the one node"),
        (("--embedded", "--api-port", "8200"), "drop --api-port"),
        (("--server", "http://127.0.0.1:1"), "--cms reads the permit offline"),
        (("--node-addresses", "10.0.0.1", "--nodes", "3"), "one node per address"),
        (("--embedded", "--chain-id", "another-chain"), "the embedded node runs"),
    ]
    for options, why in cases:
        assert why in _one_error(_init(permitted, "platform", *options)), options
    assert not (permitted / "platform").exists()


def test_the_operator_bin_is_read_without_surrounding_spaces(permitted: Path) -> None:
    made = _init(permitted, "platform", "--embedded", "--operator-bin", f" {OPERATOR} ")
    assert made.returncode == 0, made.stderr


def test_an_invalid_environment_setting_is_one_line(permitted: Path) -> None:
    refused = _kepil(
        permitted, "platform", "init", "platform", "--cms", "permit.p7s",
        KEPIL_LEDGER_SIGNATURE_WORKERS="many",
    )  # fmt: skip
    assert "KEPIL_LEDGER_SIGNATURE_WORKERS" in _one_error(refused)
