"""The node's block-log reads from the ledger file: checkpoints, where a transaction sits, a
holder's holdings now and the transactions a holder took part in (LedgerStorage's reads)."""

from __future__ import annotations

import json
import sqlite3
import threading
from typing import Any, Final

from kepil.adapters.ledger_store.queries import APPLIED_AT, PER_HEIGHT, REFUSED_AT
from kepil.adapters.ledger_store.rows import TOOK_PART, loaded_value
from kepil.ledger.checkpoint import Checkpoint
from kepil.ledger.records import Encumbrance, Escrow
from kepil.ledger.statekeys import Space, key_from_text, key_text
from kepil.services.ledger.storage import (
    MAX_HISTORY_PAGE,
    HistoryEntry,
    HistoryPage,
    Holding,
    HoldingsTally,
    Lock,
    TxLocation,
    tx_at,
)

_NEXT_AFTER_SEPARATOR: Final = "\x20"  # the character after key_text's separator (\x1f)


class LogQueries:
    """Mixed into SqliteLedgerStore, which owns the connection and its lock."""

    _conn: sqlite3.Connection
    _lock: threading.RLock

    def _log_rows(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        rows = self._log_rows("SELECT body FROM checkpoints WHERE height = ?", (height,))
        return Checkpoint(**json.loads(rows[0][0])) if rows else None

    def checkpoints(self, height: int) -> list[Checkpoint]:
        """Every node's checkpoint of the block at `height` that the log delivered, by node."""
        rows = self._log_rows(
            "SELECT body FROM peer_checkpoints WHERE height = ? ORDER BY node", (height,)
        )
        return [Checkpoint(**json.loads(row[0])) for row in rows]

    def locate(self, tx_id: str) -> TxLocation | None:
        """Where a committed transaction applied, else its latest refused occurrence, or None."""
        with self._lock:  # each row checked against txs' id at its position (queries.py)
            row = self._conn.execute(APPLIED_AT, (PER_HEIGHT, tx_id)).fetchone()
            if row is None:
                row = self._conn.execute(REFUSED_AT, (PER_HEIGHT, tx_id)).fetchone()
        return None if row is None else TxLocation(*row)

    def holdings(self, holder: str) -> list[Holding]:
        """`holder`'s free, pledged and escrowed units per asset class now, by asset id."""
        prefix = key_text((Space.BALANCE.value, holder, ""))
        tally = HoldingsTally(holder)
        for text, value in self._log_rows(
            "SELECT key, value FROM state WHERE key >= ? AND key < ?",
            (prefix, prefix[:-1] + _NEXT_AFTER_SEPARATOR),
        ):
            tally.free(key_from_text(text)[2], int(value))
        for text, value in self._log_rows(
            "SELECT s.key, s.value FROM holder_records r JOIN state s ON s.key = r.key "
            "WHERE r.holder = ?",
            (holder,),
        ):
            tally.lock(loaded_value(key_from_text(text), value))
        return tally.holdings()

    def locks(self, holder: str) -> list[Lock]:
        """The pledges (as pledgor) and escrows (as seller) locking `holder`'s units now, by id."""
        rows = self._log_rows(
            "SELECT s.key, s.value FROM holder_records r JOIN state s ON s.key = r.key "
            "WHERE r.holder = ?",
            (holder,),
        )
        found = (loaded_value(key_from_text(text), value) for text, value in rows)
        return sorted((v for v in found if isinstance(v, Encumbrance | Escrow)), key=_by_id)

    def history(self, holder: str, limit: int, before: int | None) -> HistoryPage:
        """Transactions involving `holder`, newest first, with seq below `before`."""
        size = max(1, min(limit, MAX_HISTORY_PAGE))
        # Three rows per entry (holder_txs, txs, the block's timestamp): no body is read.
        rows = self._log_rows(
            "SELECT h.seq, b.timestamp, t.id, t.type, t.result FROM holder_txs h"
            " JOIN txs t ON t.seq = h.seq"
            " JOIN blocks b ON b.height = h.seq / ?"
            " WHERE h.holder = ? AND h.seq < ? AND h.tags & ? ORDER BY h.seq DESC LIMIT ?",
            (PER_HEIGHT, holder, before if before is not None else 2**62, TOOK_PART, size + 1),
        )
        entries = tuple(_entry(*row) for row in rows[:size])
        return HistoryPage(entries, entries[-1].seq if len(rows) > size else None)


def _entry(seq: int, timestamp: int, tx_id: str, tx_type: str, result: str) -> HistoryEntry:
    height, index = tx_at(seq)
    return HistoryEntry(seq, height, index, timestamp, tx_id, tx_type, result)


def _by_id(record: Lock) -> str:
    return record.id
