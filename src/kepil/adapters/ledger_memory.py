"""The ledger node's storage in memory: for unit tests and the in-memory benchmark, never a node.

MemoryLedgerStorage composes MemoryState and MemoryBlockLog; it answers every query the SQLite
ledger store answers, so the node's tests run on it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kepil.ledger import Block, ChainHead, ChangeSet, Checkpoint, MemoryState, StateReader
from kepil.ledger.block import BlockOutcome
from kepil.ledger.records import Encumbrance, Escrow
from kepil.ledger.statekeys import StateKey, Value
from kepil.services.ledger.storage import (
    MAX_HISTORY_PAGE,
    HistoryEntry,
    HistoryPage,
    Holding,
    HoldingsTally,
    Lock,
    TxLocation,
    block_parties,
    first_at_or_after,
    lock_owners,
    tx_seq,
)


class MemoryBlockLog:
    """A BlockLog in memory."""

    def __init__(self) -> None:
        """An empty log."""
        self._blocks: list[Block] = []
        self._checkpoints: list[Checkpoint] = []
        self._locations: dict[str, TxLocation] = {}
        self._history: dict[str, list[HistoryEntry]] = {}
        self._holder_keys: dict[str, set[StateKey]] = {}

    def __len__(self) -> int:
        """How many blocks the log holds."""
        return len(self._blocks)

    def blocks(self) -> Iterator[Block]:
        """Every block from genesis on."""
        return iter(list(self._blocks))

    def append(self, block: Block, checkpoint: Checkpoint, changes: ChangeSet) -> None:
        """Record a block just committed to the state, with its changes."""
        if block.header.height != len(self._blocks):
            raise ValueError(f"block {block.header.height} does not follow {len(self._blocks)}")
        self._blocks.append(block)
        self._checkpoints.append(checkpoint)
        height, timestamp = block.header.height, block.header.timestamp
        parties_of = block_parties(block, changes)
        for index, (tx, result) in enumerate(zip(block.txs, block.results, strict=True)):
            code = result.code
            known = self._locations.get(tx.tx_id)
            if known is None or known.code != "ok":  # a later refused copy does not hide it
                self._locations[tx.tx_id] = TxLocation(height, index, code)
            seq = tx_seq(height, index)
            entry = HistoryEntry(seq, height, index, timestamp, tx.tx_id, tx.type, code)
            for party in parties_of[index]:
                self._history.setdefault(party, []).append(entry)
        self._index_keys(changes)

    def block(self, height: int) -> Block | None:
        """The block at `height`, or None."""
        return self._blocks[height] if 0 <= height < len(self._blocks) else None

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        return self._checkpoints[height] if 0 <= height < len(self._checkpoints) else None

    def locate(self, tx_id: str) -> TxLocation | None:
        """Where a committed transaction sits, or None."""
        return self._locations.get(tx_id)

    def holdings(self, holder: str, state: StateReader) -> list[Holding]:
        """`holder`'s units per asset class in `state`, by asset id."""
        tally = HoldingsTally(holder)
        for key in self._holder_keys.get(holder, ()):
            value = state.get(key)
            if key[0] == "balance" and isinstance(value, int):
                tally.free(key[2], value)
            elif value is not None:
                tally.lock(value)
        return tally.holdings()

    def locks(self, holder: str, state: StateReader) -> list[Lock]:
        """The pledges and escrows in `state` that lock `holder`'s units, by id."""
        found = (state.get(key) for key in self._holder_keys.get(holder, ()))
        return sorted((v for v in found if isinstance(v, Encumbrance | Escrow)), key=_by_id)

    def history(self, holder: str, limit: int, before: int | None) -> HistoryPage:
        """Transactions involving `holder`, newest first, with seq below `before`."""
        limit = max(1, min(limit, MAX_HISTORY_PAGE))
        entries = self._history.get(holder, [])
        end = len(entries)
        if before is not None:
            end = first_at_or_after(entries, before)
        start = max(0, end - limit)
        page = tuple(reversed(entries[start:end]))
        return HistoryPage(page, page[-1].seq if start > 0 else None)

    def _index_keys(self, changes: ChangeSet) -> None:
        for key in changes.writes:
            if key[0] == "balance":
                self._holder_keys.setdefault(key[1], set()).add(key)
        for owner, key in lock_owners(changes):
            self._holder_keys.setdefault(owner, set()).add(key)


