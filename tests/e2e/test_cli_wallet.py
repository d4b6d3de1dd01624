"""The wallet from a terminal against a served ledger node, and the ledger benchmark contract.

main.py registers the `wallet` and `bench` sub-apps; these tests mount them on a root of their
own (as main.py does) and run them in-process with Typer's runner.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
import uvicorn
from fastapi import FastAPI
from tests.support.ledger import (
    ALICE,
    BOB,
    CHAIN_ID,
    OPERATOR,
    FakePermitVerifier,
    b64,
    permit_document,
)
from typer.testing import CliRunner

from kepil.config import Settings
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.ledger_wiring import create_ledger_node, install_ledger
from kepil.entrypoints.cli import bench_cmd
from kepil.entrypoints.cli.bench_cmd import bench_app, find_checkout
from kepil.entrypoints.cli.wallet_cmd import wallet_app
from kepil.services.ledger.node import NodeSettings

root = typer.Typer()
root.add_typer(wallet_app, name="wallet")
root.add_typer(bench_app, name="bench")
runner = CliRunner()
CONTRACT_KEYS = {"nodes", "txs", "tx_per_s", "p50_ms", "p99_ms", "state_roots_equal", "rss_mb"}


class SystemUtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    node = create_ledger_node(
        Settings(data_dir=tmp_path),
        SystemUtcClock(),
        verifier=FakePermitVerifier(),
        chain_id=CHAIN_ID,
        node_settings=NodeSettings(max_wait_seconds=0.005),
    )
    app = FastAPI()
    install_error_handlers(app)
    install_ledger(app, node)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        thread.join(0.01)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


def wallet(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(root, ["wallet", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_key_is_made_private_and_never_overwritten(tmp_path: Path) -> None:
    key = tmp_path / "me.key"
    code, out, _ = wallet("keygen", "--out", str(key))
    assert code == 0
    assert len(json.loads(out)["public_key"]) == 64
    assert key.stat().st_mode & 0o777 == 0o600
    assert "SECRET" in key.read_text()
    code, _, err = wallet("keygen", "--out", str(key))
    assert code == 2
    assert err.startswith("kepil: error:")
    assert err.count("\n") == 1


def test_build_refuses_an_unknown_type_and_a_malformed_payload_in_one_line(
    tmp_path: Path,
) -> None:
    key = tmp_path / "k"
    wallet("keygen", "--out", str(key))
    base = ["--signer", OPERATOR, "--key", str(key), "--nonce", "1"]
    unknown = wallet("build", "teleport", "--payload", "{}", *base)
    malformed = wallet("build", "transfer", "--payload", '{"asset": 1}', *base)
    for code, _, err in (unknown, malformed):
        assert code == 2
        assert err.startswith("kepil: error:")
        assert err.count("\n") == 1


def test_a_person_starts_a_chain_and_reads_holdings_from_a_terminal(
    server: str, tmp_path: Path
) -> None:
    operator_key = tmp_path / "operator.key"
    _, out, _ = wallet("keygen", "--out", str(operator_key))
    genesis = {
        "platform": "Kepil wallet test",
        "operator": {
            "id": OPERATOR, "name": "Operator", "key": json.loads(out)["public_key"], "roles": [],
        },
        "permit": b64(permit_document(valid_from=0, valid_until=4_000_000_000)),
        "nodes": [{"name": "node-1", "key": "cd" * 32}],
    }  # fmt: skip
    signed = [
        "--signer", OPERATOR, "--key", str(operator_key), "--nonce", "1", "--chain", CHAIN_ID,
    ]  # fmt: skip
    code, envelope, err = wallet("build", "genesis", "--payload", json.dumps(genesis), *signed)
    assert code == 0, err
    tx_file = tmp_path / "genesis.json"
    tx_file.write_text(envelope)
    code, out, err = wallet("submit", str(tx_file), "--url", server, "--wait", "10")
    assert code == 0, err
    assert (json.loads(out)["state"], json.loads(out)["code"]) == ("committed", "ok")
    code, out, _ = wallet("holdings", OPERATOR, "--url", server)
    assert code == 0
    assert json.loads(out) == {"holder": OPERATOR, "height": 0, "holdings": []}
    code, _, err = wallet("submit", str(tx_file), "--url", server)
    assert code == 2
    assert "duplicate" in err


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the socket is closed


def test_the_wallet_says_in_one_line_that_no_node_answers() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"

    code, out, err = wallet("holdings", "900101300126", "--url", url)

    assert code == 2
    assert out == ""
    assert err.startswith(f"kepil: error: cannot reach {url}: ")
    assert err.count("\n") == 1


def test_the_wallet_refuses_a_url_that_is_not_http() -> None:
    code, _, err = wallet("status", "ab" * 32, "--url", "127.0.0.1:8000")

    assert code == 2
    assert err == "kepil: error: --url '127.0.0.1:8000' must start with http:// or https://\n"


def test_the_wallet_reads_history_through_the_node_client(server: str) -> None:
    code, out, err = wallet("history", OPERATOR, "--url", server, "--limit", "5")

    assert code == 0, err
    assert json.loads(out) == {"holder": OPERATOR, "entries": [], "next_before": None}


def test_the_benchmark_finds_the_checkout_the_package_is_installed_from(tmp_path: Path) -> None:
    checkout = Path(__file__).resolve().parents[2]

    assert find_checkout() == checkout
    assert find_checkout([tmp_path, checkout]) == checkout
    assert find_checkout([tmp_path]) is None


def test_the_benchmark_outside_a_checkout_says_where_it_runs_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench_cmd, "find_checkout", lambda: None)

    result = runner.invoke(root, ["bench", "ledger", "--nodes", "1", "--txs", "10", "--json"])

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("kepil: error: the benchmarks run from a source checkout")
    assert result.stderr.count("\n") == 1


def test_the_ledger_benchmark_prints_the_contract_line() -> None:
    result = runner.invoke(root, ["bench", "ledger", "--nodes", "1", "--txs", "500", "--json"])
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout.strip())
    assert set(figures) == CONTRACT_KEYS | {"rules"}
    assert figures["state_roots_equal"] is True
    assert figures["txs"] == 500
    assert figures["rules"] == 2  # a new chain's genesis names ZIP 215, as platform init does


def test_the_benchmark_refuses_a_network_of_no_nodes() -> None:
    result = runner.invoke(root, ["bench", "ledger", "--nodes", "0", "--json"])
    assert result.exit_code == 2
    assert "--nodes" in result.stderr


def test_wallet_types_lists_every_transaction_type_on_a_line_of_its_own() -> None:
    from kepil.ledger import PAYLOAD_TYPES

    code, out, _ = wallet("types")
    assert code == 0
    lines = out.splitlines()
    assert sorted(line.split()[0] for line in lines) == sorted(PAYLOAD_TYPES)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_build_help_for_a_type_shows_its_fields_and_that_the_other_party_cosigns() -> None:
    code, out, _ = wallet("build", "encumber", "--help")
    assert code == 0
    assert "terms_hash" in out
    assert "required: integer (0..2**53-1)" in out
    assert "Signed by: payload.pledgor and payload.pledgee." in out
    assert "kepil wallet cosign" in out
    assert "--payload" in out  # and the usual options after it


def _swap(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    key = tmp_path / "alice.key"
    if not key.exists():
        wallet("keygen", "--out", str(key))
    swap = {
        "a": {"party": ALICE, "asset": "WHEAT", "amount": 1},
        "b": {"party": BOB, "asset": "OATS", "amount": 2},
    }
    signed = ["--signer", ALICE, "--key", str(key), "--nonce", "1", "--chain", CHAIN_ID]
    return wallet("build", "swap", "--payload", json.dumps(swap), *signed, *extra)


def test_build_refuses_a_swap_that_leaves_out_the_other_party_and_says_how_to_add_them(
    tmp_path: Path,
) -> None:
    code, _, err = _swap(tmp_path)
    assert code == 2
    assert f"payload.b.party ({BOB})" in err
    assert f"--cosigner {BOB}" in err
    assert "kepil wallet cosign" in err
    assert err.count("\n") == 1


def test_a_submission_still_missing_a_cosignature_names_the_party_and_suggests_cosign(
    server: str, tmp_path: Path
) -> None:
    code, envelope, err = _swap(tmp_path, "--cosigner", f"{BOB}:1")
    assert code == 0, err
    tx_file = tmp_path / "swap.json"
    tx_file.write_text(envelope)
    code, _, err = wallet("submit", str(tx_file), "--url", server)
    assert code == 2
    assert "missing_signature" in err
    assert f"not yet signed by {BOB}" in err
    assert "kepil wallet cosign" in err


def test_the_ledger_benchmark_runs_a_chain_under_signature_rules_1_when_asked() -> None:
    args = ["bench", "ledger", "--nodes", "1", "--txs", "200", "--rules", "1", "--json"]
    result = runner.invoke(root, args)
    assert result.exit_code == 0, result.stderr
    figures = json.loads(result.stdout.strip())
    assert (figures["rules"], figures["state_roots_equal"]) == (1, True)


def test_the_ledger_benchmark_refuses_signature_rules_it_does_not_know() -> None:
    result = runner.invoke(root, ["bench", "ledger", "--nodes", "1", "--rules", "3", "--json"])
    assert result.exit_code == 2
