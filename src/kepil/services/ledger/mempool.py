"""The node's mempool: transactions waiting for a block, in arrival order, bounded, no duplicates.

Entries are keyed by the whole envelope (id and signatures), not by the id alone: the id covers
only the unsigned body, so a copy signed with someone else's key must not be able to keep the
genuine transaction out. Whichever copy a block applies first consumes the signers' nonces; the
other is then refused there as a stale nonce or a key mismatch.

Not locked itself: the node guards it with its own condition variable.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from dataclasses import dataclass

from kepil.ledger import SignedTx


class MempoolFull(Exception):  # noqa: N818 - names the outcome
    """The mempool holds its limit of transactions; the client should retry later."""


class DuplicateTx(Exception):  # noqa: N818
    """This very envelope is already waiting."""


EnvelopeKey = tuple[str, tuple[str, ...]]


def envelope_key(tx: SignedTx) -> EnvelopeKey:
    """The id and the signatures: what tells two envelopes of one body apart."""
    return tx.tx_id, tuple(sorted(s.sig for s in tx.sigs))


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
        self._pending: OrderedDict[EnvelopeKey, Pending] = OrderedDict()
        self._ids: Counter[str] = Counter()

    def __len__(self) -> int:
        """How many transactions wait."""
        return len(self._pending)

    def __contains__(self, tx_id: object) -> bool:
        """Whether an envelope with this transaction id waits."""
        return tx_id in self._ids

    def add(self, tx: SignedTx, arrived: float) -> None:
        """Queue `tx`, or raise DuplicateTx or MempoolFull."""
        key = envelope_key(tx)
        if key in self._pending:
            raise DuplicateTx(tx.tx_id)
        if len(self._pending) >= self.limit:
            raise MempoolFull(f"the mempool holds {self.limit} transactions")
        self._pending[key] = Pending(tx, arrived)
        self._ids[tx.tx_id] += 1

    def oldest_arrival(self) -> float | None:
        """When the oldest waiting transaction arrived, or None when empty."""
        for pending in self._pending.values():
            return pending.arrived
        return None

    def take(self, count: int) -> list[SignedTx]:
        """Remove and return up to `count` of the oldest transactions."""
        taken: list[SignedTx] = []
        while self._pending and len(taken) < count:
            tx = self._pending.popitem(last=False)[1].tx
            self._ids[tx.tx_id] -= 1
            if not self._ids[tx.tx_id]:
                del self._ids[tx.tx_id]
            taken.append(tx)
        return taken
