"""Response models of the ledger API, rendered from the ledger's views.

Field order is the JSON's key order, which clients (the wallet, `kepil cluster status`, the
bench) have read since the API answered hand-built objects: keep both as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from kepil.ledger import Checkpoint as LedgerCheckpoint
from kepil.services.ledger.node import SubmitRefused, TxStatus
from kepil.services.ledger.views import (
    AccountView,
    BlockView,
    HistoryView,
    HoldingsView,
    NodeStatusView,
    ReceiptView,
)


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True)


class Accepted(_Answer):
    """A transaction admitted into the mempool."""

    tx_id: str
    state: Literal["pending"] = "pending"


class TransactionType(_Answer):
    """A transaction type: what it does, who signs, and its payload's JSON Schema."""

    type: str
    title: str
    signed_by: str
    payload_schema: dict[str, Any]


class TransactionTypes(_Answer):
    """Every transaction type the ledger accepts."""

    types: list[TransactionType]


class SubmitError(_Answer):
    """Why one envelope of a batch was not admitted."""

    code: str
    message: str


class Refused(_Answer):
    """An envelope of a batch that was not admitted."""

    error: SubmitError


class BatchOutcomes(_Answer):
    """One outcome per envelope of a batch, in order."""

    results: list[Accepted | Refused]

    @classmethod
    def of(cls, outcomes: Sequence[str | SubmitRefused]) -> BatchOutcomes:
        """Render the node's outcomes: an id, or a refusal."""
        return cls(
            results=[
                Refused(error=SubmitError(code=o.code, message=o.message))
                if isinstance(o, SubmitRefused)
                else Accepted(tx_id=o)
                for o in outcomes
            ]
        )


class TransactionStatus(_Answer):
    """Pending, committed (height, index, result code), rejected or unknown."""

    tx_id: str
    state: str
    height: int | None
    index: int | None
    code: str | None
    detail: str | None

    @classmethod
    def of(cls, status: TxStatus) -> TransactionStatus:
        """Render a transaction's status."""
        return cls.model_validate(status.to_json())


class Checkpoint(_Answer):
    """A node's signed statement of a block hash and state root at a height."""

    chain_id: str
    height: int
    block_hash: str
    state_root: str
    node: str
    key: str
    sig: str

    @classmethod
    def of(cls, checkpoint: LedgerCheckpoint) -> Checkpoint:
        """Render a checkpoint."""
        return cls.model_validate(checkpoint.to_json())


class BlockHeader(_Answer):
    """What a block's hash covers."""

    chain_id: str
    height: int
    previous_hash: str
    timestamp: int
    tx_count: int
    txs_hash: str
    state_root: str


class Block(_Answer):
    """A committed block: header, hash, envelopes, one result code each, this node's checkpoint."""

    header: BlockHeader
    hash: str
    txs: list[dict[str, Any]]
    results: list[str]
    checkpoint: Checkpoint | None

    @classmethod
    def of(cls, view: BlockView) -> Block:
        """Render a block with its checkpoint."""
        checkpoint = None if view.checkpoint is None else Checkpoint.of(view.checkpoint)
        return cls.model_validate({**view.block.to_json(), "checkpoint": checkpoint})


class ChainPermit(_Answer):
    """The operator's permit as this chain holds it, with the Ministry's last applied change."""

    number: str
    holder: str
    valid_from: int
    valid_until: int
    status: str
    reference: str
    changed_at: int
    ministry_nonce: int


class Participant(_Answer):
    """An admitted participant's record."""

    id: str
    name: str
    key: str
    roles: list[str]
    status: str
    admitted_at: int


class Account(_Answer):
    """A signer's participant record (None for the Ministry or a stranger) and nonces."""

    signer: str
    participant: Participant | None
    nonce: int
    next_nonce: int

    @classmethod
    def of(cls, view: AccountView) -> Account:
        """Render an account."""
        participant = view.participant
        return cls(
            signer=view.signer,
            participant=None
            if participant is None
            else Participant.model_validate(participant.to_json()),
            nonce=view.nonce,
            next_nonce=view.next_nonce,
        )


class Holding(_Answer):
    """Units of one asset class: free, pledged, escrowed."""

    asset: str
    free: int
    pledged: int
    escrowed: int


