"""The replicated half of a ledger node: batches go through the consensus log, every entry is
applied here in log order, and the nodes' checkpoints come back through the same log.

- Proposing: the producer hands a batch to `commit`, which appends it to the log (the engine
  forwards it to the leader) and returns once this node has applied it. A failed proposal is
  retried with the transactions not yet committed; a copy that committed after all is refused
  as a stale nonce by every node the same way, so a retry never applies a transaction twice.
- Applying (the engine's thread, log order, every node): a batch becomes the block after this
  node's head; the node signs its checkpoint and records block, state, checkpoint and the log
  index in one write. Entries at or below the recorded index are skipped (the engine replays its
  journal after a restart). A batch this node proposed is applied from the objects it admitted
  (signatures already verified), and not even decoded when every transaction in it was read
  from exactly the bytes the entry carries (SignedTx.wire: decoding them again could only give
  the same result); anyone else's is decoded and fully re-validated.
- Checkpoints: each node proposes its own, gathered into one entry; every node keeps those that
  a genesis node signed. When a majority of the nodes sign another block or root than ours at a
  height, this node has diverged: it stops taking writes and says so in its status.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from kepil.ledger import (
    GENESIS_PREVIOUS,
    Block,
    BlockProposal,
    BlockRejected,
    Checkpoint,
    Executor,
    Refusal,
    SignedTx,
    apply_block,
)
from kepil.ledger.checkpoint import checkpoint_valid
from kepil.ledger.fields import MAX_AMOUNT
from kepil.ledger.proposal import (
    CheckpointBatch,
    TxBatch,
    batch_bytes,
    checkpoints_bytes,
    entry_from_bytes,
)
from kepil.ledger.view import LedgerView
from kepil.services.ledger.consensus import ConsensusError, ConsensusLog, ConsensusStatus
from kepil.services.ledger.storage import LedgerStorage

log = logging.getLogger("kepil.ledger.replica")

RETRY_PAUSE: Final = 0.2
MAX_PENDING_CHECKPOINTS: Final = 10_000


@dataclass(frozen=True, slots=True)
class Divergence:
    """A height where a majority of the nodes signed another block or state root than ours."""

    height: int
    ours: tuple[str, str]  # block hash, state root
    theirs: dict[str, tuple[str, str]]  # node -> block hash, state root

    def to_json(self) -> dict[str, Any]:
        """The divergence as a JSON object."""
        return {
            "height": self.height,
            "block_hash": self.ours[0],
            "state_root": self.ours[1],
            "others": {
                node: {"block_hash": h, "state_root": r} for node, (h, r) in self.theirs.items()
            },
        }


@dataclass(frozen=True, slots=True)
class ReplicaSettings:
    """How long one proposal may take and how often checkpoints are sent."""

    propose_timeout: float = 10.0
    # Each checkpoint entry costs every member's engine a journal append (fdatasync) and two
    # rounds of messages, and its applier a transaction: at 0.25 s, five nodes under load
    # proposed four checkpoint entries per block entry. A receipt is confirmed up to 1 s later.
    checkpoint_interval: float = 1.0


class Replica:
    """Proposes this node's batches and applies every log entry to the node's storage."""

    def __init__(
        self,
        executor: Executor,
        storage: LedgerStorage,
        state_lock: threading.RLock,
        sign: Callable[[Block], Checkpoint],
        applied: Callable[[Block | None], None],
        settings: ReplicaSettings | None = None,
    ) -> None:
        """Apply entries to `storage` under `state_lock`; `applied` hears of each one."""
        self.executor = executor
        self.settings = settings or ReplicaSettings()
        self._storage = storage
        self._state_lock = state_lock
        self._sign = sign
        self._applied = applied
        self._consensus: ConsensusLog | None = None
        self._own: dict[str, TxBatch] = {}
        self._own_lock = threading.Lock()
        self._outbox: list[Checkpoint] = []
        self._outbox_ready = threading.Condition()
        self._divergence: Divergence | None = None
        self._divergent_peers: dict[str, int] = {}
        self._stopping = threading.Event()
        self._gossip: threading.Thread | None = None

    @property
    def chain_id(self) -> str:
        """The chain the entries belong to."""
        return self.executor.chain_id

    def attach(self, consensus: ConsensusLog) -> None:
        """Use `consensus` to propose (it must deliver entries to apply) and start gossiping."""
        self._consensus = consensus
        self._gossip = threading.Thread(target=self._send_checkpoints, name="ledger-checkpoints")
        self._gossip.daemon = True
        self._gossip.start()

    def stop(self) -> None:
        """Stop proposing and gossiping (entries are still applied while the engine runs)."""
        self._stopping.set()
        with self._outbox_ready:
            self._outbox_ready.notify_all()
        if self._gossip is not None:
            self._gossip.join(5.0)
            self._gossip = None

    # Proposing.

    def commit(self, batch: Sequence[SignedTx], timestamp: int) -> bool:
        """Append `batch` to the log and return once applied here; False when stopped first."""
        txs = tuple(batch)
        while txs:
            if self._stopping.is_set() or self._consensus is None:
                return False
            own = TxBatch(timestamp, txs)
            entry = batch_bytes(self.chain_id, own)
            digest = hashlib.sha256(entry).hexdigest()
            with self._own_lock:
                self._own[digest] = own
            try:
                self._consensus.propose(entry, self.settings.propose_timeout)
                return True
            except ConsensusError as error:
                log.warning("proposal failed (%s), retrying", error.code, extra={"txs": len(txs)})
            finally:
                with self._own_lock:
                    self._own.pop(digest, None)
            self._stopping.wait(RETRY_PAUSE)
            with self._state_lock:
                txs = tuple(tx for tx in txs if self._storage.locate(tx.tx_id) is None)
        return True

    # Applying (the consensus engine's thread).

    def apply(self, index: int, entry: bytes) -> None:
        """Apply the log entry at `index`; idempotent by index. Raises only on storage failure."""
        block: Block | None = None
        with self._state_lock:
            if index <= self._storage.applied_log_index():
                return  # a replay of an entry already recorded
            with self._own_lock:
                own = self._own.get(hashlib.sha256(entry).hexdigest())
            try:
                item = _reads_as_itself(own) or entry_from_bytes(self.chain_id, entry)
            except Refusal as refusal:
                log.warning("log entry %d is unreadable: %s", index, refusal)
                self._storage.skip_log_index(index)
                return
            if isinstance(item, TxBatch):
                block = self._apply_batch(index, item, own)
            else:
                self._apply_checkpoints(index, item)
        self._applied(block)

    def _apply_batch(self, index: int, batch: TxBatch, own: TxBatch | None) -> Block | None:
        txs = own.txs if own is not None else batch.txs
        head = self._storage.head()
        if head is None:
            proposal = BlockProposal(0, GENESIS_PREVIOUS, batch.timestamp, txs)
        else:
            timestamp = max(batch.timestamp, head.timestamp)
            proposal = BlockProposal(head.height + 1, head.block_hash, timestamp, txs)
        try:
            # Our own batch was verified at admission, under the version the executor recorded.
            admitted = [self.executor.admitted_rules(tx) for tx in txs] if own is not None else None
            outcome = apply_block(self._storage, proposal, self.executor, admitted)
        except BlockRejected as rejected:
            log.warning("log entry %d makes no block: %s", index, rejected)
            self._storage.skip_log_index(index)
            return None
        checkpoint = self._sign(outcome.block)
        self._storage.record(outcome, checkpoint, index)
        with self._outbox_ready:
            if len(self._outbox) < MAX_PENDING_CHECKPOINTS:
                self._outbox.append(checkpoint)
            self._outbox_ready.notify()
        return outcome.block

    def _apply_checkpoints(self, index: int, batch: CheckpointBatch) -> None:
        chain = LedgerView(self._storage).chain()
        nodes = chain.nodes if chain is not None else ()
        # Our own checkpoint is recorded with each block: it says whether we have the block and
        # what we signed, without loading and decoding the block's transactions.
        ours: dict[int, Checkpoint | None] = {}

        def own(height: int) -> Checkpoint | None:
            if height not in ours:
                ours[height] = self._storage.checkpoint(height)
            return ours[height]

        kept = [
            c for c in batch.checkpoints if own(c.height) is not None and checkpoint_valid(c, nodes)
        ]
        self._storage.record_checkpoints(kept, index)
        for height in sorted({c.height for c in kept}):
            self._judge(height, len(nodes), own(height))

    def _judge(self, height: int, node_count: int, ours: Checkpoint | None) -> None:
        if ours is None:
            return
        mine = (ours.chain_id, ours.height, ours.block_hash, ours.state_root)
        others = {
            c.node: (c.block_hash, c.state_root)
            for c in self._storage.checkpoints(height)
            if (c.chain_id, c.height, c.block_hash, c.state_root) != mine
        }
        for node in others:
            self._divergent_peers.setdefault(node, height)
        if others and len(others) >= node_count // 2 + 1 and self._divergence is None:
            self._divergence = Divergence(height, (ours.block_hash, ours.state_root), others)
            log.error("this node diverged from the majority at height %d", height)

    # Checkpoints.

    def _send_checkpoints(self) -> None:
        while not self._stopping.is_set():
            with self._outbox_ready:
                while not self._outbox and not self._stopping.is_set():
                    self._outbox_ready.wait()
                pending = list(self._outbox)
            if not pending or self._consensus is None:
                continue
            entry = checkpoints_bytes(self.chain_id, pending)
            try:
                self._consensus.propose(entry, self.settings.propose_timeout)
            except ConsensusError as error:
                log.info("checkpoints not sent yet (%s)", error.code)
                self._stopping.wait(RETRY_PAUSE)
                continue
            with self._outbox_ready:
                del self._outbox[: len(pending)]
            self._stopping.wait(self.settings.checkpoint_interval)

    # What the node reports.

    @property
    def divergence(self) -> Divergence | None:
        """Where this node diverged from the majority, or None."""
        return self._divergence

    def divergent_peers(self) -> dict[str, int]:
        """Nodes that signed another block or root than ours, and the first such height."""
        return dict(self._divergent_peers)

    def consensus_status(self) -> ConsensusStatus | None:
        """The consensus engine's view, once attached."""
        return None if self._consensus is None else self._consensus.status()


def _reads_as_itself(own: TxBatch | None) -> TxBatch | None:
    """`own` when the entry this node wrote of it decodes to it on every node, without decoding.

    Its header is this node's own chain and count, and a timestamp entry_from_bytes accepts;
    each line is a transaction's wire bytes, which decode_tx read it from.
    """
    if own is None or not 0 <= own.timestamp <= MAX_AMOUNT:
        return None
    return own if all(tx.wire is not None for tx in own.txs) else None
