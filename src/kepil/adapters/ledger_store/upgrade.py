"""The upgrade of a ledger file of schema 2, 3 or 4 to the lean layout, and of any of them to
schema 6 (fill_txs), in place.

Schemas 2 to 4 kept a row per transaction, movement, movement party and transaction party, and a
balance history beside the state history. Schema 5 keeps a block's transactions and movements in
its own row and one holder index (schema.py). The upgrade runs inside the transaction that opens
the file (schema.connect): it either rewrites the whole file or leaves it as it was. Movement ids
are kept: they were handed out in chain order without gaps, so each block's are a run starting at
its first_movement.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from itertools import groupby
from typing import Any

from kepil.adapters.ledger_store.body import decode_body, encode_body
from kepil.ledger.block import OK
from kepil.services.ledger.storage import tx_seq

_OLD_TABLES = ("movement_parties", "movements", "tx_parties", "transactions", "balance_history")


def upgrade_to_lean(connection: sqlite3.Connection, tables: str) -> None:
    """Rewrite an old layout's rows into schema 5's (`tables` is its DDL), in the open transaction.

    Raises ValueError, writing nothing the caller will commit, when the file applied a
    transaction twice or its movements do not number as the store numbered them.
    """
    _refuse_double_effects(connection)
    connection.execute("ALTER TABLE blocks RENAME COLUMN block TO body")
    connection.execute("ALTER TABLE blocks ADD COLUMN first_movement INTEGER NOT NULL DEFAULT 0")
    for statement in tables.split(";"):
        if statement.strip():
            connection.execute(statement)
    _bodies(connection)
    connection.execute(
        "INSERT INTO applied SELECT id, height, idx FROM transactions WHERE result = ?", (OK,)
    )
    connection.execute(
        "INSERT INTO refused SELECT id, height, idx, result FROM transactions WHERE result != ?",
        (OK,),
    )
    connection.execute("INSERT INTO asset_moves SELECT asset, id, height FROM movements")
    per_height = tx_seq(1, 0)
    connection.execute("INSERT INTO holder_txs SELECT holder, seq, 1 FROM tx_parties")
    connection.execute(
        "INSERT INTO holder_txs SELECT p.holder, m.height * ? + m.tx_index, 2 "
        "FROM movement_parties p JOIN movements m ON m.id = p.movement_id WHERE true "
        "ON CONFLICT (holder, seq) DO UPDATE SET tags = tags | excluded.tags",
        (per_height,),
    )
    # Streamed, a height at a time: a long chain's history need not fit in memory.
    rows = connection.execute("SELECT height, key FROM state_history ORDER BY height, key")
    connection.executemany(
        "INSERT INTO changed_keys VALUES (?, ?)",
        (
            (height, json.dumps([key for _, key in group], ensure_ascii=False))
            for height, group in groupby(rows, key=lambda row: row[0])
        ),
    )
    connection.execute("DROP INDEX IF EXISTS state_history_by_height")
    for table in _OLD_TABLES:  # children before parents: foreign keys are on
        connection.execute(f"DROP TABLE {table}")


def fill_txs(connection: sqlite3.Connection) -> None:
    """Fill the (new, empty) `txs` table from the block bodies, in the open transaction."""
    # Streamed, a block at a time: a long chain's bodies need not fit in memory.
    connection.executemany("INSERT INTO txs VALUES (?, ?, ?, ?)", _tx_rows(connection))


def _tx_rows(connection: sqlite3.Connection) -> Iterator[tuple[int, str, str, str]]:
    for height, text in connection.execute("SELECT height, body FROM blocks ORDER BY height"):
        body = decode_body(height, 0, 0, text)
        for index, (tx_id, result) in enumerate(zip(body.ids, body.results, strict=True)):
            yield tx_seq(height, index), tx_id, body.envelope(index)["body"]["type"], result


def _bodies(connection: sqlite3.Connection) -> None:
    """Each block's body and first movement id, from its transaction and movement rows."""
    next_id = 1
    heights = [row[0] for row in connection.execute("SELECT height FROM blocks ORDER BY height")]
    for height in heights:
        txs = connection.execute(
            "SELECT idx, id, result, body FROM transactions WHERE height = ? ORDER BY idx",
            (height,),
        ).fetchall()
        if [row[0] for row in txs] != list(range(len(txs))):
            raise ValueError(f"the block at height {height} lacks some of its transactions")
        moves = connection.execute(
            "SELECT id, tx_index, tx_id, asset, kind, sender, recipient, amount, ref "
            "FROM movements WHERE height = ? ORDER BY id",
            (height,),
        ).fetchall()
        first = moves[0][0] if moves else next_id
        if [row[0] for row in moves] != list(range(first, first + len(moves))) or any(
            row[2] != txs[row[1]][1] for row in moves
        ):
            raise ValueError(f"the movements of the block at height {height} do not number")
        next_id = first + len(moves)
        body = encode_body(
            [row[1] for row in txs],
            [row[2] for row in txs],
            [_move(row) for row in moves],
            [row[3] for row in txs],
        )
        connection.execute(
            "UPDATE blocks SET body = ?, first_movement = ? WHERE height = ?",
            (body, first, height),
        )


def _move(row: tuple[Any, ...]) -> list[Any]:
    _, tx_index, _, asset, kind, sender, recipient, amount, ref = row
    return [tx_index, asset, kind, sender, recipient, amount, ref]


def _refuse_double_effects(connection: sqlite3.Connection) -> None:
    """Raise ValueError when a file written before schema 4 applied a transaction twice."""
    twice = [
        row[0]
        for row in connection.execute(
            "SELECT id FROM transactions WHERE result = ? GROUP BY id HAVING count(*) > 1 "
            "ORDER BY id LIMIT 5",
            (OK,),
        )
    ]
    if twice:
        raise ValueError(
            f"the ledger file applied transaction(s) {', '.join(twice)} more than once; "
            "restore it from a node that agrees with the network"
        )
