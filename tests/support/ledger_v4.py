"""A ledger file in schema 4's layout, written as the store wrote it before schema 5.

Kept frozen here (its DDL and its rows, copied from the store of schema 4) so the upgrade is
tested on files as nodes hold them, not on what today's store would write.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Final

from tests.support.ledger import Chain

from kepil.adapters.ledger_store.movements import block_movements
from kepil.ledger import replay_block, sign_checkpoint
from kepil.ledger.block import Block
from kepil.ledger.crypto import SigningKey
from kepil.ledger.root import ACCUMULATOR_BYTES
from kepil.ledger.state import ChangeSet, MemoryState
from kepil.ledger.statekeys import Space, key_text, value_json
from kepil.services.ledger.storage import block_parties, lock_owners, tx_seq

V4_TABLES: Final = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    timestamp INTEGER NOT NULL,
    state_root TEXT NOT NULL,
    tx_count INTEGER NOT NULL,
    header TEXT NOT NULL,
    block TEXT NOT NULL -- '' since schema 3: the block is assembled from transactions
);

-- A transaction id may occur more than once: a replay is recorded, refused, in its block. It
-- applies ("ok") at most once: the unique index below refuses, in the block's own SQLite
-- transaction, any block that would apply it again.
CREATE TABLE IF NOT EXISTS transactions (
    height INTEGER NOT NULL REFERENCES blocks (height),
    idx INTEGER NOT NULL,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    result TEXT NOT NULL,
    signers TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (height, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transactions_by_id ON transactions (id);
CREATE UNIQUE INDEX IF NOT EXISTS transactions_applied_once ON transactions (id)
    WHERE result = 'ok';

-- History is kept even for heights whose block body was not given to commit().
CREATE TABLE IF NOT EXISTS state_history (
    height INTEGER NOT NULL,
    key TEXT NOT NULL,
    old TEXT,
    new TEXT,
    PRIMARY KEY (key, height)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS state_history_by_height ON state_history (height);

CREATE TABLE IF NOT EXISTS balance_history (
    asset TEXT NOT NULL,
    holder TEXT NOT NULL,
    height INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (asset, holder, height)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS balance_history_by_holder
    ON balance_history (holder, asset, height);

CREATE TABLE IF NOT EXISTS movements (
    id INTEGER PRIMARY KEY,
    height INTEGER NOT NULL,
    tx_index INTEGER NOT NULL,
    tx_id TEXT NOT NULL,
    asset TEXT NOT NULL,
    kind TEXT NOT NULL,
    sender TEXT,
    recipient TEXT,
    amount INTEGER NOT NULL,
    ref TEXT,
    FOREIGN KEY (height, tx_index) REFERENCES transactions (height, idx)
);
CREATE INDEX IF NOT EXISTS movements_by_asset ON movements (asset, id);
CREATE INDEX IF NOT EXISTS movements_by_tx ON movements (height, tx_index);

-- This node's signed checkpoint of each block (Checkpoint.to_json()).
CREATE TABLE IF NOT EXISTS checkpoints (
    height INTEGER PRIMARY KEY REFERENCES blocks (height),
    body TEXT NOT NULL
);

-- Every node's checkpoint as the consensus log delivered it (this node's own included), so a
-- receipt can show a majority and an audit can check them offline.
CREATE TABLE IF NOT EXISTS peer_checkpoints (
    height INTEGER NOT NULL REFERENCES blocks (height),
    node TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (height, node)
) WITHOUT ROWID;

-- Every transaction a holder took part in (signer, or named in the payload), seq = tx_seq().
CREATE TABLE IF NOT EXISTS tx_parties (
    holder TEXT NOT NULL,
    seq INTEGER NOT NULL,
    height INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    PRIMARY KEY (holder, seq)
) WITHOUT ROWID;

-- Pledges and escrows that lock a holder's units (their state keys), for holdings.
CREATE TABLE IF NOT EXISTS holder_records (
    holder TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (holder, key)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS movement_parties (
    holder TEXT NOT NULL,
    movement_id INTEGER NOT NULL REFERENCES movements (id),
    PRIMARY KEY (holder, movement_id)
) WITHOUT ROWID;
"""


