"""One embedded ledger node: a mempool, a block producer, the committed state and its readers.

Admission: a transaction enters the mempool only after its static checks, its signatures (inline
for one, on the SignatureChecker's workers for a batch) and a nonce check against the committed
state; submitting returns its id at once. A producer thread takes batches (up to
`max_block_txs`, or what arrived within `max_wait_seconds` of the oldest waiting one), applies
them with apply_block (signatures already verified at admission), signs a checkpoint with the
node key and records block, checkpoint and state changes in the LedgerStorage in one step. The
block timestamp comes from the injected Clock and never goes backwards.

Locks: `_lock` guards the mempool, the in-flight batch and the rejected set (two conditions on
it: one wakes the producer, one the commit waiters); `_state_lock` guards the storage, so a
reader never sees half a block. The producer never holds `_state_lock` while taking `_lock`.

A transaction applies once, by construction: admission's nonce check reads the committed state
without `_state_lock` (so admitting never waits for a block) and only turns stale copies away
early; what decides is the executor, which reads each nonce from the block's own view under
`_state_lock`, over a storage whose reads are never older than its last commit; and the SQLite
store refuses, in the block's own transaction, a block that would apply an id a second time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from kepil.domain.clock import Clock
from kepil.ledger import (
    GENESIS_PREVIOUS,
    Block,
    BlockProposal,
    BlockRejected,
    ChainHead,
    Checkpoint,
    Executor,
    Refusal,
    SignedTx,
    apply_block,
    decode_tx,
    preverify_rules,
    sign_checkpoint,
)
from kepil.ledger.codes import ReasonCode
from kepil.ledger.crypto import SigningKey, public_key_hex
from kepil.ledger.records import ChainMeta, Participant, SignatureRules
from kepil.ledger.sigrules import NOT_CHECKED
from kepil.ledger.view import LedgerView
from kepil.services.ledger.consensus import Apply, ConsensusLog
from kepil.services.ledger.mempool import DuplicateTx, Mempool, MempoolFull
from kepil.services.ledger.replica import Divergence, Replica, ReplicaSettings
from kepil.services.ledger.signatures import InlineChecker, PendingCheck, SignatureChecker
from kepil.services.ledger.storage import HistoryPage, Holding, LedgerStorage, Lock

T = TypeVar("T")

log = logging.getLogger("kepil.ledger.node")


Envelope = bytes | str | Mapping[str, Any]


class TxState(StrEnum):
    """Where a transaction is, as the node knows it."""

    PENDING = "pending"
    COMMITTED = "committed"
    REJECTED = "rejected"  # never entered a block: the block it was proposed in was refused
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class TxStatus:
    """A transaction's state; height, index and code once committed ("ok" or a reason)."""

    tx_id: str
    state: TxState
    height: int | None = None
    index: int | None = None
    code: str | None = None
    detail: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The status as a JSON object."""
        return {
            "tx_id": self.tx_id,
            "state": self.state.value,
            "height": self.height,
            "index": self.index,
            "code": self.code,
            "detail": self.detail,
        }


class SubmitRefused(Exception):  # noqa: N818 - names the outcome
    """A transaction not accepted into the mempool, with a stable code."""

    def __init__(self, code: str, message: str) -> None:
        """Keep `code` (duplicate, mempool_full, stopped, or a ledger reason code)."""
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class NodeSettings:
    """How the producer batches and how much may wait."""

    max_block_txs: int = 2000
    max_wait_seconds: float = 0.05
    mempool_limit: int = 100_000


@dataclass(frozen=True, slots=True)
class NodeIdentity:
    """The node's name in genesis and its checkpoint signing key."""

    name: str
    key: SigningKey


