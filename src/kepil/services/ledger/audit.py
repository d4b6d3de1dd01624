"""An offline audit of one node's ledger: re-execute every block from genesis, judge every
checkpoint, and compare what the file claims with what the replay reached.

Each block must be readable, sit at its height, carry its header's hash and link to the block
before it; replay_block on a fresh MemoryState then re-verifies every signature (under the
signature rules in force at that block's height: sigrules.py), result and state root.
Replaying stops at the first block that does not reproduce: nothing after it can be judged.
Every checkpoint kept for a verified block must be a genesis node's, signed with that node's key,
and state that very block and root. A height is confirmed once a majority of the genesis nodes
signed agreeing checkpoints; heights without one are information, not findings, as the newest
heights may still await their checkpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, Protocol

from kepil.ledger import (
    GENESIS_PREVIOUS,
    Block,
    BlockMismatch,
    BlockOutcome,
    BlockRejected,
    ChainHead,
    Checkpoint,
    Executor,
    MemoryState,
    ReasonCode,
    Refusal,
    SignedTx,
    agrees_with,
    block_rules,
    checkpoint_valid,
    decode_tx,
    replay_block,
    signatures_valid,
)
from kepil.ledger.block import OK
from kepil.ledger.records import NodeKey
from kepil.ledger.statekeys import StateKey, Value
from kepil.ledger.view import LedgerView

MAX_NAMED: Final = 5  # differing keys or transactions named in one finding
# What a spoiled row raises when it is decoded: broken JSON, a missing field, a malformed tx.
_UNREADABLE: Final = (ValueError, KeyError, TypeError, Refusal)


class FindingKind(StrEnum):
    """What is wrong; stable strings, for scripts reading the JSON report."""

    EMPTY = "empty"
    UNREADABLE_BLOCK = "unreadable_block"
    MISSING_BLOCK = "missing_block"
    WRONG_HEIGHT = "wrong_height"
    HASH_MISMATCH = "hash_mismatch"
    BROKEN_LINK = "broken_link"
    BAD_TX_SIGNATURE = "bad_tx_signature"
    REPLAY_MISMATCH = "replay_mismatch"
    REPLAY_REJECTED = "replay_rejected"
    INDEX_MISMATCH = "index_mismatch"
    EXTRA_BLOCK = "extra_block"
    HEAD_MISMATCH = "head_mismatch"
    STATE_ROOT_MISMATCH = "state_root_mismatch"
    STATE_TABLE_MISMATCH = "state_table_mismatch"
    UNREADABLE_CHECKPOINT = "unreadable_checkpoint"
    CHECKPOINT_STRANGER = "checkpoint_stranger"
    CHECKPOINT_WRONG_KEY = "checkpoint_wrong_key"
    CHECKPOINT_BAD_SIGNATURE = "checkpoint_bad_signature"
    CHECKPOINT_DISAGREES = "checkpoint_disagrees"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the audit found wrong, at a height (None: the file as a whole)."""

    height: int | None
    kind: FindingKind
    detail: str

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object."""
        return {"height": self.height, "kind": self.kind.value, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What the audit checked and found; `unconfirmed` holds inclusive ranges of heights."""

    chain_id: str
    head_height: int | None
    heights_checked: int
    transactions: int
    nodes: tuple[str, ...]
    majority: int
    confirmed_height: int | None
    unconfirmed: tuple[tuple[int, int], ...]
    state_root: str | None  # the root the replay reached, once every block replayed
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.findings

    @property
    def complete(self) -> bool:
        """Whether every block up to the head was re-executed."""
        return self.head_height is not None and self.heights_checked == self.head_height + 1

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "ok": self.ok,
            "chain_id": self.chain_id,
            "head_height": self.head_height,
            "heights_checked": self.heights_checked,
            "complete": self.complete,
            "transactions": self.transactions,
            "nodes": list(self.nodes),
            "majority": self.majority,
            "confirmed_height": self.confirmed_height,
            "unconfirmed": [list(span) for span in self.unconfirmed],
            "state_root": self.state_root,
            "findings": [f.to_json() for f in self.findings],
        }


