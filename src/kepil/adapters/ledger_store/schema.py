"""The ledger file's tables, indexes and connection settings.

One SQLite file per node, opened with the standard library's sqlite3 (no SQLAlchemy: committing
a block is the node's hot path, and the store needs nothing but prepared statements). The file
runs in WAL mode with synchronous=FULL, so a committed block survives a power cut, and with
foreign keys on.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

SCHEMA_VERSION: Final = 4
# Versions this store opens and upgrades in place. 2 -> 3: blocks.block is no longer written
# (a block is assembled from its transactions' rows, which both versions hold); the copies in a
# file of version 2 are left where they are and not read. 3 -> 4: a transaction id applies at
# most once (the index transactions_applied_once); a file that records one applied twice is
# refused, as it holds a double effect an operator must resolve.
_UPGRADES_FROM: Final = frozenset({2, 3})

_TABLES: Final = """
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


class SchemaMismatch(Exception):  # noqa: N818 - names the condition
    """The file was written by another version of the store."""


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) the ledger file with its settings and tables."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache
    try:
        _create(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def _create(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        _refuse_double_effects(connection)
        for statement in _TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        row = connection.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        if row is None:
            connection.execute(
                "INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
        elif int(row[0]) in _UPGRADES_FROM:
            connection.execute(
                "UPDATE meta SET value = ? WHERE name = 'schema_version'", (SCHEMA_VERSION,)
            )
        elif int(row[0]) != SCHEMA_VERSION:
            raise SchemaMismatch(f"ledger file schema {row[0]}; this store writes {SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _refuse_double_effects(connection: sqlite3.Connection) -> None:
    """Raise SchemaMismatch when a file written before schema 4 applied a transaction twice."""
    names = {
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE name IN ('transactions', "
            "'transactions_applied_once')"
        )
    }
    if names != {"transactions"}:  # a new file, or one the unique index already guards
        return
    twice = [
        row[0]
        for row in connection.execute(
            "SELECT id FROM transactions WHERE result = 'ok' GROUP BY id HAVING count(*) > 1 "
            "ORDER BY id LIMIT 5"
        )
    ]
    if twice:
        raise SchemaMismatch(
            f"the ledger file applied transaction(s) {', '.join(twice)} more than once; "
            "restore it from a node that agrees with the network"
        )
