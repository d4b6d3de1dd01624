"""The ledger state behind a small interface: read a key, commit a block's changes.

A store holds the committed state of one node: every (key, value) entry, the accumulator of the
state root, and the chain head. MemoryState is the in-memory store; a SQLite store implements the
same two protocols and writes a ChangeSet in one database transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kepil.ledger.root import EMPTY_ACCUMULATOR, accumulate, state_root
from kepil.ledger.statekeys import StateKey, Value


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last committed block: where the next block must attach."""

    height: int
    block_hash: str
    timestamp: int
    state_root: str


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What one block changed: final and previous values of each touched key, and the new root."""

    writes: Mapping[StateKey, Value | None]  # None: the key was deleted
    previous: Mapping[StateKey, Value | None]
    accumulator: int
    state_root: str


class StateReader(Protocol):
    """Read access to a committed state."""

    def get(self, key: StateKey) -> Value | None:
        """The value under `key`, or None when absent."""
        ...

    def accumulator(self) -> int:
        """The state-root accumulator of the committed state."""
        ...

    def head(self) -> ChainHead | None:
        """The last committed block, or None before genesis."""
        ...


@runtime_checkable
class Prefetching(Protocol):
    """A state that can read many keys ahead in one go (a store on disk), before a block runs."""

    def prefetch(self, keys: Iterable[StateKey]) -> None:
        """Make the later get() of each of `keys` cheap; what get() answers does not change."""
        ...


class StateStore(StateReader, Protocol):
    """A state that blocks are committed to."""

    def commit(self, changes: ChangeSet, head: ChainHead) -> None:
        """Apply a block's changes and move the head, atomically."""
        ...


class MemoryState:
    """A StateStore in a dict: the reference store and the one tests use."""

    def __init__(self) -> None:
        """An empty state, before genesis."""
        self._entries: dict[StateKey, Value] = {}
        self._accumulator = EMPTY_ACCUMULATOR
        self._head: ChainHead | None = None

    def get(self, key: StateKey) -> Value | None:
        """The value under `key`, or None when absent."""
        return self._entries.get(key)

    def accumulator(self) -> int:
        """The state-root accumulator of the committed state."""
        return self._accumulator

    def head(self) -> ChainHead | None:
        """The last committed block, or None before genesis."""
        return self._head

    def commit(self, changes: ChangeSet, head: ChainHead) -> None:
        """Apply a block's changes and move the head."""
        for key, value in changes.writes.items():
            if value is None:
                self._entries.pop(key, None)
            else:
                self._entries[key] = value
        self._accumulator = changes.accumulator
        self._head = head

    def items(self) -> Iterator[tuple[StateKey, Value]]:
        """Every entry, in no particular order."""
        return iter(self._entries.items())

    def recomputed_root(self) -> str:
        """The state root computed from every entry, ignoring the incremental accumulator."""
        return state_root(accumulate(self._entries.items()))

    def state_root(self) -> str:
        """The state root of the committed state."""
        return state_root(self._accumulator)

    def snapshot(self) -> dict[StateKey, Value]:
        """A copy of every entry, for comparisons in tests and audits."""
        return dict(self._entries)
