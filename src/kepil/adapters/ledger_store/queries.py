"""Read-side queries of the ledger file: blocks, transactions, custody, movements, balances."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Final

from kepil.adapters.ledger_store.movements import Movement
from kepil.adapters.ledger_store.rows import loaded_value
from kepil.ledger.block import Block
from kepil.ledger.statekeys import StateKey, Value, balance_key, key_from_text, key_text

MAX_PAGE: Final = 1000
_MOVEMENT_COLUMNS: Final = "m.height, m.tx_index, m.tx_id, m.asset, m.kind, m.sender, "
_MOVEMENT_COLUMNS_END: Final = "m.recipient, m.amount, m.ref, m.id"


@dataclass(frozen=True, slots=True)
class StoredTx:
    """A transaction as its block recorded it."""

    tx_id: str
    height: int
    index: int
    type: str
    result: str  # "ok" or the reason code
    signers: tuple[str, ...]
    envelope: dict[str, Any]  # {"body": ..., "sigs": [...]}; decode_tx rebuilds a SignedTx


@dataclass(frozen=True, slots=True)
class StateChange:
    """One key a block changed: its stored text before and after (None: absent)."""

    key: StateKey
    old: Value | None
    new: Value | None


@dataclass(frozen=True, slots=True)
class MovementPage:
    """A page of movements, newest first; pass `next_before` to get the next (older) page."""

    items: tuple[Movement, ...]
    next_before: int | None


def _movement(row: tuple[Any, ...]) -> Movement:
    return Movement(*row)


def _page_size(limit: int) -> int:
    if not 0 < limit <= MAX_PAGE:
        raise ValueError(f"limit must be 1-{MAX_PAGE}")
    return limit


class LedgerQueries:
    """Queries over the ledger file; mixed into SqliteLedgerStore, which owns the connection."""

    _conn: sqlite3.Connection
    _lock: threading.RLock

    def _all(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # Blocks and transactions.

    def block_json(self, height: int) -> dict[str, Any] | None:
        """The block at `height` as Block.to_json() gave it, or None."""
        data = self._block_data(height)
        if data is not None:
            data["txs"] = [json.loads(envelope) for envelope in data["txs"]]
        return data

    def block(self, height: int) -> Block | None:
        """The block at `height`, decoded, or None."""
        data = self._block_data(height)
        return None if data is None else Block.from_json(data)

    def _block_data(self, height: int) -> dict[str, Any] | None:
        # Block.to_json()'s object with each envelope still text (decode_tx reads text fastest).
        with self._lock:
            head = self._conn.execute(
                "SELECT header, hash FROM blocks WHERE height = ?", (height,)
            ).fetchone()
            if head is None:
                return None
            txs = self._conn.execute(
                "SELECT body, result FROM transactions WHERE height = ? ORDER BY idx", (height,)
            ).fetchall()
        return {
            "header": json.loads(head[0]),
            "hash": head[1],
            "txs": [envelope for envelope, _ in txs],
            "results": [result for _, result in txs],
        }

    def block_by_hash(self, block_hash: str) -> Block | None:
        """The block with this hash, or None."""
        rows = self._all("SELECT height FROM blocks WHERE hash = ?", (block_hash,))
        return self.block(rows[0][0]) if rows else None

    def block_headers(self, start: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Headers (with "hash") from `start` upwards, at most `limit`."""
        rows = self._all(
            "SELECT header, hash FROM blocks WHERE height >= ? ORDER BY height LIMIT ?",
            (start, _page_size(limit)),
        )
        return [{**json.loads(header), "hash": block_hash} for header, block_hash in rows]

    def transaction(self, tx_id: str) -> StoredTx | None:
        """Where `tx_id` applied, else its latest (refused) occurrence, else None."""
        rows = self._all(
            "SELECT id, height, idx, type, result, signers, body FROM transactions WHERE id = ? "
            "ORDER BY result = 'ok' DESC, height DESC, idx DESC LIMIT 1",
            (tx_id,),
        )
        return self._stored_tx(rows[0]) if rows else None

    def block_transactions(self, height: int) -> list[StoredTx]:
        """The transactions of the block at `height`, in order."""
        rows = self._all(
            "SELECT id, height, idx, type, result, signers, body FROM transactions "
            "WHERE height = ? ORDER BY idx",
            (height,),
        )
        return [self._stored_tx(row) for row in rows]

    @staticmethod
    def _stored_tx(row: tuple[Any, ...]) -> StoredTx:
        tx_id, height, index, tx_type, result, signers, body = row
        return StoredTx(
            tx_id, height, index, tx_type, result, tuple(json.loads(signers)), json.loads(body)
        )

    # Custody and movements.

    def custody(self, asset: str, after: int = 0, limit: int = MAX_PAGE) -> list[Movement]:
        """Every movement of `asset` in chain order, from movement id `after` (exclusive)."""
        rows = self._all(
            f"SELECT {_MOVEMENT_COLUMNS}{_MOVEMENT_COLUMNS_END} FROM movements m "  # noqa: S608
            "WHERE m.asset = ? AND m.id > ? ORDER BY m.id LIMIT ?",
            (asset, after, _page_size(limit)),
        )
        return [_movement(row) for row in rows]

    def movements(self, holder: str, before: int | None = None, limit: int = 50) -> MovementPage:
        """`holder`'s movements (as sender or recipient), newest first, paginated by id."""
        size = _page_size(limit)
        rows = self._all(
            f"SELECT {_MOVEMENT_COLUMNS}{_MOVEMENT_COLUMNS_END} "  # noqa: S608
            "FROM movement_parties p JOIN movements m ON m.id = p.movement_id "
            "WHERE p.holder = ? AND p.movement_id < ? ORDER BY p.movement_id DESC LIMIT ?",
            (holder, before if before is not None else 2**62, size + 1),
        )
        items = tuple(_movement(row) for row in rows[:size])
        return MovementPage(items, items[-1].id if len(rows) > size else None)

    # State as of a height.

    def value_at(self, key: StateKey, height: int) -> Value | None:
        """The value under `key` once the block at `height` was committed."""
        rows = self._all(
            "SELECT new FROM state_history WHERE key = ? AND height <= ? "
            "ORDER BY height DESC LIMIT 1",
            (key_text(key), height),
        )
        return None if not rows or rows[0][0] is None else loaded_value(key, rows[0][0])

    def balance_at(self, holder: str, asset: str, height: int) -> int:
        """`holder`'s free units of `asset` once the block at `height` was committed."""
        value = self.value_at(balance_key(holder, asset), height)
        return value if isinstance(value, int) else 0

    def balances_at(self, asset: str, height: int) -> dict[str, int]:
        """Every holder's free units of `asset` (non-zero only) as of `height`."""
        rows = self._all(
            "SELECT holder, amount FROM ("
            " SELECT holder, amount, row_number() OVER ("
            "  PARTITION BY holder ORDER BY height DESC) AS n"
            " FROM balance_history WHERE asset = ? AND height <= ?"
            ") WHERE n = 1 AND amount > 0 ORDER BY holder",
            (asset, height),
        )
        return dict(rows)

    def holdings_at(self, holder: str, height: int) -> dict[str, int]:
        """`holder`'s free units of every asset class (non-zero only) as of `height`."""
        rows = self._all(
            "SELECT asset, amount FROM ("
            " SELECT asset, amount, row_number() OVER ("
            "  PARTITION BY asset ORDER BY height DESC) AS n"
            " FROM balance_history WHERE holder = ? AND height <= ?"
            ") WHERE n = 1 AND amount > 0 ORDER BY asset",
            (holder, height),
        )
        return dict(rows)

    def state_changes(self, height: int) -> list[StateChange]:
        """What the block at `height` changed, by key."""
        rows = self._all(
            "SELECT key, old, new FROM state_history WHERE height = ? ORDER BY key", (height,)
        )
        changes = []
        for text, old, new in rows:
            key = key_from_text(text)
            changes.append(
                StateChange(
                    key,
                    None if old is None else loaded_value(key, old),
                    None if new is None else loaded_value(key, new),
                )
            )
        return changes
