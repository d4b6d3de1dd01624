"""The ledger benchmark on one embedded node: its workload and measurement.

`kepil bench ledger --nodes 1` runs it from a source checkout (see `--help`). Every key and
permit here is a BENCH FIXTURE derived from fixed seed strings: it exists only in this process's
memory and is never written anywhere.
"""

from __future__ import annotations

import base64
import cProfile
import io
import json
import pstats
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.workload import distinct_iins
from kepil.adapters.clock import SystemClock
from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.entrypoints.runtime import tune_gc
from kepil.ledger import (
    Block,
    Executor,
    MemoryState,
    PermitFacts,
    PermitRefusal,
    SignedTx,
    StatusChangeFacts,
    Window,
    build_tx,
    default_registry,
    key_from_seed,
    public_key_hex,
    replay_block,
)
from kepil.ledger.crypto import SigningKey
from kepil.ledger.handlers.genesis import Genesis, OperatorEntry
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.issuers import DefineAsset, Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.records import Backing, NodeKey
from kepil.ledger.sigrules import LATEST_RULES
from kepil.ledger.vocab import AssetKind, RightCategory, Role
from kepil.services.ledger.node import (
    LedgerNode,
    NodeIdentity,
    NodeSettings,
    PendingBatch,
    TxState,
)
from kepil.services.ledger.signatures import InlineChecker, ProcessPoolChecker, SignatureChecker

CHAIN_ID = "kepil-bench"
OPERATOR = "150640123452"
ASSET = "BENCH-WHEAT"
NODE_NAME = "bench-node"
_CERTIFICATE = b"BENCH FIXTURE: not a certificate"
_YEAR = 365 * 24 * 3600


class BenchError(Exception):
    """The benchmark could not run to the end (a transaction refused, a timeout)."""


class BenchPermitVerifier:
    """BENCH FIXTURE: accepts the bench's own JSON permit; never used outside the benchmark."""

    def verify(self, permit_document: bytes) -> PermitFacts | PermitRefusal:
        """The facts of the bench permit."""
        data = json.loads(permit_document)
        if data.get("certificate") != _CERTIFICATE.decode():
            return PermitRefusal("not the bench permit")
        return PermitFacts(data["number"], data["holder"], data["valid_from"], data["valid_until"])

    def verify_status_change(
        self, document: bytes, cms: bytes
    ) -> StatusChangeFacts | PermitRefusal:
        """The bench changes no permit status."""
        return PermitRefusal("the bench relays no status change")


@dataclass(frozen=True, slots=True)
class BenchOptions:
    """What to run."""

    txs: int
    workers: int = 0
    block_txs: int = 2000
    max_wait_seconds: float = 0.05
    submit_batch: int = 500
    timeout_seconds: float = 600.0
    rules: int = LATEST_RULES  # the signature rules genesis names (sigrules.py)


def bench_key(name: str) -> SigningKey:
    """BENCH FIXTURE: the deterministic key of `name`."""
    return key_from_seed(b"kepil bench fixture key: " + name.encode())


