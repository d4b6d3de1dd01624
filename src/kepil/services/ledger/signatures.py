"""Checking a batch's signatures at admission: inline, or in worker processes.

Both give one flag per transaction: True when every signature verifies under the signature
rules version the batch was started with (the node's preverify_rules: those of its next
height). The node admits only transactions whose flag is True, recording that version, and the
executor, told so, does not verify them again unless their block turns out to be under an
earlier version (sigrules.py); a block received from elsewhere is verified by the executor
itself. Workers get plain strings
(signature_items) rather than pickled transactions, and run items_valid, which is
signatures_valid's body; tests/unit/ledger_node check that the two agree.
PyNaCl holds the GIL while it verifies, so threads do not help; worker processes do when a
core is free.

The workers are spawned (a fresh interpreter, not a fork): they inherit no listening socket, no
open database file and no signal handler of the server, so SIGTERM ends them and a restart can
bind the port at once. Each watches its parent and ends with it (parent_watch), even after kill
-9. The node opens the pool when it starts, before `kepil serve` binds its socket.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Protocol

from kepil.ledger import SignedTx
from kepil.ledger.executor import pairs_valid, signatures_valid
from kepil.ledger.sigrules import GENESIS_RULES
from kepil.services.ledger.parent_watch import watch_parent


class PendingCheck(Protocol):
    """A check under way."""

    def result(self) -> list[bool]:
        """The flags, one per transaction, waiting for them if need be."""
        ...


class SignatureChecker(Protocol):
    """Starts checking a batch; the caller may do other work meanwhile."""

    def open(self) -> None:
        """Start any workers now (the node does, as it starts)."""
        ...

    def start(self, txs: Sequence[SignedTx], rules: int = GENESIS_RULES) -> PendingCheck:
        """Begin checking `txs` under signature rules version `rules`."""
        ...

    def close(self) -> None:
        """Release any workers."""
        ...


class _Done:
    def __init__(self, flags: list[bool]) -> None:
        self._flags = flags

    def result(self) -> list[bool]:
        return self._flags


class InlineChecker:
    """Verifies in the calling thread (no workers)."""

    def open(self) -> None:
        """Nothing to start."""

    def start(self, txs: Sequence[SignedTx], rules: int = GENESIS_RULES) -> PendingCheck:
        """Verify every transaction now."""
        return _Done([signatures_valid(tx, rules) for tx in txs])

    def close(self) -> None:
        """Nothing to release."""


SignatureItems = tuple[str, tuple[tuple[str, str], ...]]  # tx id, (public key, signature) each


def signature_items(tx: SignedTx) -> SignatureItems:
    """What signatures_valid reads of `tx`, as plain strings (cheap to send to a worker)."""
    return tx.tx_id, tuple((s.key, s.sig) for s in tx.sigs)


def items_valid(items: SignatureItems, rules: int = GENESIS_RULES) -> bool:
    """signatures_valid on signature_items(tx): every signature of the id verifies."""
    return pairs_valid(*items, rules)


def check_chunk(chunk: Sequence[SignatureItems], rules: int = GENESIS_RULES) -> list[bool]:
    """items_valid for each transaction (runs in a worker process)."""
    return [items_valid(items, rules) for items in chunk]


class _Gathered:
    def __init__(self, parts: list[Future[list[bool]]]) -> None:
        self._parts = parts

    def result(self) -> list[bool]:
        flags: list[bool] = []
        for part in self._parts:
            flags.extend(part.result())
        return flags


class ProcessPoolChecker:
    """Verifies batches in `workers` processes, `chunk` transactions per task."""

    def __init__(self, workers: int, chunk: int = 250) -> None:
        """No workers yet: open() starts them, or else the first batch."""
        if workers < 1 or chunk < 1:
            raise ValueError("workers and chunk must be positive")
        self.workers = workers
        self.chunk = chunk
        self._pool: ProcessPoolExecutor | None = None

    def open(self) -> None:
        """Start the workers now and wait until each has answered once."""
        pool = self._started()
        # One empty task per worker: the pool spawns a worker for a task no idle one can take.
        for ready in [pool.submit(check_chunk, ()) for _ in range(self.workers)]:
            ready.result()

    def start(self, txs: Sequence[SignedTx], rules: int = GENESIS_RULES) -> PendingCheck:
        """Send the batch to the workers in chunks."""
        pool = self._started()
        items = [signature_items(tx) for tx in txs]
        parts = [
            pool.submit(check_chunk, items[i : i + self.chunk], rules)
            for i in range(0, len(items), self.chunk)
        ]
        return _Gathered(parts)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=watch_parent,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