def _text(value: Any) -> str:
    return str(value) if type(value) is int else value_json(value)


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def write_v4_file(path: Path, chain: Chain, node: str, key: SigningKey) -> None:
    """Replay `chain` into a new file at `path` in schema 4's layout, with `node`'s checkpoints."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in V4_TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        connection.execute("INSERT INTO meta VALUES ('schema_version', 4)")
        state, next_movement = MemoryState(), 1
        for log_index, block in enumerate(chain.blocks, start=1):
            outcome = replay_block(state, block, chain.executor)
            checkpoint = sign_checkpoint(outcome.block, node, key)
            connection.execute("BEGIN")
            next_movement = _block(connection, state, outcome.block, next_movement)
            _log(connection, outcome.block, outcome.changes, node, _compact(checkpoint.to_json()))
            _state(connection, outcome.changes, block.header.height)
            head = outcome.block.head()
            head_json = {
                "height": head.height,
                "block_hash": head.block_hash,
                "timestamp": head.timestamp,
                "state_root": head.state_root,
            }
            accumulator = outcome.changes.accumulator.to_bytes(ACCUMULATOR_BYTES, "big")
            connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("head", _compact(head_json)), ("accumulator", accumulator),
                 ("log_index", log_index)],
            )  # fmt: skip
            connection.execute("COMMIT")
            state.commit(outcome.changes, head)
    finally:
        connection.close()


def _block(connection: sqlite3.Connection, state: MemoryState, block: Block, first: int) -> int:
    header = block.header
    connection.execute(
        "INSERT INTO blocks VALUES (?, ?, ?, ?, ?, ?, ?)",
        (header.height, block.hash, header.timestamp, header.state_root, header.tx_count,
         _compact(header.to_json()), ""),
    )  # fmt: skip
    for index, (tx, result) in enumerate(zip(block.txs, block.results, strict=True)):
        connection.execute(
            "INSERT INTO transactions VALUES (?, ?, ?, ?, ?, ?, ?)",
            (header.height, index, tx.tx_id, tx.type, result.code,
             _compact(sorted(tx.unsigned.nonces)), tx.to_bytes().decode()),
        )  # fmt: skip
    movements = block_movements(block, state.get)
    for number, move in enumerate(movements, start=first):
        connection.execute(
            "INSERT INTO movements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (number, move.height, move.tx_index, move.tx_id, move.asset, move.kind, move.sender,
             move.recipient, move.amount, move.ref),
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO movement_parties VALUES (?, ?)",
            [(party, number) for party in sorted(move.parties())],
        )
    return first + len(movements)


def _log(
    connection: sqlite3.Connection, block: Block, changes: ChangeSet, node: str, body: str
) -> None:
    height = block.header.height
    connection.execute("INSERT INTO checkpoints VALUES (?, ?)", (height, body))
    connection.execute("INSERT INTO peer_checkpoints VALUES (?, ?, ?)", (height, node, body))
    for index, parties in enumerate(block_parties(block, changes)):
        seq = tx_seq(height, index)
        connection.executemany(
            "INSERT INTO tx_parties VALUES (?, ?, ?, ?)",
            [(party, seq, height, index) for party in sorted(parties)],
        )
    connection.executemany(
        "INSERT OR IGNORE INTO holder_records VALUES (?, ?)",
        [(owner, key_text(key)) for owner, key in lock_owners(changes)],
    )


def _state(connection: sqlite3.Connection, changes: ChangeSet, height: int) -> None:
    for key, new in changes.writes.items():
        text, old = key_text(key), changes.previous.get(key)
        if new is None:
            connection.execute("DELETE FROM state WHERE key = ?", (text,))
        else:
            connection.execute("INSERT OR REPLACE INTO state VALUES (?, ?)", (text, _text(new)))
        connection.execute(
            "INSERT INTO state_history VALUES (?, ?, ?, ?)",
            (
                height,
                text,
                None if old is None else _text(old),
                None if new is None else _text(new),
            ),
        )
        if key[0] == Space.BALANCE.value:
            connection.execute(
                "INSERT INTO balance_history VALUES (?, ?, ?, ?)",
                (key[2], key[1], height, new if isinstance(new, int) else 0),
            )
