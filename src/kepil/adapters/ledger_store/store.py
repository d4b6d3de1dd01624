"""The node's ledger store: a StateStore in its own SQLite file.

Uses the standard library's sqlite3 directly, not SQLAlchemy: committing a block is the node's
hot path (thousands of rows per block through executemany on one connection), and reads of
single keys during execution go through a write-through cache in front of prepared statements.

commit() writes a block's state changes, their history, the block (one row holding its
transactions, results and movements; schema.py), its few lookup rows and the new head in ONE
SQLite transaction (BEGIN IMMEDIATE ... COMMIT): a crash or an error anywhere in between leaves
the previous block as head, on disk and in memory. A transaction id applies at most once in the
file (the primary key of `applied`, checked in that same transaction), and the cache never holds
a value older than the last commit (it is filled and updated under the lock every commit holds).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final

from kepil.adapters.durable_files import replace_durably
from kepil.adapters.ledger_store.body import BODY_COLUMNS, decode_body, next_movement
from kepil.adapters.ledger_store.log_queries import LogQueries
from kepil.adapters.ledger_store.movements import block_moves
from kepil.adapters.ledger_store.queries import LedgerQueries
from kepil.adapters.ledger_store.rows import (
    BlockRows,
    block_rows,
    compact_json,
    loaded_value,
    log_rows,
    state_rows,
)
from kepil.adapters.ledger_store.schema import connect
from kepil.adapters.ledger_store.snapshot import SqliteStateView
from kepil.ledger.block import Block, BlockOutcome
from kepil.ledger.checkpoint import Checkpoint
from kepil.ledger.root import ACCUMULATOR_BYTES, EMPTY_ACCUMULATOR, state_root
from kepil.ledger.state import ChainHead, ChangeSet
from kepil.ledger.statekeys import Space, StateKey, Value, key_from_text, key_text

_ABSENT: Final = object()
DEFAULT_CACHE_ENTRIES: Final = 1_000_000
# Spaces held in memory whole: freezes are rare legal acts, yet every transfer asks for two
# (the holder's, per asset and for all assets), nearly always absent, which the cache of
# values read cannot answer without a query for each new holder.
RESIDENT_SPACES: Final = frozenset({Space.FREEZE.value})
# Keys per prefetch query: far below SQLite's limit on bound parameters (32766 since 3.32,
# 999 before), and a block's envelope keys fit in a few.
PREFETCH_CHUNK: Final = 500


class CommitRefused(Exception):  # noqa: N818 - names the outcome
    """A commit that does not follow the head or does not hold together; nothing was written."""


class SqliteLedgerStore(LedgerQueries, LogQueries):
    """A StateStore and the node's LedgerStorage, kept in one SQLite file with its indexes.

    Thread-safe: one connection guarded by a lock; reads wait while a block commits.
    """

    def __init__(self, path: Path | str, cache_entries: int = DEFAULT_CACHE_ENTRIES) -> None:
        """Open or create the ledger file at `path` and restore the head and accumulator."""
        self.path = Path(path)
        self._lock = threading.RLock()
        self._cache_entries = cache_entries
        self._open()

    def _open(self) -> None:
        self._conn: sqlite3.Connection = connect(self.path)
        self._cache: dict[StateKey, object] = {}
        self._resident = self._load_resident()
        self._head, self._accumulator = self._load_head()
        row = self._conn.execute("SELECT value FROM meta WHERE name = 'log_index'").fetchone()
        self._log_index = 0 if row is None else int(row[0])
        row = self._conn.execute(
            f"SELECT {BODY_COLUMNS} FROM blocks ORDER BY height DESC LIMIT 1"  # noqa: S608
        ).fetchone()
        self._next_movement = 1 if row is None else next_movement(decode_body(*row))

    # StateReader.

    def get(self, key: StateKey) -> Value | None:
        """The committed value under `key`, or None when absent."""
        cached = self._cache.get(key, _ABSENT)
        if cached is not _ABSENT:
            return cached  # type: ignore[return-value]
        if key[0] in RESIDENT_SPACES:
            return self._resident.get(key)
        # Read and cache under the lock a commit holds: a commit in between would otherwise
        # leave the value from before it in the cache, and a replayed transaction would pass
        # its nonce check against it.
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM state WHERE key = ?", (key_text(key),)
            ).fetchone()
            value = None if row is None else loaded_value(key, row[0])
            self._remember(key, value)
        return value

    def prefetch(self, keys: Iterable[StateKey]) -> None:
        """Cache the values of `keys` not held yet, a few hundred per query (a block's reads)."""
        cache, wanted = self._cache, {}
        for key in keys:
            if key not in cache and key[0] not in RESIDENT_SPACES:
                wanted[key_text(key)] = key
        if not wanted:
            return
        texts = list(wanted)
        # Under the lock a commit holds, as get() reads: the cache never gets a stale value.
        with self._lock:
            for start in range(0, len(texts), PREFETCH_CHUNK):
                chunk = texts[start : start + PREFETCH_CHUNK]
                marks = ",".join("?" * len(chunk))
                found = dict(
                    self._conn.execute(
                        f"SELECT key, value FROM state WHERE key IN ({marks})",  # noqa: S608 - marks only
                        chunk,
                    )
                )
                for text in chunk:
                    key, raw = wanted[text], found.get(text)
                    self._remember(key, None if raw is None else loaded_value(key, raw))

    def accumulator(self) -> int:
        """The state-root accumulator of the committed state."""
        return self._accumulator

    def head(self) -> ChainHead | None:
        """The last committed block, or None before genesis."""
        return self._head

    def state_root(self) -> str:
        """The state root of the committed state."""
        return state_root(self._accumulator)

    # StateStore.

    def commit(
        self,
        changes: ChangeSet,
        head: ChainHead,
        block: Block | None = None,
        checkpoint: Checkpoint | None = None,
        log_index: int | None = None,
    ) -> None:
        """Apply a block's changes and move the head, all or nothing.

        With `block` (a node always passes it; see record) the block, its transactions, its
        movements, who took part and, with `checkpoint`, the node's checkpoint are written in
        the same transaction. Without it only the state, its history and the head are (the
        StateStore protocol's form). Raises CommitRefused when the head does not follow the
        current one or disagrees with the changes, the block or the checkpoint. With
        `log_index` (the consensus log's entry that carried the block) that index is recorded
        too; it must exceed the last one recorded.
        """
        with self._lock:
            self._check(changes, head, block)
            self._check_log_index(log_index)
            if checkpoint is not None and (
                block is None
                or (checkpoint.height, checkpoint.block_hash) != (head.height, block.hash)
            ):
                raise CommitRefused(f"height {head.height}: the checkpoint is of another block")
            rows = BlockRows()
            state_rows(rows, changes, head.height)
            if block is not None:
                moves = block_moves(block, self._committed_get)
                block_rows(rows, block, moves, self._next_movement)
                if checkpoint is not None:
                    log_rows(rows, block, checkpoint, changes)
            self._write(rows, head, changes.accumulator, log_index)
            self._head, self._accumulator = head, changes.accumulator
            self._log_index = self._log_index if log_index is None else log_index
            self._next_movement += rows.movement_count
            for key, value in changes.writes.items():
                if key[0] in RESIDENT_SPACES:
                    self._hold(key, value)
                else:
                    self._remember(key, value)

    def commit_block(self, outcome: BlockOutcome) -> None:
        """Commit an executed block: its changes, its head and the block itself."""
        self.commit(outcome.changes, outcome.block.head(), outcome.block)

    def record(
        self, outcome: BlockOutcome, checkpoint: Checkpoint, log_index: int | None = None
    ) -> None:
        """Commit an executed block with this node's checkpoint of it (LedgerStorage)."""
        self.commit(outcome.changes, outcome.block.head(), outcome.block, checkpoint, log_index)

    def applied_log_index(self) -> int:
        """The last consensus log index recorded (0 before any)."""
        return self._log_index

    def skip_log_index(self, log_index: int) -> None:
        """Record that the entry at `log_index` changed nothing (it carried no valid block)."""
        with self._lock:
            self._check_log_index(log_index)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._write_log_index(log_index)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self._log_index = log_index

    def record_checkpoints(self, checkpoints: Sequence[Checkpoint], log_index: int) -> None:
        """Keep nodes' checkpoints delivered by the log entry at `log_index`, all or nothing.

        A node's second checkpoint of the same height (a retried entry) is ignored.
        """
        rows = [(c.height, c.node, compact_json(c.to_json())) for c in checkpoints]
        with self._lock:
            self._check_log_index(log_index)
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT OR IGNORE INTO peer_checkpoints VALUES (?, ?, ?)", rows
                )
                self._write_log_index(log_index)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            self._log_index = log_index

    # Snapshots (a consensus engine's compaction and a new node's catch-up).

    def open_snapshot(self) -> SqliteStateView:
        """A view of the file as committed now; commits go on while it is copied."""
        with self._lock:  # no commit is half-way through while the view begins
            view = SqliteStateView(self.path)
            expected = self._log_index
        if view.log_index != expected:  # the file is not what this store wrote
            view.close()
            raise RuntimeError(f"{self.path} was changed by another writer")
        return view

    def save_snapshot(self, target: Path) -> int:
        """Write a consistent copy of the whole file to `target`; return its log index."""
        view = self.open_snapshot()
        view.copy_to(target)
        return view.log_index

    def install_snapshot(self, source: Path) -> None:
        """Replace this file by the copy at `source` (a copy of an open_snapshot() view), durably.

        The copy is fsynced before it takes the file's place, and the directory after, so a
        crash leaves either the old file or the whole new one.
        """
        with self._lock:
            self._conn.close()
            staged = self.path.with_name(self.path.name + ".incoming")
            shutil.copyfile(source, staged)
            for suffix in ("-wal", "-shm"):  # closing checkpointed the WAL into the file
                self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            replace_durably(staged, self.path)
            self._open()

    # Lifecycle.

    def close(self) -> None:
        """Close the file (checkpointing the WAL)."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteLedgerStore:
        """Use as a context manager that closes the file."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the file."""
        self.close()

    # Internals.

    def _committed_get(self, key: StateKey) -> Value | None:
        return self.get(key)

    def _remember(self, key: StateKey, value: Value | None) -> None:
        if len(self._cache) >= self._cache_entries:
            self._cache.clear()
        self._cache[key] = value

    def _load_resident(self) -> dict[StateKey, Value]:
        resident: dict[StateKey, Value] = {}
        for space in RESIDENT_SPACES:
            # key_text joins parts with \x1f: the space's keys sort between "space\x1f" and
            # "space\x20", so the primary key's index answers this range.
            rows = self._conn.execute(
                "SELECT key, value FROM state WHERE key > ? AND key < ?",
                (space + "\x1f", space + "\x20"),
            )
            for text, value in rows:
                key = key_from_text(text)
                resident[key] = loaded_value(key, value)
        return resident

    def _hold(self, key: StateKey, value: Value | None) -> None:
        if value is None:
            self._resident.pop(key, None)
        else:
            self._resident[key] = value

    def _check(self, changes: ChangeSet, head: ChainHead, block: Block | None) -> None:
        current = self._head
        expected = 0 if current is None else current.height + 1
        if head.height != expected:
            raise CommitRefused(f"height {head.height} does not follow the head ({expected - 1})")
        if head.state_root != changes.state_root or changes.state_root != state_root(
            changes.accumulator
        ):
            raise CommitRefused(f"height {head.height}: the head's root is not the changes' root")
        if block is not None and block.head() != head:
            raise CommitRefused(f"height {head.height}: the block is not the head's block")
        if (
            current is not None
            and block is not None
            and block.header.previous_hash != current.block_hash
        ):
            raise CommitRefused(f"height {head.height}: previous hash is not the head's")

    def _check_log_index(self, log_index: int | None) -> None:
        if log_index is not None and log_index <= self._log_index:
            raise CommitRefused(f"log index {log_index} is not after {self._log_index}")

    def _write_log_index(self, log_index: int) -> None:
        self._conn.execute(
            "INSERT INTO meta (name, value) VALUES ('log_index', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (log_index,),
        )

    def _write(
        self, rows: BlockRows, head: ChainHead, accumulator: int, log_index: int | None
    ) -> None:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if rows.block is not None:
                conn.execute("INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows.block)
                conn.executemany("INSERT INTO applied VALUES (?, ?, ?)", rows.applied)
                conn.executemany("INSERT INTO refused VALUES (?, ?, ?, ?)", rows.refused)
                conn.executemany("INSERT INTO txs VALUES (?, ?, ?, ?)", rows.txs)
                conn.executemany("INSERT INTO asset_moves VALUES (?, ?, ?)", rows.asset_moves)
                conn.executemany("INSERT INTO holder_txs VALUES (?, ?, ?)", rows.holder_rows())
            if rows.checkpoint is not None:
                conn.execute("INSERT INTO checkpoints VALUES (?, ?)", rows.checkpoint)
                conn.executemany(
                    "INSERT OR IGNORE INTO holder_records VALUES (?, ?)", rows.holder_records
                )
            conn.executemany(
                "INSERT INTO state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                rows.upserts,
            )
            conn.executemany("DELETE FROM state WHERE key = ?", rows.deletes)
            conn.executemany("INSERT INTO state_history VALUES (?, ?, ?, ?)", rows.history)
            if rows.changed is not None:
                conn.execute("INSERT INTO changed_keys VALUES (?, ?)", rows.changed)
            self._write_head(head, accumulator)
            if log_index is not None:
                self._write_log_index(log_index)
        except sqlite3.IntegrityError as error:
            conn.execute("ROLLBACK")
            raise CommitRefused(f"height {head.height}: {self._conflict(rows, error)}") from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _conflict(self, rows: BlockRows, error: sqlite3.IntegrityError) -> str:
        """What a refused block broke: the transactions it would apply a second time, if any."""
        applied = [row[0] for row in rows.applied]
        again = [
            f"{tx_id} (applied at height {height})"
            for tx_id in dict.fromkeys(applied)
            for (height,) in self._conn.execute("SELECT height FROM applied WHERE id = ?", (tx_id,))
        ]
        if again or len(set(applied)) < len(applied):
            return "it applies an applied transaction again: " + (", ".join(again) or "twice")
        return str(error)

    def _write_head(self, head: ChainHead, accumulator: int) -> None:
        head_json = {
            "height": head.height,
            "block_hash": head.block_hash,
            "timestamp": head.timestamp,
            "state_root": head.state_root,
        }
        self._conn.executemany(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [
                ("head", compact_json(head_json)),
                ("accumulator", accumulator.to_bytes(ACCUMULATOR_BYTES, "big")),
            ],
        )

    def _load_head(self) -> tuple[ChainHead | None, int]:
        rows = dict(
            self._conn.execute(
                "SELECT name, value FROM meta WHERE name IN ('head', 'accumulator')"
            ).fetchall()
        )
        if "head" not in rows:
            return None, EMPTY_ACCUMULATOR
        data = json.loads(rows["head"])
        head = ChainHead(data["height"], data["block_hash"], data["timestamp"], data["state_root"])
        accumulator = int.from_bytes(rows["accumulator"], "big")
        if state_root(accumulator) != head.state_root:
            raise RuntimeError(f"{self.path}: the stored accumulator does not give the head's root")
        return head, accumulator