class LedgerReader(Protocol):
    """The reads of a node's ledger the audit needs (SqliteLedgerStore has them)."""

    def head(self) -> ChainHead | None:
        """The last committed block, or None before genesis."""
        ...

    def block(self, height: int) -> Block | None:
        """The block at `height`, or None; may raise ValueError or Refusal when spoiled."""
        ...

    def checkpoint(self, height: int) -> Checkpoint | None:
        """This node's checkpoint of the block at `height`, or None."""
        ...

    def checkpoints(self, height: int) -> Sequence[Checkpoint]:
        """Every node's checkpoint of the block at `height` that the log delivered."""
        ...

    def state_root(self) -> str:
        """The root of the committed state as the file records it."""
        ...


class IndexedTx(Protocol):
    """A transaction as a store's index records it apart from the block."""

    @property
    def tx_id(self) -> str:
        """The transaction id."""
        ...

    @property
    def index(self) -> int:
        """Its position in the block."""
        ...

    @property
    def type(self) -> str:
        """Its type."""
        ...

    @property
    def result(self) -> str:
        """ "ok" or the reason code."""
        ...

    @property
    def signers(self) -> tuple[str, ...]:
        """Who signed it, sorted."""
        ...

    @property
    def envelope(self) -> dict[str, Any]:
        """The envelope JSON."""
        ...


class TxIndex(Protocol):
    """A store's per-transaction index, which answers status queries without the block."""

    def block_transactions(self, height: int) -> Sequence[IndexedTx]:
        """The indexed transactions of the block at `height`, in order."""
        ...

    def placement_problems(self, height: int, results: list[tuple[str, str]]) -> list[str]:
        """How the rows that locate a transaction disagree with the block at `height`, whose
        transactions are `results` ((id, "ok" or reason code), in order); [] when they agree."""
        ...

    def lookup_counts(self) -> tuple[int, int, int]:
        """How many applied, refused and transaction lookup rows the index holds."""
        ...


ProgressCallback = Callable[[int, int], None]


def audit_chain(
    reader: LedgerReader,
    executor: Executor,
    progress: ProgressCallback | None = None,
    *,
    index: TxIndex | None = None,
    state_entries: Iterable[tuple[StateKey, Value]] | None = None,
) -> AuditReport:
    """Audit the chain `reader` holds; `progress(height, head_height)` follows each block.

    With `index`, each verified block's indexed transactions must match it; with
    `state_entries` (the file's state table, read lazily), every entry must be the replay's.
    """
    audit = _Audit(reader, executor, index)
    head = reader.head()
    if head is None:
        audit.find(None, FindingKind.EMPTY, "the ledger holds no blocks")
        return audit.report(None, None)
    for height in range(head.height + 1):
        outcome = audit.replay(height)
        if outcome is None:
            return audit.report(head, None)
        audit.judge_checkpoints(outcome.block)
        audit.check_index(outcome.block)
        if progress is not None:
            progress(height, head.height)
    audit.check_end(head, state_entries)
    return audit.report(head, audit.state.state_root())


