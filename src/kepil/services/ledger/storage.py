"""The node's log of committed blocks and what readers ask of it: blocks, a transaction's place,
a holder's holdings and history.

LedgerStorage is the node's port: the committed state and the block log together, so that a
block, its checkpoint and its state changes are recorded in one step (the SQLite ledger store does
it in one database transaction). MemoryLedgerStorage composes MemoryState and MemoryBlockLog for
tests and the in-memory benchmark.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kepil.ledger import Block, ChangeSet, Checkpoint, StateReader
from kepil.ledger.block import BlockOutcome
from kepil.ledger.records import Encumbrance, Escrow
from kepil.ledger.statekeys import StateKey, Value, escrow_key, pledge_key

Lock = Encumbrance | Escrow  # a record that takes units out of their holder's free balance

MAX_HISTORY_PAGE = 500
_IDENTIFIER_LENGTH = 12
_INDEX_BITS = 20  # a block holds far fewer than 2**20 transactions


def tx_seq(height: int, index: int) -> int:
    """The position of a transaction in the whole chain, as one growing number."""
    return (height << _INDEX_BITS) | index


def tx_at(seq: int) -> tuple[int, int]:
    """The (height, index) of the transaction at chain position `seq` (tx_seq's inverse)."""
    return seq >> _INDEX_BITS, seq & ((1 << _INDEX_BITS) - 1)


@dataclass(frozen=True, slots=True)
class TxLocation:
    """Where a committed transaction sits and how it ended."""

    height: int
    index: int
    code: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One transaction that involved a holder; `seq` orders all transactions of the chain."""

    seq: int
    height: int
    index: int
    timestamp: int
    tx_id: str
    type: str
    code: str

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object."""
        return {
            "seq": self.seq,
            "height": self.height,
            "index": self.index,
            "timestamp": self.timestamp,
            "tx_id": self.tx_id,
            "type": self.type,
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class HistoryPage:
    """Newest first; pass `next_before` as `before` for the next page (None: no more)."""

    entries: tuple[HistoryEntry, ...]
    next_before: int | None


@dataclass(frozen=True, slots=True)
class Holding:
    """A holder's units of one asset class: free, pledged to pledgees, locked in escrows."""

    asset: str
    free: int
    pledged: int
    escrowed: int

    def to_json(self) -> dict[str, Any]:
        """The holding as a JSON object."""
        return {
            "asset": self.asset,
            "free": self.free,
            "pledged": self.pledged,
            "escrowed": self.escrowed,
        }


class HoldingsTally:
    """Adds up one holder's free units and the pledges and escrows that lock theirs."""

    def __init__(self, holder: str) -> None:
        """An empty tally for `holder`."""
        self.holder = holder
        self._totals: dict[str, list[int]] = {}

    def free(self, asset: str, amount: int) -> None:
        """Count free units of `asset`."""
        self._totals.setdefault(asset, [0, 0, 0])[0] += amount

    def lock(self, record: Value) -> None:
        """Count a pledge of the holder's units, or an escrow of units they sell."""
        if isinstance(record, Encumbrance) and record.pledgor == self.holder:
            self._totals.setdefault(record.asset, [0, 0, 0])[1] += record.amount
        elif isinstance(record, Escrow) and record.seller == self.holder:
            self._totals.setdefault(record.asset, [0, 0, 0])[2] += record.amount

    def holdings(self) -> list[Holding]:
        """The totals per asset class, by asset id."""
        return [Holding(asset, *self._totals[asset]) for asset in sorted(self._totals)]


class BlockLog(Protocol):
    """Committed blocks with their checkpoints, and the indexes readers need."""

    def append(self, block: Block, checkpoint: Checkpoint, changes: ChangeSet) -> None:
        """Record a block just committed to the state, with its changes."""
        ...

    def block(self, height: int) -> Block | None:
        """The block at `height`, or None."""
        ...

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        ...

    def locate(self, tx_id: str) -> TxLocation | None:
        """Where a committed transaction sits, or None."""
        ...

    def holdings(self, holder: str, state: StateReader) -> list[Holding]:
        """`holder`'s units per asset class in `state`, by asset id."""
        ...

    def locks(self, holder: str, state: StateReader) -> list[Lock]:
        """The pledges and escrows in `state` that lock `holder`'s units, by id."""
        ...

    def history(self, holder: str, limit: int, before: int | None) -> HistoryPage:
        """Transactions involving `holder`, newest first, with seq below `before`."""
        ...


class LedgerStorage(StateReader, Protocol):
    """The node's committed state and block log, recorded together one block at a time."""

    def record(
        self, outcome: BlockOutcome, checkpoint: Checkpoint, log_index: int | None = None
    ) -> None:
        """Commit an executed block, its state changes and this node's checkpoint, atomically;
        with `log_index`, the consensus log entry that carried it (must grow)."""
        ...

    def applied_log_index(self) -> int:
        """The last consensus log index recorded (0 before any)."""
        ...

    def skip_log_index(self, log_index: int) -> None:
        """Record that the entry at `log_index` changed nothing."""
        ...

    def record_checkpoints(self, checkpoints: Sequence[Checkpoint], log_index: int) -> None:
        """Keep nodes' checkpoints delivered by the log entry at `log_index`, all or nothing."""
        ...

    def checkpoints(self, height: int) -> list[Checkpoint]:
        """Every node's checkpoint of the block at `height` that the log delivered, by node."""
        ...

    def block(self, height: int) -> Block | None:
        """The block at `height`, or None."""
        ...

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        ...

    def locate(self, tx_id: str) -> TxLocation | None:
        """Where a committed transaction applied, else its latest refused occurrence, or None."""
        ...

    def holdings(self, holder: str) -> list[Holding]:
        """`holder`'s units per asset class now, by asset id."""
        ...

    def locks(self, holder: str) -> list[Lock]:
        """The pledges (as pledgor) and escrows (as seller) locking `holder`'s units now, by id."""
        ...

    def history(self, holder: str, limit: int, before: int | None) -> HistoryPage:
        """Transactions involving `holder`, newest first, with seq below `before`."""
        ...


def block_parties(block: Block, changes: ChangeSet) -> list[set[str]]:
    """Who took part in each transaction of `block`: see involved(), plus the parties of the
    pledge or escrow a transaction settles (its payload names the record, not the people)."""
    opened: dict[str, set[str]] = {}  # a record's id is the id of the transaction opening it
    result: list[set[str]] = []
    for tx in block.txs:
        payload = tx.unsigned.payload
        parties = involved(tx.unsigned.nonces, payload)
        for field, key_of in (("pledge", pledge_key), ("escrow", escrow_key)):
            record_id = payload.get(field)
            if isinstance(record_id, str):
                known = opened.get(record_id)
                parties |= (
                    known if known is not None else _record_parties(key_of(record_id), changes)
                )
        opened[tx.tx_id] = parties
        result.append(parties)
    return result


def _record_parties(key: StateKey, changes: ChangeSet) -> set[str]:
    record = changes.writes.get(key) or changes.previous.get(key)
    if isinstance(record, Encumbrance):
        return {record.pledgor, record.pledgee}
    if isinstance(record, Escrow):
        return {record.seller, record.buyer, record.agent}
    return set()


def involved(nonces: Mapping[str, int], payload: Mapping[str, Any]) -> set[str]:
    """Every signer, and every 12-digit IIN/BIN-shaped text a payload holds (at any depth)."""
    parties = set(nonces)
    _collect(payload, parties)
    return parties


def _collect(item: Any, parties: set[str]) -> None:
    values = item.values() if isinstance(item, dict) else item
    for value in values:
        if type(value) is str:
            if len(value) == _IDENTIFIER_LENGTH and value.isdigit():
                parties.add(value)
        elif isinstance(value, dict | list):
            _collect(value, parties)


def lock_owners(changes: ChangeSet) -> Iterator[tuple[str, StateKey]]:
    """(holder, key) for each pledge or escrow a block changed that locks the holder's units."""
    for key, value in changes.writes.items():
        if key[0] in {"pledge", "escrow"}:
            record = value if value is not None else changes.previous.get(key)
            if isinstance(record, Encumbrance):
                yield record.pledgor, key
            elif isinstance(record, Escrow):
                yield record.seller, key


def first_at_or_after(entries: list[HistoryEntry], seq: int) -> int:
    """The index of the first entry whose seq is at least `seq` (entries are in seq order)."""
    low, high = 0, len(entries)
    while low < high:
        middle = (low + high) // 2
        if entries[middle].seq < seq:
            low = middle + 1
        else:
            high = middle
    return low
