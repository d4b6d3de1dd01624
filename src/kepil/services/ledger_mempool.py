"""The node's mempool: transactions waiting for a block, in arrival order, bounded, no duplicates.

Not locked itself: the node guards it with its own condition variable.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from kepil.ledger import SignedTx


class MempoolFull(Exception):  # noqa: N818 - names the outcome
    """The mempool holds its limit of transactions; the client should retry later."""


class DuplicateTx(Exception):  # noqa: N818
    """A transaction with this id is already waiting."""


@dataclass(frozen=True, slots=True)
class Pending:
    """A waiting transaction and when it arrived (monotonic seconds)."""

    tx: SignedTx
    arrived: float


class Mempool:
    """Pending transactions by id, oldest first."""

    def __init__(self, limit: int) -> None:
        """A mempool that refuses transactions beyond `limit`."""
        if limit < 1:
            raise ValueError("a mempool holds at least one transaction")
        self.limit = limit
        self._pending: OrderedDict[str, Pending] = OrderedDict()

    def __len__(self) -> int:
        """How many transactions wait."""
        return len(self._pending)

    def __contains__(self, tx_id: object) -> bool:
        """Whether a transaction with this id waits."""
        return tx_id in self._pending

    def add(self, tx: SignedTx, arrived: float) -> None:
        """Queue `tx`, or raise DuplicateTx or MempoolFull."""
        if tx.tx_id in self._pending:
            raise DuplicateTx(tx.tx_id)
        if len(self._pending) >= self.limit:
            raise MempoolFull(f"the mempool holds {self.limit} transactions")
        self._pending[tx.tx_id] = Pending(tx, arrived)

    def oldest_arrival(self) -> float | None:
        """When the oldest waiting transaction arrived, or None when empty."""
        for pending in self._pending.values():
            return pending.arrived
        return None

    def take(self, count: int) -> list[SignedTx]:
        """Remove and return up to `count` of the oldest transactions."""
        taken: list[SignedTx] = []
        while self._pending and len(taken) < count:
            taken.append(self._pending.popitem(last=False)[1].tx)
        return taken