class _Audit:
    """The running audit: the replayed state, the findings and the confirmed heights."""

    def __init__(self, reader: LedgerReader, executor: Executor, index: TxIndex | None) -> None:
        self.reader, self.executor, self.index = reader, executor, index
        self.state = MemoryState()
        self.findings: list[Finding] = []
        self.placed = [0, 0, 0]  # the replay's applied, refused and all transactions
        self.checked = self.transactions = 0
        self.nodes: tuple[str, ...] = ()
        self.majority = 1
        self.confirmed: int | None = None
        self.unconfirmed: list[tuple[int, int]] = []

    def find(self, height: int | None, kind: FindingKind, detail: str) -> None:
        self.findings.append(Finding(height, kind, detail))

    def replay(self, height: int) -> BlockOutcome | None:
        """The replayed block at `height`, committed to the audit's state; None on a finding."""
        try:
            block = self.reader.block(height)
        except _UNREADABLE as error:
            self.find(height, FindingKind.UNREADABLE_BLOCK, f"the stored block: {error}")
            return None
        if block is None:
            self.find(height, FindingKind.MISSING_BLOCK, "no block below the head's height")
            return None
        problem = self._placement(height, block)
        if problem is not None:
            self.find(height, *problem)
            return None
        try:
            outcome = replay_block(self.state, block, self.executor)
        except BlockMismatch as error:
            rules = block_rules(self.state, height)
            forged = [
                tx.tx_id
                for tx, result in zip(block.txs, block.results, strict=True)
                if result.reason is not ReasonCode.BAD_SIGNATURE and not signatures_valid(tx, rules)
            ]
            if forged:
                detail = f"signatures do not verify: {', '.join(forged[:MAX_NAMED])}"
                self.find(height, FindingKind.BAD_TX_SIGNATURE, detail)
            else:
                self.find(height, FindingKind.REPLAY_MISMATCH, str(error))
            return None
        except BlockRejected as error:
            self.find(height, FindingKind.REPLAY_REJECTED, str(error))
            return None
        self.state.commit(outcome.changes, outcome.block.head())
        self.checked += 1
        self.transactions += len(block.txs)
        return outcome

    def _placement(self, height: int, block: Block) -> tuple[FindingKind, str] | None:
        header = self.state.head()
        previous = GENESIS_PREVIOUS if header is None else header.block_hash
        if block.header.height != height:
            return FindingKind.WRONG_HEIGHT, f"the block says height {block.header.height}"
        if block.hash != block.header.block_hash():
            return FindingKind.HASH_MISMATCH, f"hash {block.hash} is not the header's"
        if block.header.previous_hash != previous:
            return (
                FindingKind.BROKEN_LINK,
                f"previous hash {block.header.previous_hash}, the block before is {previous}",
            )
        return None

    def judge_checkpoints(self, block: Block) -> None:
        """Find bad checkpoints of a verified block; note whether a majority confirms it."""
        height = block.header.height
        meta = LedgerView(self.state).chain()
        nodes = meta.nodes if meta is not None else ()
        self.nodes = tuple(n.name for n in nodes)
        self.majority = len(nodes) // 2 + 1
        own: list[Checkpoint] = []
        kept: list[Checkpoint] = []
        try:
            own.extend(c for c in (self.reader.checkpoint(height),) if c is not None)
        except _UNREADABLE as error:
            self.find(height, FindingKind.UNREADABLE_CHECKPOINT, f"its own: {error}")
        try:
            kept.extend(self.reader.checkpoints(height))
        except _UNREADABLE as error:
            self.find(height, FindingKind.UNREADABLE_CHECKPOINT, f"the nodes': {error}")
        agreeing: set[str] = set()
        # The node's own checkpoint is usually also among those the log delivered.
        for checkpoint in dict.fromkeys([*own, *kept]):
            problem = _checkpoint_problem(checkpoint, nodes, block)
            if problem is None:
                agreeing.add(checkpoint.node)
            else:
                self.find(height, *problem)
        if len(agreeing) >= self.majority:
            self.confirmed = height
        elif self.unconfirmed and self.unconfirmed[-1][1] == height - 1:
            self.unconfirmed[-1] = (self.unconfirmed[-1][0], height)
        else:
            self.unconfirmed.append((height, height))

    def check_index(self, block: Block) -> None:
        """Find indexed transactions that say otherwise than the verified block."""
        if self.index is None:
            return
        self._check_placements(block)
        height = block.header.height
        try:
            indexed = list(self.index.block_transactions(height))
        except _UNREADABLE as error:
            self.find(height, FindingKind.INDEX_MISMATCH, f"the index does not read: {error}")
            return
        if len(indexed) != len(block.txs):
            detail = f"{len(indexed)} transactions indexed, the block holds {len(block.txs)}"
            self.find(height, FindingKind.INDEX_MISMATCH, detail)
            return
        wrong = []
        for i, (row, tx, result) in enumerate(zip(indexed, block.txs, block.results, strict=True)):
            if row.result != result.code:
                wrong.append(f"#{i} {tx.tx_id}: indexed {row.result!r}, the block {result.code!r}")
            elif not _same_tx(row, i, tx):
                wrong.append(f"#{i} {tx.tx_id}: the indexed id, type, signers or envelope differ")
        if wrong:
            self.find(height, FindingKind.INDEX_MISMATCH, "; ".join(wrong[:MAX_NAMED]))

    def _check_placements(self, block: Block) -> None:
        """The rows locate() answers from: each transaction's where the block has it."""
        assert self.index is not None  # noqa: S101 - check_index's caller
        height = block.header.height
        results = [(tx.tx_id, r.code) for tx, r in zip(block.txs, block.results, strict=True)]
        self.placed[0] += sum(code == OK for _, code in results)
        self.placed[1] += sum(code != OK for _, code in results)
        self.placed[2] += len(results)
        try:
            problems = self.index.placement_problems(height, results)
        except _UNREADABLE as error:
            self.find(height, FindingKind.INDEX_MISMATCH, f"the lookup rows do not read: {error}")
            return
        if problems:
            self.find(height, FindingKind.INDEX_MISMATCH, "; ".join(problems[:MAX_NAMED]))

    def check_end(
        self, head: ChainHead, state_entries: Iterable[tuple[StateKey, Value]] | None
    ) -> None:
        """With every block replayed: the file's head, root, state table and nothing beyond."""
        replayed = self.state.head()
        if replayed != head:
            self.find(head.height, FindingKind.HEAD_MISMATCH, f"the head says {head}")
        root = self.reader.state_root()
        if root != self.state.state_root():
            detail = f"the file says {root}, the replay reached {self.state.state_root()}"
            self.find(None, FindingKind.STATE_ROOT_MISMATCH, detail)
        try:
            beyond = self.reader.block(head.height + 1)
        except _UNREADABLE:
            beyond = None
            self.find(head.height + 1, FindingKind.EXTRA_BLOCK, "an unreadable block past the head")
        if beyond is not None:
            self.find(head.height + 1, FindingKind.EXTRA_BLOCK, "a block past the head")
        if state_entries is not None:
            self._compare_state(state_entries)
        if self.index is not None:
            self._count_lookups(self.index)

    def _count_lookups(self, index: TxIndex) -> None:
        """No lookup row beyond the replayed transactions' (one a block check cannot see)."""
        try:
            counts = index.lookup_counts()
        except _UNREADABLE as error:
            self.find(None, FindingKind.INDEX_MISMATCH, f"the lookup rows do not read: {error}")
            return
        if counts != tuple(self.placed):
            detail = (
                "applied, refused and transaction rows: the file holds {}, {}, {}; "
                "the replay made {}, {}, {}".format(*counts, *self.placed)
            )
            self.find(None, FindingKind.INDEX_MISMATCH, detail)

    def _compare_state(self, entries: Iterable[tuple[StateKey, Value]]) -> None:
        differing: list[str] = []
        known = 0  # file entries whose key the replay also holds
        try:
            for key, value in entries:
                ours = self.state.get(key)
                known += ours is not None
                if ours != value:
                    differing.append("/".join(key))
        except _UNREADABLE as error:
            self.find(None, FindingKind.STATE_TABLE_MISMATCH, f"a row does not read: {error}")
            return
        missing = sum(1 for _ in self.state.items()) - known
        if differing or missing:
            detail = (
                f"{len(differing)} entries differ from the replay "
                f"({', '.join(differing[:MAX_NAMED])}), "
                f"{missing} missing"
            )
            self.find(None, FindingKind.STATE_TABLE_MISMATCH, detail)

    def report(self, head: ChainHead | None, root: str | None) -> AuditReport:
        return AuditReport(
            chain_id=self.executor.chain_id,
            head_height=None if head is None else head.height,
            heights_checked=self.checked,
            transactions=self.transactions,
            nodes=self.nodes,
            majority=self.majority,
            confirmed_height=self.confirmed,
            unconfirmed=tuple(self.unconfirmed),
            state_root=root,
            findings=tuple(self.findings),
        )