class BenchSigner:
    """Builds transactions with each signer's next nonce."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.nonces: dict[str, int] = {}
        self.keys: dict[str, SigningKey] = {}

    def key(self, signer: str) -> SigningKey:
        return self.keys.setdefault(signer, bench_key(signer))

    def tx(self, payload: Any, *signers: str) -> SignedTx:
        nonces = {s: self.nonces.get(s, 0) + 1 for s in signers}
        self.nonces.update(nonces)
        unsigned = build_tx(CHAIN_ID, payload, nonces, self.window)
        return unsigned.sign({s: self.key(s) for s in signers})


def setup_txs(
    signer: BenchSigner, issuer: str, holders: Sequence[str], now: int, rules: int = LATEST_RULES
) -> list[SignedTx]:
    """Genesis (under signature rules `rules`), the issuer, its agreement and asset class, every
    holder admitted and issued to."""
    permit = {
        "number": "BENCH-1", "holder": OPERATOR, "valid_from": now - _YEAR,
        "valid_until": now + _YEAR, "certificate": _CERTIFICATE.decode(),
    }  # fmt: skip
    genesis = Genesis(
        platform="kepil benchmark",
        operator=OperatorEntry(
            OPERATOR, "Bench operator", public_key_hex(signer.key(OPERATOR)), ()
        ),
        permit=base64.b64encode(json.dumps(permit).encode()).decode(),
        nodes=(NodeKey(NODE_NAME, public_key_hex(bench_key(NODE_NAME))),),
        signature_rules=rules,
    )
    asset = DefineAsset(
        ASSET, issuer, "Bench wheat", AssetKind.GOODS, RightCategory.GOODS_OWNERSHIP, "kg", 3,
        None, (Backing("ab" * 32, "Bench warehouse receipt"),),
    )  # fmt: skip
    txs = [
        signer.tx(genesis, OPERATOR),
        _admit(signer, issuer, (Role.HOLDER, Role.ISSUER)),
        signer.tx(IssuerAgreement(issuer, "cd" * 32), OPERATOR, issuer),
        signer.tx(asset, issuer),
    ]
    txs.extend(_admit(signer, holder, (Role.HOLDER,)) for holder in holders)
    txs.extend(signer.tx(Issue(ASSET, holder, 1_000_000), issuer) for holder in holders)
    return txs


def transfer_txs(signer: BenchSigner, holders: Sequence[str]) -> list[SignedTx]:
    """One transfer by each holder, to the next one (the timed workload)."""
    return [
        signer.tx(Transfer(ASSET, holder, holders[(i + 1) % len(holders)], 1 + i % 97), holder)
        for i, holder in enumerate(holders)
    ]


def _admit(signer: BenchSigner, participant: str, roles: tuple[Role, ...]) -> SignedTx:
    key = public_key_hex(signer.key(participant))
    return signer.tx(Admit(participant, f"Bench {participant}", key, roles), OPERATOR)


def run_ledger_bench(options: BenchOptions, profile: io.StringIO | None = None) -> dict[str, Any]:
    """Run the workload; the contract's figures. With `profile`, one thread and a cProfile."""
    tune_gc()
    clock = SystemClock()
    now = int(clock.now().timestamp())
    signer = BenchSigner(Window(now - 60, now + 3 * 3600))
    people = distinct_iins(options.txs + 1)
    issuer, holders = people[0], people[1:]
    checker: SignatureChecker = (
        ProcessPoolChecker(options.workers) if options.workers else InlineChecker()
    )
    settings = NodeSettings(options.block_txs, options.max_wait_seconds, 2 * options.txs + 10_000)
    executor = Executor(CHAIN_ID, default_registry(BenchPermitVerifier()))
    storage = MemoryLedgerStorage()
    identity = NodeIdentity(NODE_NAME, bench_key(NODE_NAME))
    node = LedgerNode(executor, storage, clock, identity, settings, checker)
    committed_at: dict[str, float] = {}
    node.on_commit(lambda block: _stamp(committed_at, block))

    setup = setup_txs(signer, issuer, holders, now, options.rules)
    transfers = transfer_txs(signer, holders)
    wire = [tx.to_bytes() for tx in transfers]
    try:
        if profile is None:
            node.start()
        _submit_all(node, [tx.to_bytes() for tx in setup], profile is None, options)
        submitted_at: dict[str, float] = {}
        started = time.perf_counter()
        if profile is None:
            _timed_submit(node, wire, submitted_at, options.submit_batch)
            _wait_all(node, transfers, options.timeout_seconds)
        else:
            profiler = cProfile.Profile()
            profiler.enable()
            _timed_submit(node, wire, submitted_at, options.submit_batch)
            while node.produce_block() is not None:
                pass
            profiler.disable()
            pstats.Stats(profiler, stream=profile).sort_stats("cumulative").print_stats(25)
        elapsed = max(committed_at[tx.tx_id] for tx in transfers) - started
    finally:
        node.stop()
    _require_applied(node, transfers)
    latencies = sorted(committed_at[t] - submitted_at[t] for t in submitted_at)
    return {
        "nodes": 1,
        "txs": options.txs,
        "tx_per_s": round(options.txs / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "state_roots_equal": _replayed_root(storage.blocks()) == storage.state_root(),
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "rules": options.rules,
    }


def _stamp(committed_at: dict[str, float], block: Block) -> None:
    moment = time.perf_counter()
    for tx in block.txs:
        committed_at[tx.tx_id] = moment


def _timed_submit(
    node: LedgerNode, wire: Sequence[bytes], submitted_at: dict[str, float], batch: int
) -> None:
    # Batches as a client sends them to POST /transactions/batch, two in flight: the next is
    # decoded while the signatures of the last are checked. Latency counts from hand-over.
    clock: Callable[[], float] = time.perf_counter
    in_flight: tuple[float, PendingBatch] | None = None
    for start in [*range(0, len(wire), batch), None]:
        following = None
        if start is not None:
            at = clock()
            following = (at, node.begin_batch(wire[start : start + batch]))
        if in_flight is not None:
            at, pending = in_flight
            for outcome in pending.finish():
                if not isinstance(outcome, str):
                    raise BenchError(f"a transfer was refused at admission: {outcome.code}")
                submitted_at[outcome] = at
        in_flight = following


def _submit_all(
    node: LedgerNode, wire: Sequence[bytes], threaded: bool, options: BenchOptions
) -> None:
    ids = [node.submit_bytes(envelope) for envelope in wire]
    if threaded:
        for tx_id in ids:
            node.wait(tx_id, options.timeout_seconds)
    else:
        while node.produce_block() is not None:
            pass
    for tx_id in ids:
        status = node.status(tx_id)
        if status.code != "ok":
            raise BenchError(f"setup transaction {tx_id} ended {status.state} {status.code}")


def _wait_all(node: LedgerNode, txs: Sequence[SignedTx], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for tx in txs:
        status = node.wait(tx.tx_id, max(0.0, deadline - time.monotonic()))
        if status.state is TxState.PENDING:
            raise BenchError(f"transfers still pending after {timeout} s")


def _require_applied(node: LedgerNode, txs: Sequence[SignedTx]) -> None:
    codes: dict[str, int] = {}
    for tx in txs:
        code = node.status(tx.tx_id).code or "missing"
        codes[code] = codes.get(code, 0) + 1
    if set(codes) != {"ok"}:
        raise BenchError(f"not every transfer applied: {codes}")


def _replayed_root(blocks: Sequence[Block] | Any) -> str:
    state = MemoryState()
    executor = Executor(CHAIN_ID, default_registry(BenchPermitVerifier()))
    for block in blocks:
        outcome = replay_block(state, block, executor)
        state.commit(outcome.changes, outcome.block.head())
    return state.state_root()


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(fraction * len(sorted_values)))
    return sorted_values[index]
