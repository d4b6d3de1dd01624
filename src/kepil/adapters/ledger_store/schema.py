"""The ledger file's tables, indexes and connection settings.

One SQLite file per node, opened with the standard library's sqlite3 (no SQLAlchemy: committing
a block is the node's hot path, and the store needs nothing but prepared statements). The file
runs in WAL mode with synchronous=FULL, so a committed block survives a power cut, and with
foreign keys on.

Schema 5 (the lean layout, issue 22): a block is ONE row holding its header, its envelopes, their
results and its movements (see body.py); per transaction the file adds only what a lookup needs
(its applied id, the holders it concerns, its movements' asset), and per changed key its
history. Everything else (a holder's movements, custody, a block's transactions) is read back
from the block rows.

Schema 6 adds `txs`, a row per transaction (its id, type and result under its chain position):
a history entry reads one row instead of decoding a whole block body, and locate() checks the
`applied` and `refused` rows it answers from against it. A schema-5 file gains it in place.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Final

from kepil.adapters.ledger_store.upgrade import fill_txs, upgrade_to_lean

SCHEMA_VERSION: Final = 6
# Versions this store opens and upgrades in place, in the transaction that opens the file:
# 2, 3 and 4 share one layout (a row per transaction, movement and party), which upgrade.py
# rewrites into the lean one; 5 is the lean layout without `txs`. A file that applied a
# transaction twice (possible before 4) is refused, as it holds a double effect an operator
# must resolve.
_OLD_LAYOUTS: Final = frozenset({2, 3, 4})
_UPGRADES_FROM: Final = _OLD_LAYOUTS | {5}
# Free disk space an upgrade needs, as a multiple of the file's size (with its WAL): rewriting
# an old layout peaked at 3.2x the file on disk (file + WAL; a 188 MB file reached 605 MB), so
# 2.5x on top of it; adding `txs` writes about a fifth of the file, twice (WAL, then file).
_SPACE_FACTOR: Final = {2: 2.5, 3: 2.5, 4: 2.5, 5: 0.5}

_TABLES: Final = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- body: the block's results and movements, then its envelopes (body.py). Movements are
-- numbered in chain order: the block's are first_movement, first_movement + 1, ...
CREATE TABLE IF NOT EXISTS blocks (
    height INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    timestamp INTEGER NOT NULL,
    state_root TEXT NOT NULL,
    tx_count INTEGER NOT NULL,
    header TEXT NOT NULL,
    body TEXT NOT NULL,
    first_movement INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_by_movement ON blocks (first_movement);

-- A transaction id applies at most once: the primary key refuses, in the block's own SQLite
-- transaction, any block that would apply it again.
CREATE TABLE IF NOT EXISTS applied (
    id TEXT PRIMARY KEY,
    height INTEGER NOT NULL,
    idx INTEGER NOT NULL
) WITHOUT ROWID;

-- A refused occurrence (a replay, an invalid transaction) may repeat: each is in its block.
CREATE TABLE IF NOT EXISTS refused (
    id TEXT NOT NULL,
    height INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    code TEXT NOT NULL,
    PRIMARY KEY (id, height, idx)
) WITHOUT ROWID;

-- Each transaction under its chain position (seq = tx_seq(height, idx)): what a history
-- entry shows, and the id the applied and refused rows must find there.
CREATE TABLE IF NOT EXISTS txs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    result TEXT NOT NULL
);

-- History is kept even for heights whose block body was not given to commit().
CREATE TABLE IF NOT EXISTS state_history (
    height INTEGER NOT NULL,
    key TEXT NOT NULL,
    old TEXT,
    new TEXT,
    PRIMARY KEY (key, height)
) WITHOUT ROWID;

-- The keys each commit changed (a JSON list), so a block's changes read without an index
-- of state_history by height.
CREATE TABLE IF NOT EXISTS changed_keys (
    height INTEGER PRIMARY KEY,
    keys TEXT NOT NULL
);

-- The one holder index: each transaction (seq = tx_seq()) a holder is concerned by. tags: 1 =
-- took part (signer, or named in the payload, written with the node's checkpoint), 2 = a
-- party of one of its movements.
CREATE TABLE IF NOT EXISTS holder_txs (
    holder TEXT NOT NULL,
    seq INTEGER NOT NULL,
    tags INTEGER NOT NULL,
    PRIMARY KEY (holder, seq)
) WITHOUT ROWID;

-- Movements of each asset class by id, for custody pages.
CREATE TABLE IF NOT EXISTS asset_moves (
    asset TEXT NOT NULL,
    id INTEGER NOT NULL,
    height INTEGER NOT NULL,
    PRIMARY KEY (asset, id)
) WITHOUT ROWID;

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

-- Pledges and escrows that lock a holder's units (their state keys), for holdings.
CREATE TABLE IF NOT EXISTS holder_records (
    holder TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (holder, key)
) WITHOUT ROWID;
"""


class SchemaMismatch(Exception):  # noqa: N818 - names the condition
    """The file was written by another version of the store."""


class NoRoomToUpgrade(SchemaMismatch):
    """The disk lacks the free space an in-place upgrade of the file needs."""


def connect(path: Path | str) -> sqlite3.Connection:
    """Open (creating or upgrading if needed) the ledger file with its settings and tables."""
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache
    try:
        _create(connection, Path(path))
    except BaseException:
        connection.close()
        raise
    return connection


def _create(connection: sqlite3.Connection, path: Path) -> None:
    # One transaction: an upgrade is all or nothing, and a refused file is left untouched.
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = _version(connection)
        upgrading = version is not None and version != SCHEMA_VERSION
        if upgrading:
            if version not in _UPGRADES_FROM:
                raise SchemaMismatch(
                    f"ledger file schema {version}; this store writes {SCHEMA_VERSION}"
                )
            require_space(path, _SPACE_FACTOR[version], version)
            if version in _OLD_LAYOUTS:
                try:
                    upgrade_to_lean(connection, _TABLES)
                except ValueError as error:
                    raise SchemaMismatch(str(error)) from None
            connection.execute(
                "UPDATE meta SET value = ? WHERE name = 'schema_version'", (SCHEMA_VERSION,)
            )
        for statement in _TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        if upgrading:
            fill_txs(connection)
        if version is None:
            connection.execute(
                "INSERT INTO meta (name, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def require_space(path: Path, factor: float, version: int) -> None:
    """Raise NoRoomToUpgrade unless `path`'s disk has `factor` times the file's size free."""
    size = sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.is_file())
    needed = int(size * factor)
    free = shutil.disk_usage(path.parent).free
    if free < needed:
        raise NoRoomToUpgrade(
            f"{path}: upgrading schema {version} to {SCHEMA_VERSION} in place needs {needed} bytes "
            f"free beside the file ({size} bytes), {path.parent} has {free}; free some space "
            "or move the file to a larger disk, then start again"
        )


def _version(connection: sqlite3.Connection) -> int | None:
    """The file's schema version, or None for a new file."""
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone() is None:
        return None
    row = connection.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    return None if row is None else int(row[0])