def _checkpoint_problem(
    checkpoint: Checkpoint, nodes: Sequence[NodeKey], block: Block
) -> tuple[FindingKind, str] | None:
    node = checkpoint.node
    key = {n.name: n.key for n in nodes}.get(node)
    if key is None:
        return FindingKind.CHECKPOINT_STRANGER, f"{node!r} is not a node of the genesis"
    if key != checkpoint.key:
        return FindingKind.CHECKPOINT_WRONG_KEY, f"{node} signed with {checkpoint.key}, not {key}"
    if not checkpoint_valid(checkpoint, nodes):
        return FindingKind.CHECKPOINT_BAD_SIGNATURE, f"{node}'s signature does not verify"
    if not agrees_with(checkpoint, block):
        return (
            FindingKind.CHECKPOINT_DISAGREES,
            f"{node} signed height {checkpoint.height} block {checkpoint.block_hash} root "
            f"{checkpoint.state_root}; the block is {block.hash} root {block.header.state_root}",
        )
    return None


def _same_tx(row: IndexedTx, position: int, tx: SignedTx) -> bool:
    try:
        stored = decode_tx(row.envelope)
    except _UNREADABLE:
        return False
    return (
        row.index == position
        and row.tx_id == tx.tx_id == stored.tx_id
        and row.type == tx.type
        and tuple(row.signers) == tuple(sorted(tx.unsigned.nonces))
        and sorted(stored.sigs, key=lambda s: s.by) == sorted(tx.sigs, key=lambda s: s.by)
    )
