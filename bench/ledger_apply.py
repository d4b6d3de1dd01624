"""Benchmark: what one network node spends applying a transfer, stage by stage (issue 6's profile).

    .venv/bin/python bench/ledger_apply.py [--txs 20000] [--block-txs 300] [--nodes 5] [--rules 1]

Every node of a network decodes, verifies, executes and records every block itself, so the CPU
one node spends per transfer, times the nodes, bounds what a network sharing this machine's
cores can commit. This runs a follower's path on a real SQLite ledger file (synchronous=FULL)
in one process, block by block, timing each stage with the thread's CPU clock:

- decode: the log entry's bytes to transactions (what a follower receives; orjson where it
  writes the received bytes back exactly, else the strict parser);
- verify: every Ed25519 signature, under the signature rules the chain's genesis names (2, ZIP
  215 through ed25519-zebra, as `kepil platform init` makes a new chain; --rules 1: libsodium
  through PyNaCl, a chain that has not switched);
- execute: the prefetch of the block's nonces, participants and balances (one SQLite query),
  static checks, envelope, handler, state changes and the state root;
- checkpoint: the node's signature over (height, block hash, state root);
- record: the block's row (header, envelopes, results, movements), the applied ids, the holder
  and asset indexes, state and its history, and the SQLite transaction that writes them (its
  fsync is wall time, not CPU).

The raft engine, the peer messages and HTTP are not in this figure, nor the proposing node's
saving (it applies its own batch without decoding it); `kepil bench ledger --nodes 5` measures
the whole network. Prints one JSON object with the machine. The machine is often shared: compare
two versions by running them interleaved (A, B, A, B) with PYTHONPATH pointing at each `src`.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

# Run as a script from the checkout: the checkout's root holds the `bench` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.ledger_single import (
    CHAIN_ID,
    NODE_NAME,
    BenchPermitVerifier,
    BenchSigner,
    bench_key,
    setup_txs,
    transfer_txs,
)
from bench.machine import describe, peak_rss_mb
from bench.workload import distinct_iins
from kepil.adapters.clock import SystemClock
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.entrypoints.runtime import tune_gc
from kepil.ledger import (
    GENESIS_PREVIOUS,
    BlockProposal,
    Executor,
    SignedTx,
    Window,
    apply_block,
    default_registry,
    preverify_rules,
)
from kepil.ledger.checkpoint import sign_checkpoint
from kepil.ledger.executor import signatures_valid
from kepil.ledger.proposal import TxBatch, batch_bytes, entry_from_bytes
from kepil.ledger.sigrules import LATEST_RULES, NOT_CHECKED

STAGES = ("decode", "verify", "execute", "checkpoint", "record")
T = TypeVar("T")


def _entries(txs: list[SignedTx], size: int, timestamp: int) -> list[bytes]:
    return [
        batch_bytes(CHAIN_ID, TxBatch(timestamp, tuple(txs[i : i + size])))
        for i in range(0, len(txs), size)
    ]


class Follower:
    """A follower's apply path over one ledger file, with CPU seconds per stage."""

    def __init__(self, store: SqliteLedgerStore) -> None:
        self.store = store
        self.executor = Executor(CHAIN_ID, default_registry(BenchPermitVerifier()))
        self.key = bench_key(NODE_NAME)
        self.cpu = dict.fromkeys(STAGES, 0.0)

    def _timed(self, stage: str, work: Callable[[], T]) -> T:
        started = time.thread_time()
        result = work()
        self.cpu[stage] += time.thread_time() - started
        return result

    def apply(self, entry: bytes) -> int:
        """Apply one entry as a follower does; return how many transactions applied."""
        batch = self._timed("decode", lambda: entry_from_bytes(CHAIN_ID, entry))
        assert isinstance(batch, TxBatch)
        verified = self._timed("verify", lambda: self._verify(batch.txs))
        head = self.store.head()
        proposal = (
            BlockProposal(0, GENESIS_PREVIOUS, batch.timestamp, batch.txs)
            if head is None
            else BlockProposal(head.height + 1, head.block_hash, batch.timestamp, batch.txs)
        )
        outcome = self._timed(
            "execute", lambda: apply_block(self.store, proposal, self.executor, verified)
        )
        checkpoint = self._timed(
            "checkpoint", lambda: sign_checkpoint(outcome.block, NODE_NAME, self.key)
        )
        self._timed("record", lambda: self.store.record(outcome, checkpoint))
        return sum(result.ok for result in outcome.block.results)

    def _verify(self, txs: tuple[SignedTx, ...]) -> list[int]:
        """Pre-verify as a follower's batch is: under the next height's rules, recorded."""
        rules = preverify_rules(self.store)
        return [rules if signatures_valid(tx, rules) else NOT_CHECKED for tx in txs]


def main() -> None:
    """Run the setup blocks, then time the transfer blocks; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--txs", type=int, default=20_000, help="transfers, each by a new holder")
    parser.add_argument("--block-txs", type=int, default=300, help="transactions per block")
    parser.add_argument("--nodes", type=int, default=5, help="network size for the CPU bound")
    parser.add_argument(
        "--rules",
        type=int,
        choices=(1, 2),
        default=LATEST_RULES,
        help="signature rules the genesis names (2: ZIP 215, ed25519-zebra; 1: libsodium)",
    )
    options = parser.parse_args()
    tune_gc()
    now = int(SystemClock().now().timestamp())
    signer = BenchSigner(Window(now - 60, now + 3 * 3600))
    people = distinct_iins(options.txs + 1)
    issuer, holders = people[0], people[1:]
    setup = setup_txs(signer, issuer, holders, now, options.rules)
    transfers = transfer_txs(signer, holders)
    with tempfile.TemporaryDirectory() as scratch:
        store = SqliteLedgerStore(Path(scratch) / "ledger.sqlite3")
        follower = Follower(store)
        for entry in _entries(setup, options.block_txs, now):
            follower.apply(entry)
        follower.cpu = dict.fromkeys(STAGES, 0.0)
        rules = preverify_rules(store)  # the timed blocks' rules, as the genesis named them
        entries = _entries(transfers, options.block_txs, now)
        wall = time.perf_counter()
        applied = sum(follower.apply(entry) for entry in entries)
        wall = time.perf_counter() - wall
        store.close()  # checkpoints the WAL into the file
        file_mb = sum(f.stat().st_size for f in Path(scratch).iterdir()) / 2**20
    if applied != len(transfers):
        raise SystemExit(f"only {applied} of {len(transfers)} transfers applied")
    per_tx = {stage: round(cpu / applied * 1e6, 1) for stage, cpu in follower.cpu.items()}
    cpu_us = sum(follower.cpu.values()) / applied * 1e6
    cores = describe()["cores"]
    assert isinstance(cores, int)
    print(
        json.dumps(
            {
                "txs": applied,
                "block_txs": options.block_txs,
                "rules": rules,
                "cpu_us_per_tx": round(cpu_us, 1),
                "stages_us_per_tx": per_tx,
                "wall_us_per_tx": round(wall / applied * 1e6, 1),
                "one_follower_tx_per_s": round(applied / wall, 1),
                "network_bound_tx_per_s": {
                    "nodes": options.nodes,
                    "tx_per_s": round(cores * 1e6 / (options.nodes * cpu_us), 1),
                },
                "rss_mb": peak_rss_mb(),
                "file_mb": round(file_mb, 1),
                "machine": describe(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
