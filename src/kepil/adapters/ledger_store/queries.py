"""Read-side queries of the ledger file: blocks, transactions, custody, movements, balances.

Schema 5 keeps a block's transactions and movements in its one row (body.py); these reads find
the rows through the small indexes (applied, refused, txs, holder_txs, asset_moves,
state_history) and decode each block they need once, outside the store's lock (Bodies).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Final

from kepil.adapters.ledger_store.body import BlockBody, Bodies
from kepil.adapters.ledger_store.movements import Movement
from kepil.adapters.ledger_store.rows import MOVED, loaded_value
from kepil.ledger.block import Block
from kepil.ledger.statekeys import Space, StateKey, Value, balance_key, key_from_text, key_text
from kepil.services.ledger.storage import tx_at, tx_seq

# Where `tx_id` applied, else its latest refusal: only rows whose position `txs` says holds
# that id with that result (a row that moved or lies is no answer; `kepil audit` reports it).
# Both take (PER_HEIGHT, tx_id).
PER_HEIGHT: Final = tx_seq(1, 0)  # tx_seq(height, idx) = height * PER_HEIGHT + idx
APPLIED_AT: Final = (
    "SELECT a.height, a.idx, t.result FROM applied a JOIN txs t"
    " ON t.seq = a.height * ? + a.idx AND t.id = a.id AND t.result = 'ok' WHERE a.id = ?"
)
REFUSED_AT: Final = (
    "SELECT r.height, r.idx, r.code FROM refused r JOIN txs t"
    " ON t.seq = r.height * ? + r.idx AND t.id = r.id AND t.result = r.code"
    " WHERE r.id = ? ORDER BY r.height DESC, r.idx DESC LIMIT 1"
)

MAX_PAGE: Final = 1000
# Block bodies one page of movements or custody decodes at most (a 1000-transaction body costs
# ~2.5 ms): a page that would need more ends early, with a cursor to go on from.
MAX_PAGE_BODIES: Final = 50
_BALANCES: Final = (Space.BALANCE.value + "\x1f", Space.BALANCE.value + "\x20")
_LATEST_BALANCES: Final = (
    "SELECT key, new FROM ("
    " SELECT key, new, row_number() OVER (PARTITION BY key ORDER BY height DESC) AS n"
    " FROM state_history WHERE key > ? AND key < ? AND height <= ? {}"
    ") WHERE n = 1 ORDER BY key"
)


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

    def _connection(self) -> sqlite3.Connection:
        return self._conn  # the current one: install_snapshot() replaces it under the lock

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
        body = Bodies(self._connection, self._lock).at(height)
        if head is None or body is None:
            return None
        return {
            "header": json.loads(head[0]),
            "hash": head[1],
            "txs": body.envelopes,
            "results": body.results,
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
        found = self._occurrence(tx_id)
        if found is None:
            return None
        height, index, _ = found
        body = Bodies(self._connection, self._lock).of(height)
        if index >= len(body.ids) or body.ids[index] != tx_id:  # txs and the body disagree
            return None
        return _stored_tx(body, index)

    def _occurrence(self, tx_id: str) -> tuple[int, int, str] | None:
        """(height, index, result) where `tx_id` applied, else of its latest refusal."""
        with self._lock:
            row = self._conn.execute(APPLIED_AT, (PER_HEIGHT, tx_id)).fetchone()
            if row is None:
                row = self._conn.execute(REFUSED_AT, (PER_HEIGHT, tx_id)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    def placement_problems(self, height: int, results: list[tuple[str, str]]) -> list[str]:
        """How the lookup rows (applied, refused, txs) disagree with the block at `height`,
        whose transactions are `results` ((id, "ok" or code), in order); [] when they agree."""
        first = tx_seq(height, 0)
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, id, result FROM txs WHERE seq >= ? AND seq < ? ORDER BY seq",
                (first, tx_seq(height + 1, 0)),
            ).fetchall()
            applied = [
                self._conn.execute(
                    "SELECT height, idx FROM applied WHERE id = ?", (tx_id,)
                ).fetchone()
                for tx_id, _ in results
            ]
            refused = [
                self._conn.execute(
                    "SELECT code FROM refused WHERE id = ? AND height = ? AND idx = ?",
                    (tx_id, height, index),
                ).fetchone()
                for index, (tx_id, _) in enumerate(results)
            ]
        problems = []
        if rows != [(first + i, tx_id, code) for i, (tx_id, code) in enumerate(results)]:
            problems.append(f"its txs rows are not its {len(results)} transactions")
        for index, ((tx_id, code), at, refusal) in enumerate(
            zip(results, applied, refused, strict=True)
        ):
            if code == "ok" and (at != (height, index) or refusal is not None):
                problems.append(f"#{index} {tx_id}: applied here, its rows say {at}, {refusal}")
            elif code != "ok" and (refusal != (code,) or at == (height, index)):
                problems.append(f"#{index} {tx_id}: refused {code!r} here, its rows say {refusal}")
        return problems

    def lookup_counts(self) -> tuple[int, int, int]:
        """How many rows `applied`, `refused` and `txs` hold."""
        with self._lock:
            return tuple(
                self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("applied", "refused", "txs")
            )

    def block_transactions(self, height: int) -> list[StoredTx]:
        """The transactions of the block at `height`, in order."""
        body = Bodies(self._connection, self._lock).at(height)
        if body is None:
            return []
        return [_stored_tx(body, index) for index in range(len(body.ids))]

    # Custody and movements.

    def custody(self, asset: str, after: int = 0, limit: int = MAX_PAGE) -> list[Movement]:
        """Every movement of `asset` in chain order, from movement id `after` (exclusive)."""
        rows = self._all(
            "SELECT id, height FROM asset_moves WHERE asset = ? AND id > ? ORDER BY id LIMIT ?",
            (asset, after, _page_size(limit)),
        )
        bodies = Bodies(self._connection, self._lock)  # each block read once, decoded off the lock
        found = []
        for movement_id, height in rows:
            if not bodies.holds(height) and bodies.count >= MAX_PAGE_BODIES:
                break  # a short page: the caller goes on after its last id
            body = bodies.of(height)
            found.append(body.movement(movement_id - body.first_movement))
        return found

    def movements(self, holder: str, before: int | None = None, limit: int = 50) -> MovementPage:
        """`holder`'s movements (as sender or recipient), newest first, paginated by id."""
        size = _page_size(limit)
        # Not under the lock: blocks are only appended, so the rows read stay true between
        # queries, and a commit need not wait for the bodies' decoding.
        items, cut = self._holder_movements(holder, before, size + 1)
        page = tuple(items[:size])
        more = len(items) > size or (cut and bool(page))
        return MovementPage(page, page[-1].id if more else None)

    def _holder_movements(
        self, holder: str, before: int | None, wanted: int
    ) -> tuple[list[Movement], bool]:
        """Up to `wanted` movements, and whether MAX_PAGE_BODIES cut the search short."""
        bodies = Bodies(self._connection, self._lock)
        if before is None:
            before, below = 2**62, 2**62
        else:  # from the block holding movement `before`: it and the older ones
            last = bodies.height_holding(before)
            if last is None:
                return [], False
            below = tx_seq(last + 1, 0)
        found: list[Movement] = []
        while len(found) < wanted:
            # Each transaction tagged MOVED has at least one movement of the holder.
            seqs = self._all(
                "SELECT seq FROM holder_txs WHERE holder = ? AND seq < ? AND tags & ? "
                "ORDER BY seq DESC LIMIT ?",
                (holder, below, MOVED, wanted - len(found)),
            )
            if not seqs:
                break
            for (seq,) in seqs:
                height, index = tx_at(seq)
                if not bodies.holds(height) and bodies.count >= MAX_PAGE_BODIES:
                    return found[:wanted], True
                body = bodies.of(height)
                for position in reversed(body.positions(index)):
                    move = body.movement(position)
                    if move.id < before and holder in (move.sender, move.recipient):
                        found.append(move)
            below = seqs[-1][0]
        return found[:wanted], False

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
        # Every balance key's history, kept to those ending in the asset: a rare audit read.
        suffix = "\x1f" + asset
        rows = self._all(
            _LATEST_BALANCES.format("AND substr(key, -?) = ?"),
            (*_BALANCES, height, len(suffix), suffix),
        )
        return _amounts(rows, 1)

    def holdings_at(self, holder: str, height: int) -> dict[str, int]:
        """`holder`'s free units of every asset class (non-zero only) as of `height`."""
        prefix = key_text((Space.BALANCE.value, holder, ""))
        rows = self._all(_LATEST_BALANCES.format(""), (prefix, prefix[:-1] + "\x20", height))
        return _amounts(rows, 2)

    def state_changes(self, height: int) -> list[StateChange]:
        """What the block at `height` changed, by key."""
        rows = self._all(
            "SELECT key, old, new FROM state_history WHERE height = ? AND key IN ("
            " SELECT value FROM changed_keys, json_each(changed_keys.keys)"
            " WHERE changed_keys.height = ?) ORDER BY key",
            (height, height),
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


def _stored_tx(body: BlockBody, index: int) -> StoredTx:
    envelope = body.envelope(index)
    tx_body = envelope["body"]
    return StoredTx(
        body.ids[index],
        body.height,
        index,
        tx_body["type"],
        body.results[index],
        tuple(sorted(tx_body["nonces"])),
        envelope,
    )


def _amounts(rows: list[tuple[Any, ...]], part: int) -> dict[str, int]:
    """{balance key's part: amount} of the positive latest balances, by that part."""
    found = {}
    for text, new in rows:
        amount = 0 if new is None else int(new)
        if amount > 0:
            found[key_from_text(text)[part]] = amount
    return dict(sorted(found.items()))