class MemoryLedgerStorage:
    """LedgerStorage in memory: a MemoryState and a MemoryBlockLog."""

    def __init__(self) -> None:
        """Empty, before genesis."""
        self.state = MemoryState()
        self.log = MemoryBlockLog()
        self.get = self.state.get  # type: ignore[method-assign]  # one call less per read
        self._log_index = 0
        self._peer_checkpoints: dict[int, dict[str, Checkpoint]] = {}

    def get(self, key: StateKey) -> Value | None:
        """The committed value under `key`, or None."""
        return self.state.get(key)

    def accumulator(self) -> int:
        """The state-root accumulator of the committed state."""
        return self.state.accumulator()

    def head(self) -> ChainHead | None:
        """The last committed block, or None before genesis."""
        return self.state.head()

    def state_root(self) -> str:
        """The committed state's root."""
        return self.state.state_root()

    def record(
        self, outcome: BlockOutcome, checkpoint: Checkpoint, log_index: int | None = None
    ) -> None:
        """Commit the state changes, then log the block with its checkpoint."""
        if log_index is not None:
            self._check_log_index(log_index)
        self.state.commit(outcome.changes, outcome.block.head())
        self.log.append(outcome.block, checkpoint, outcome.changes)
        self._log_index = self._log_index if log_index is None else log_index

    def applied_log_index(self) -> int:
        """The last consensus log index recorded (0 before any)."""
        return self._log_index

    def skip_log_index(self, log_index: int) -> None:
        """Record that the entry at `log_index` changed nothing."""
        self._check_log_index(log_index)
        self._log_index = log_index

    def record_checkpoints(self, checkpoints: Sequence[Checkpoint], log_index: int) -> None:
        """Keep nodes' checkpoints delivered by the log entry at `log_index`, all or nothing."""
        self._check_log_index(log_index)
        for checkpoint in checkpoints:
            if self.log.block(checkpoint.height) is None:
                raise ValueError(f"no block at height {checkpoint.height}")
        for checkpoint in checkpoints:
            self._peer_checkpoints.setdefault(checkpoint.height, {}).setdefault(
                checkpoint.node, checkpoint
            )
        self._log_index = log_index

    def checkpoints(self, height: int) -> list[Checkpoint]:
        """Every node's checkpoint of the block at `height` that the log delivered, by node."""
        by_node = self._peer_checkpoints.get(height, {})
        return [by_node[node] for node in sorted(by_node)]

    def _check_log_index(self, log_index: int) -> None:
        if log_index <= self._log_index:
            raise ValueError(f"log index {log_index} is not after {self._log_index}")

    def blocks(self) -> Iterator[Block]:
        """Every block from genesis on."""
        return self.log.blocks()

    def block(self, height: int) -> Block | None:
        """The block at `height`, or None."""
        return self.log.block(height)

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        return self.log.checkpoint(height)

    def locate(self, tx_id: str) -> TxLocation | None:
        """Where a committed transaction applied, else its latest refused occurrence, or None."""
        return self.log.locate(tx_id)

    def holdings(self, holder: str) -> list[Holding]:
        """`holder`'s units per asset class now, by asset id."""
        return self.log.holdings(holder, self.state)

    def locks(self, holder: str) -> list[Lock]:
        """The pledges and escrows locking `holder`'s units now, by id."""
        return self.log.locks(holder, self.state)

    def history(self, holder: str, limit: int, before: int | None) -> HistoryPage:
        """Transactions involving `holder`, newest first, with seq below `before`."""
        return self.log.history(holder, limit, before)


def _by_id(record: Lock) -> str:
    return record.id
