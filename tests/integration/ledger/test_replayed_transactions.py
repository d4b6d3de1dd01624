"""A transaction is applied once, whatever interleaving of admission and block commit replays it.

The interleavings are forced with events, on the real SQLite store: a thread is held between
reading a key from the file and caching it, while the block that changes the key commits.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.support.chains import replay_into
from tests.support.clock import MovableClock
from tests.support.ledger import (
    ALICE,
    BOB,
    T0,
    WHEAT,
    Chain,
    World,
    fixture_key,
    make_node,
    standard_chain,
)
from tests.support.ledger_v4 import write_v4_file

from kepil.adapters.ledger_store import CommitRefused, SchemaMismatch, SqliteLedgerStore
from kepil.adapters.ledger_store.body import BODY_COLUMNS, decode_body
from kepil.ledger import BlockProposal, apply_block, decode_tx
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.state import ChainHead
from kepil.ledger.statekeys import StateKey, Value, nonce_key
from kepil.ledger.view import LedgerView
from kepil.services.ledger.node import SubmitRefused

BOUND = 10.0  # seconds any wait of these tests may take at most


class HeldFill(SqliteLedgerStore):
    """A ledger store that holds the thread named `held_thread` just before it caches `held_key`."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.held_key: StateKey | None = None
        self.held_thread = "replayer"
        self.read = threading.Event()
        self.resume = threading.Event()

    def _remember(self, key: StateKey, value: Value | None) -> None:
        if key == self.held_key and threading.current_thread().name == self.held_thread:
            self.held_key = None
            self.read.set()
            assert self.resume.wait(BOUND)
        super()._remember(key, value)

    def forget_cached(self) -> None:
        """Empty the cache of values read, as a full cache does."""
        self._cache.clear()


class WatchedLock:
    """A lock that says (by an event) when a thread had to wait for it."""

    def __init__(self, lock: Any, waited: threading.Event) -> None:
        self._lock = lock
        self._waited = waited

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._lock.acquire(blocking=False):
            return True
        self._waited.set()
        return bool(self._lock.acquire(blocking, timeout))

    def release(self) -> None:
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *_: object) -> None:
        self.release()


def _applied_occurrences(path: Path, tx_id: str) -> int:
    """How many times the blocks themselves (not an index) record `tx_id` as applied."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(f"SELECT {BODY_COLUMNS} FROM blocks").fetchall()
    return sum(
        found == tx_id and result == "ok"
        for body in (decode_body(*row) for row in rows)
        for found, result in zip(body.ids, body.results, strict=True)
    )


def test_a_copy_admitted_while_its_original_commits_is_not_applied_a_second_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "ledger.sqlite3"
    store = HeldFill(path)
    clock = MovableClock(T0)
    world = World(make_node(store, clock), store, clock)  # type: ignore[arg-type]
    world.run_setup()
    original = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    copy = decode_tx(original.to_bytes())  # the same transaction, replayed from the wire
    world.node.submit(original)
    store.forget_cached()  # so that the copy reads Alice's nonce from the file

    outcomes: list[str | SubmitRefused] = []

    def replay() -> None:
        try:
            outcomes.append(world.node.submit(copy))
        except SubmitRefused as refused:
            outcomes.append(refused)

    store.held_key = nonce_key(ALICE)
    replayer = threading.Thread(target=replay, name="replayer")
    replayer.start()
    assert store.read.wait(BOUND), "the replayed copy never read Alice's nonce"

    # The original's block commits while the copy is between reading the nonce and caching it
    # (or, when the store does not allow that, until the block waits for the copy's read).
    progressed = threading.Event()
    store._lock = WatchedLock(store._lock, progressed)  # type: ignore[assignment]

    def produce() -> None:
        try:
            world.node.produce_block()
        finally:
            progressed.set()

    producer = threading.Thread(target=produce, name="producer")
    producer.start()
    assert progressed.wait(BOUND)
    store.resume.set()
    replayer.join(BOUND)
    producer.join(BOUND)
    assert not replayer.is_alive()
    assert not producer.is_alive()
    while world.node.produce_block() is not None:
        pass

    view = LedgerView(store)
    assert (view.balance(ALICE, WHEAT), view.balance(BOB, WHEAT)) == (995, 5)
    assert _applied_occurrences(path, original.tx_id) == 1
    assert store.get(nonce_key(ALICE)) == original.unsigned.nonces[ALICE]
    store.close()


class ForgetsOneKey:
    """A state that answers as `base` except that `key` reads as absent (a stale read)."""

    def __init__(self, base: SqliteLedgerStore, key: StateKey) -> None:
        self._base = base
        self._key = key

    def get(self, key: StateKey) -> Value | None:
        return None if key == self._key else self._base.get(key)

    def accumulator(self) -> int:
        return self._base.accumulator()

    def head(self) -> ChainHead | None:
        return self._base.head()


def test_the_store_refuses_a_block_that_applies_an_already_applied_transaction(
    tmp_path: Path,
) -> None:
    chain: Chain = standard_chain()
    transfer = chain.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    assert chain.send(transfer).code == "ok"
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as store:
        replay_into(store, chain)
        head = store.head()
        assert head is not None
        # Executed over a state that lost Alice's nonce, the copy applies: the store is the
        # last line that must not record it.
        stale = ForgetsOneKey(store, nonce_key(ALICE))
        proposal = BlockProposal(head.height + 1, head.block_hash, chain.now, (transfer,))
        outcome = apply_block(stale, proposal, chain.executor)
        assert outcome.block.results[0].ok
        with pytest.raises(CommitRefused, match=transfer.tx_id):
            store.commit_block(outcome)
        assert store.head() == head
        assert LedgerView(store).balance(BOB, WHEAT) == 505
        location = store.locate(transfer.tx_id)
        assert location is not None
        assert location.height == head.height


def test_a_file_of_schema_3_is_upgraded_unless_it_applied_a_transaction_twice(
    tmp_path: Path,
) -> None:
    chain = standard_chain()
    transfer = chain.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    assert chain.send(transfer).code == "ok"
    healthy, damaged = tmp_path / "healthy.sqlite3", tmp_path / "damaged.sqlite3"
    for path in (healthy, damaged):  # as schema 3 left them: no unique index
        write_v4_file(path, chain, "node-1", fixture_key("node-1"))
        with sqlite3.connect(path) as connection:
            connection.execute("DROP INDEX transactions_applied_once")
            connection.execute("UPDATE meta SET value = 3 WHERE name = 'schema_version'")
    with sqlite3.connect(damaged) as connection:  # the double spend of issue 16, on file
        connection.execute(
            "INSERT INTO transactions SELECT height, idx + 1, id, type, result, signers, body "
            "FROM transactions WHERE id = ?",
            (transfer.tx_id,),
        )

    with SqliteLedgerStore(healthy) as upgraded:
        assert upgraded.locate(transfer.tx_id) is not None
    with sqlite3.connect(healthy) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        version = connection.execute("SELECT value FROM meta WHERE name = 'schema_version'")
        assert "applied" in tables
        assert int(version.fetchone()[0]) == 6
    with pytest.raises(SchemaMismatch, match=f"{transfer.tx_id} more than once"):
        SqliteLedgerStore(damaged)