class Holdings(_Answer):
    """A holder's units per asset class at a height (None before genesis)."""

    holder: str
    height: int | None
    holdings: list[Holding]

    @classmethod
    def of(cls, view: HoldingsView) -> Holdings:
        """Render a holder's holdings."""
        return cls(
            holder=view.holder,
            height=view.height,
            holdings=[Holding.model_validate(h.to_json()) for h in view.holdings],
        )


class HistoryEntry(_Answer):
    """One transaction that involved a holder."""

    seq: int
    height: int
    index: int
    timestamp: int
    tx_id: str
    type: str
    code: str


class History(_Answer):
    """A page of a holder's transactions, newest first."""

    holder: str
    entries: list[HistoryEntry]
    next_before: int | None

    @classmethod
    def of(cls, view: HistoryView) -> History:
        """Render a history page."""
        return cls(
            holder=view.holder,
            entries=[HistoryEntry.model_validate(e.to_json()) for e in view.entries],
            next_before=view.next_before,
        )


class Receipt(_Answer):
    """A committed transaction's block and the genesis nodes' checkpoints agreeing with it."""

    chain_id: str
    height: int
    block_hash: str
    state_root: str
    nodes: int
    majority: int
    confirmed: bool
    checkpoints: list[Checkpoint]
    transaction: TransactionStatus

    @classmethod
    def of(cls, view: ReceiptView) -> Receipt:
        """Render a receipt."""
        return cls(
            chain_id=view.chain_id,
            height=view.height,
            block_hash=view.block_hash,
            state_root=view.state_root,
            nodes=view.nodes,
            majority=view.majority,
            confirmed=view.confirmed,
            checkpoints=[Checkpoint.of(c) for c in view.checkpoints],
            transaction=TransactionStatus.of(view.transaction),
        )


class Consensus(_Answer):
    """The consensus engine's view of the cluster."""

    address: str
    leader: str | None
    is_leader: bool
    term: int
    commit_index: int
    last_applied: int
    has_quorum: bool
    peers: dict[str, bool]


class Roots(_Answer):
    """A block hash and state root another node signed."""

    block_hash: str
    state_root: str


class Divergence(_Answer):
    """Where this node's state differs from the majority's."""

    height: int
    block_hash: str
    state_root: str
    others: dict[str, Roots]


class SignatureRulesSwitch(_Answer):
    """A switch of signature rules the operator scheduled: from `height` on, `version`."""

    version: int
    height: int
    scheduled_at: int  # the height of the block that carried the schedule


class SignatureRulesStatus(_Answer):
    """Which Ed25519 rules verify the next block (1: libsodium, 2: ZIP 215), the last switch
    scheduled, and the versions this node's software knows."""

    next_block: int
    scheduled: SignatureRulesSwitch | None
    known: list[int]


class NodeStatus(_Answer):
    """This node's head, consensus view and divergence."""

    name: str
    public_key: str  # the checkpoint key (Ed25519, hex): genesis lists it with the name
    chain_id: str
    height: int | None
    block_hash: str | None
    state_root: str | None
    pending: int
    applied_log_index: int
    consensus: Consensus | None
    diverged: Divergence | None
    divergent_peers: dict[str, int]
    signature_rules: SignatureRulesStatus

    @classmethod
    def of(cls, view: NodeStatusView) -> NodeStatus:
        """Render a node's status."""
        return cls(
            name=view.name,
            public_key=view.public_key,
            chain_id=view.chain_id,
            height=view.height,
            block_hash=view.block_hash,
            state_root=view.state_root,
            pending=view.pending,
            applied_log_index=view.applied_log_index,
            consensus=None
            if view.consensus is None
            else Consensus.model_validate(view.consensus.to_json()),
            diverged=None
            if view.diverged is None
            else Divergence.model_validate(view.diverged.to_json()),
            divergent_peers=dict(view.divergent_peers),
            signature_rules=SignatureRulesStatus(
                next_block=view.signature_rules.next_block,
                scheduled=None
                if (switch := view.signature_rules.scheduled) is None
                else SignatureRulesSwitch.model_validate(switch.to_json()),
                known=list(view.signature_rules.known),
            ),
        )


class NodeHealth(_Answer):
    """A network node's liveness: its name, head height and the leader it sees."""

    status: Literal["ok"] = "ok"
    node: str
    height: int | None
    leader: str | None