class LedgerNode:
    """A single embedded node; thread-safe."""

    def __init__(
        self,
        executor: Executor,
        storage: LedgerStorage,
        clock: Clock,
        identity: NodeIdentity,
        settings: NodeSettings | None = None,
        checker: SignatureChecker | None = None,
    ) -> None:
        """A stopped node over `storage`; call start() to run the producer thread."""
        self.executor = executor
        self.settings = settings or NodeSettings()
        self._storage = storage
        self._clock = clock
        self._identity = identity
        self._checker: SignatureChecker = checker or InlineChecker()
        self._mempool = Mempool(self.settings.mempool_limit)
        self._inflight: Counter[str] = Counter()
        self._rejected: dict[str, TxStatus] = {}
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._committed = threading.Condition(self._lock)
        self._state_lock = threading.RLock()
        self._listeners: list[Callable[[Block], None]] = []
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._initialised = storage.head() is not None
        self._replica: Replica | None = None

    # Replication.

    def replicate(self, settings: ReplicaSettings | None = None) -> Apply:
        """Make this node one of a network; return what the consensus engine must apply.

        Call before start(), then attach() the engine built with the returned callable.
        """
        if self._thread is not None:
            raise RuntimeError("replication is set up before the node starts")
        self._replica = Replica(
            self.executor, self._storage, self._state_lock, self._sign, self._applied, settings
        )
        return self._replica.apply

    def attach(self, consensus: ConsensusLog) -> None:
        """Propose this node's batches through `consensus` (after replicate())."""
        if self._replica is None:
            raise RuntimeError("call replicate() first")
        self._replica.attach(consensus)

    @property
    def replica(self) -> Replica | None:
        """The replicated half, or None for a single embedded node."""
        return self._replica

    def divergence(self) -> Divergence | None:
        """Where this node diverged from the majority of the network, or None."""
        return None if self._replica is None else self._replica.divergence

    def chain(self) -> ChainMeta | None:
        """What genesis fixed (the nodes among it), or None before genesis."""
        with self._state_lock:
            return LedgerView(self._storage).chain()

    def applied_log_index(self) -> int:
        """The last consensus log index applied here (0 for a single embedded node)."""
        with self._state_lock:
            return self._storage.applied_log_index()

    def checkpoints(self, height: int) -> list[Checkpoint]:
        """Every node's checkpoint of the block at `height` known here (own one included)."""
        with self._state_lock:
            if self._replica is None:
                own = self._storage.checkpoint(height)
                return [] if own is None else [own]
            return self._storage.checkpoints(height)

    def _sign(self, block: Block) -> Checkpoint:
        return sign_checkpoint(block, self._identity.name, self._identity.key)

    def _applied(self, block: Block | None) -> None:
        with self._lock:
            self._initialised = self._initialised or block is not None
            self._committed.notify_all()
        if block is not None:
            self._tell_listeners(block)

    @property
    def chain_id(self) -> str:
        """The chain this node runs."""
        return self.executor.chain_id

    @property
    def name(self) -> str:
        """The node's name (as genesis lists it)."""
        return self._identity.name

    @property
    def public_key(self) -> str:
        """The node's checkpoint public key (hex), which genesis lists beside its name."""
        return public_key_hex(self._identity.key)

    # Submitting and following transactions.

    def submit_bytes(self, envelope: bytes | str) -> str:
        """Decode a wire envelope and submit it; raise SubmitRefused."""
        return self.submit(_decoded(envelope))

    def submit(self, tx: SignedTx) -> str:
        """Admit `tx` (its signatures checked here) and return its id; raise SubmitRefused."""
        return self._admit(tx, None)

    def submit_many(self, envelopes: Sequence[Envelope]) -> list[str | SubmitRefused]:
        """Admit a batch, its signatures checked by the SignatureChecker; one outcome each.

        Envelopes may be wire bytes or JSON already parsed (strictly: see parse_json).
        """
        return self.begin_batch(envelopes).finish()

    def begin_batch(self, envelopes: Sequence[Envelope]) -> PendingBatch:
        """Decode a batch and start checking its signatures; finish() admits it.

        A client with several batches may decode the next while this one's are checked.
        """
        decoded: list[SignedTx | SubmitRefused] = []
        for envelope in envelopes:
            try:
                decoded.append(_decoded(envelope))
            except SubmitRefused as refused:
                decoded.append(refused)
        txs = [tx for tx in decoded if isinstance(tx, SignedTx)]
        rules = preverify_rules(self._storage)
        check = self._checker.start(txs, rules) if txs else None
        return PendingBatch(lambda tx, ok: self._admit(tx, ok, rules), decoded, check)

    def _admit(self, tx: SignedTx, signatures_ok: bool | None, rules: int | None = None) -> str:
        """Admit `tx`, its signatures verified under `rules` when signatures_ok (or here)."""
        if signatures_ok is False:
            raise SubmitRefused(ReasonCode.BAD_SIGNATURE.value, "a signature does not verify")
        if rules is None:
            rules = preverify_rules(self._storage)
        try:
            checked = self.executor.admit(tx, rules if signatures_ok else NOT_CHECKED, rules)
        except Refusal as refusal:
            raise SubmitRefused(refusal.code.value, str(refusal)) from None
        try:
            signers = frozenset(tx.unsigned.nonces)
            checked.handler.admission_check(checked.payload, signers, LedgerView(self._storage))
        except Refusal as refusal:
            self.executor.forget(tx)
            raise SubmitRefused(refusal.code.value, str(refusal)) from None
        try:
            return self._enqueue(tx)
        except SubmitRefused:
            self.executor.forget(tx)
            raise

    def _enqueue(self, tx: SignedTx) -> str:
        tx_id = tx.tx_id
        view = LedgerView(self._storage)
        for signer, nonce in tx.unsigned.nonces.items():
            if nonce <= view.nonce(signer):
                # A transaction that applied has used its nonces, so only a stale one can be a
                # duplicate: the log is asked here, off the path of fresh transactions.
                location = self._storage.locate(tx_id)
                if location is not None and location.code == "ok":
                    raise SubmitRefused("duplicate", f"transaction {tx_id} is already committed")
                raise SubmitRefused(
                    ReasonCode.STALE_NONCE.value, f"{signer} has already used nonce {nonce}"
                )
        divergence = self.divergence()
        if divergence is not None:
            raise SubmitRefused(
                "diverged",
                f"this node's state differs from the majority's at height {divergence.height}; "
                "it takes no writes until an operator restores it",
            )
        with self._lock:
            if self._stopping:
                raise SubmitRefused("stopped", "the node is stopping")
            if tx_id in self._inflight:
                raise SubmitRefused("duplicate", f"{tx_id} is being committed")
            try:
                self._mempool.add(tx, time.monotonic())
            except DuplicateTx:
                raise SubmitRefused("duplicate", f"{tx_id} is already pending") from None
            except MempoolFull as full:
                raise SubmitRefused("mempool_full", str(full)) from None
            self._rejected.pop(tx_id, None)
            waiting = len(self._mempool)
            if waiting == 1 or waiting >= self.settings.max_block_txs:
                self._work.notify()
        return tx_id

    def status(self, tx_id: str) -> TxStatus:
        """Pending, committed (with height, index, code), rejected, or unknown."""
        with self._lock:
            return self._status(tx_id)

    def wait(self, tx_id: str, timeout: float) -> TxStatus:
        """The status once `tx_id` is no longer pending, or after `timeout` seconds.

        In a network an unknown transaction is waited for too: it may have been submitted to
        another node, and shows up here when its block is applied.
        """
        deadline = time.monotonic() + timeout
        waiting = {TxState.PENDING} if self._replica is None else {TxState.PENDING, TxState.UNKNOWN}
        with self._lock:
            while True:
                status = self._status(tx_id)
                remaining = deadline - time.monotonic()
                if status.state not in waiting or remaining <= 0:
                    return status
                self._committed.wait(remaining)

    def pending_count(self) -> int:
        """How many transactions wait for a block (in the mempool or being applied)."""
        with self._lock:
            return len(self._mempool) + len(self._inflight)

    def on_commit(self, listener: Callable[[Block], None]) -> None:
        """Call `listener` with every committed block (from the thread that committed it)."""
        self._listeners.append(listener)

    # Reading the chain.

    def head(self) -> ChainHead | None:
        """The last committed block's head, or None before genesis."""
        with self._state_lock:
            return self._storage.head()

    def block(self, height: int) -> Block | None:
        """The committed block at `height`, or None."""
        with self._state_lock:
            return self._storage.block(height)

    def latest_block(self) -> Block | None:
        """The last committed block, or None before genesis."""
        with self._state_lock:
            head = self._storage.head()
            return None if head is None else self._storage.block(head.height)

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's signed checkpoint of the block at `height`, or None."""
        with self._state_lock:
            return self._storage.checkpoint(height)

    def account(self, signer: str) -> tuple[Participant | None, int]:
        """A signer's participant record (None for the Ministry or a stranger) and last nonce."""
        with self._state_lock:
            view = LedgerView(self._storage)
            return view.participant(signer), view.nonce(signer)

    def signature_rules(self) -> tuple[int, SignatureRules | None]:
        """The signature rules version of the next block, and the last switch scheduled.

        Read without the state lock, as admission's nonce check reads: a status, not a decision.
        """
        return preverify_rules(self._storage), LedgerView(self._storage).signature_rules()

    def read(self, query: Callable[[LedgerView], T]) -> T:
        """`query` answered over the committed state, with no block applied meanwhile."""
        with self._state_lock:
            return query(LedgerView(self._storage))

    def holdings(self, holder: str) -> list[Holding]:
        """`holder`'s units per asset class now."""
        with self._state_lock:
            return self._storage.holdings(holder)

    def locks(self, holder: str) -> list[Lock]:
        """The pledges (as pledgor) and escrows (as seller) locking `holder`'s units now."""
        with self._state_lock:
            return self._storage.locks(holder)

    def history(self, holder: str, limit: int = 50, before: int | None = None) -> HistoryPage:
        """Transactions involving `holder`, newest first."""
        with self._state_lock:
            return self._storage.history(holder, limit, before)

    # Producing blocks.

    def start(self) -> None:
        """Start the signature workers and run the producer thread."""
        if self._thread is not None:
            raise RuntimeError("the node is already running")
        # Now, not on the first batch: from this thread, before a server binds its socket.
        self._checker.open()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="ledger-producer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Commit what is pending, stop the producer thread and the signature workers."""
        with self._lock:
            self._stopping = True
            self._work.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._replica is not None:
            self._replica.stop()  # a proposal still retrying without a quorum gives up now
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._checker.close()

    def close(self) -> None:
        """Release the storage (a stopped node only), e.g. close its file."""
        close = getattr(self._storage, "close", None)
        if callable(close):
            close()

    def produce_block(self) -> Block | None:
        """Take what is pending now and commit it as one block (when no thread runs)."""
        if self._thread is not None:
            raise RuntimeError("the producer thread is running")
        batch = self._take(wait=False)
        return self._commit(batch) if batch else None

    def _run(self) -> None:
        while True:
            batch = self._take(wait=True)
            if not batch:
                return  # stopping, and nothing left
            self._commit(batch)

    def _take(self, wait: bool) -> list[SignedTx]:
        with self._lock:
            count = self.settings.max_block_txs if self._initialised else 1
            while wait and not self._stopping and len(self._mempool) < count:
                oldest = self._mempool.oldest_arrival()
                if oldest is None:
                    self._work.wait()
                    continue
                remaining = oldest + self.settings.max_wait_seconds - time.monotonic()
                if remaining <= 0:
                    break
                self._work.wait(remaining)
            batch = self._mempool.take(count)
            self._inflight.update(tx.tx_id for tx in batch)
            return batch

    def _commit(self, batch: Sequence[SignedTx]) -> Block | None:
        if self._replica is not None:
            self._commit_replicated(self._replica, batch)
            return None
        # Every signature was checked at admission, under the rules version it recorded.
        verified = [self.executor.admitted_rules(tx) for tx in batch]
        try:
            with self._state_lock:
                head = self._storage.head()
                proposal = self._proposal(head, batch)
                outcome = apply_block(self._storage, proposal, self.executor, verified)
                block = outcome.block
                checkpoint = self._sign(block)
                self._storage.record(outcome, checkpoint)
        except BlockRejected as rejected:
            self._reject(batch, str(rejected))
            return None
        except Exception as error:
            log.exception("block commit failed", extra={"txs": len(batch)})
            self._reject(batch, f"the node could not commit the block: {error}")
            return None
        with self._lock:
            self._initialised = True
            self._inflight.subtract(tx.tx_id for tx in batch)
            self._inflight += Counter()  # drops the ids whose count fell to zero
            self._committed.notify_all()
        self._tell_listeners(block)
        return block

    def _commit_replicated(self, replica: Replica, batch: Sequence[SignedTx]) -> None:
        timestamp = int(self._clock.now().timestamp())
        if not replica.commit(batch, timestamp):
            self._reject(batch, "the node stopped before the batch was committed; resubmit it")
            return
        with self._lock:
            self._inflight.subtract(tx.tx_id for tx in batch)
            self._inflight += Counter()
            self._committed.notify_all()

    def _tell_listeners(self, block: Block) -> None:
        for listener in self._listeners:
            try:
                listener(block)
            except Exception:
                log.exception("a commit listener failed")

    def _proposal(self, head: ChainHead | None, batch: Sequence[SignedTx]) -> BlockProposal:
        now = int(self._clock.now().timestamp())
        if head is None:
            return BlockProposal(0, GENESIS_PREVIOUS, now, tuple(batch))
        return BlockProposal(
            head.height + 1, head.block_hash, max(now, head.timestamp), tuple(batch)
        )

    def _reject(self, batch: Sequence[SignedTx], detail: str) -> None:
        with self._lock:
            self._inflight.subtract(tx.tx_id for tx in batch)
            self._inflight += Counter()
            for tx in batch:
                if tx.tx_id not in self._inflight and tx.tx_id not in self._mempool:
                    self._rejected[tx.tx_id] = TxStatus(tx.tx_id, TxState.REJECTED, detail=detail)
            self._committed.notify_all()

    def _status(self, tx_id: str) -> TxStatus:
        if tx_id in self._mempool or tx_id in self._inflight:
            return TxStatus(tx_id, TxState.PENDING)
        location = self._storage.locate(tx_id)
        if location is not None:
            return TxStatus(
                tx_id, TxState.COMMITTED, location.height, location.index, location.code
            )
        return self._rejected.get(tx_id) or TxStatus(tx_id, TxState.UNKNOWN)


class PendingBatch:
    """A decoded batch whose signatures are being checked (LedgerNode.begin_batch)."""

    def __init__(
        self,
        admit: Callable[[SignedTx, bool], str],
        decoded: list[SignedTx | SubmitRefused],
        check: PendingCheck | None,
    ) -> None:
        """Hold the decoded batch, its check under way, and the node's admission step."""
        self._admit = admit
        self._decoded = decoded
        self._check = check

    def finish(self) -> list[str | SubmitRefused]:
        """Wait for the signatures and admit each transaction; one outcome per envelope."""
        flags = iter(self._check.result() if self._check is not None else [])
        outcomes: list[str | SubmitRefused] = []
        for item in self._decoded:
            if isinstance(item, SubmitRefused):
                outcomes.append(item)
                continue
            try:
                outcomes.append(self._admit(item, next(flags)))
            except SubmitRefused as refused:
                outcomes.append(refused)
        return outcomes


def _decoded(envelope: Envelope) -> SignedTx:
    try:
        return decode_tx(envelope)
    except Refusal as refusal:
        raise SubmitRefused(refusal.code.value, str(refusal)) from None
