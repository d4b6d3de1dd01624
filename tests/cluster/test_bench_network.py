"""`kepil bench ledger --nodes 5`: five node processes on loopback, a small workload, the
contract line, equal state roots, every transfer applied, and no node process left behind."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.ledger_network import NetworkBenchOptions, run_network_bench, summarise_profile
from kepil.adapters.ledger_store.body import BODY_COLUMNS, decode_body

CONTRACT_KEYS = {"nodes", "txs", "tx_per_s", "p50_ms", "p99_ms", "state_roots_equal", "rss_mb"}
TXS = 2000
BOUND_SECONDS = 90.0


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # the process ended while we looked
        if text in command:
            found.append(int(entry.name))
    return found


def _applied_transfers(ledger: Path) -> int:
    """Distinct transfers the ledger file's blocks record as applied."""
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True) as conn:
        rows = conn.execute(f"SELECT {BODY_COLUMNS} FROM blocks").fetchall()
    applied = set()
    for body in (decode_body(*row) for row in rows):
        for index, (tx_id, result) in enumerate(zip(body.ids, body.results, strict=True)):
            if result == "ok" and body.envelope(index)["body"]["type"] == "transfer":
                applied.add(tx_id)
    return len(applied)


def test_five_nodes_apply_every_transfer_agree_and_stop(tmp_path: Path) -> None:
    directory = tmp_path / "network"
    started = time.monotonic()

    figures = run_network_bench(NetworkBenchOptions(nodes=5, txs=TXS, directory=directory))

    assert time.monotonic() - started < BOUND_SECONDS
    assert set(figures) == CONTRACT_KEYS | {"submit_to", "machine", "cpu_us_per_tx", "rules"}
    assert figures["rules"] == 2  # a new chain's genesis names ZIP 215, as platform init does
    assert figures["nodes"] == 5
    assert figures["txs"] == TXS
    assert figures["state_roots_equal"] is True
    assert figures["tx_per_s"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert figures["rss_mb"] > 0
    cpu = figures["cpu_us_per_tx"]
    assert 0 < cpu["node_mean"] <= cpu["all_nodes"]
    assert cpu["leader"] > 0
    assert figures["machine"]["cores"] >= 1
    # Read back from every node's own file, not from what the benchmark says of itself.
    ledgers = sorted(directory.glob("node-*/ledger.sqlite3"))
    assert len(ledgers) == 5
    assert [_applied_transfers(ledger) for ledger in ledgers] == [TXS] * 5
    assert _processes_mentioning(str(directory)) == []


def test_a_py_spy_profile_is_summarised_by_category(tmp_path: Path) -> None:
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "main (a.py:1);Replica.apply (kepil/services/ledger/replica.py:9);"
        "crypto_sign_open (nacl/bindings/crypto_sign.py:103) 3\n"
        "main (a.py:1);SqliteLedgerStore.commit (kepil/adapters/ledger_store/store.py:5) 1\n"
        "main (a.py:1);PollPoller.poll (pysyncobj/poller.py:88) 1\n",
        encoding="utf-8",
    )

    summary = summarise_profile(raw)

    assert summary["samples"] == 5
    assert summary["categories"] == {
        "signature verification": 60.0,
        "sqlite": 20.0,
        "waiting (poll, select, locks)": 20.0,
    }
    assert summary["top_kepil_inclusive"]["Replica.apply (kepil/services/ledger/replica.py)"] == 60
