"""Read models of the ledger: what its readers are answered, as flat frozen views.

The query functions read a node and answer a view; entry points only render them. A receipt is
here with its quorum rule: it proves a transaction's block to someone who trusts no single
node by the block hash and state root, with the signed checkpoints of the nodes that reached the
same ones (only those a genesis node signed with its registered key); it is `confirmed` once a
majority of the nodes genesis lists have signed it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from kepil.ledger import Block, Checkpoint
from kepil.ledger.checkpoint import agrees_with, checkpoint_valid
from kepil.ledger.records import ChainMeta, Participant, Permit, SignatureRules
from kepil.ledger.sigrules import VERIFIERS
from kepil.ledger.tx import MINISTRY
from kepil.services.ledger.consensus import ConsensusStatus
from kepil.services.ledger.node import LedgerNode, TxState, TxStatus
from kepil.services.ledger.replica import Divergence
from kepil.services.ledger.storage import HistoryEntry, Holding

RECEIPT_POLL_SECONDS: Final = 0.02


class NotCommittedError(LookupError):
    """A receipt was asked for a transaction no committed block holds."""


@dataclass(frozen=True, slots=True)
class BlockView:
    """A committed block with this node's checkpoint of it (None if it has none)."""

    block: Block
    checkpoint: Checkpoint | None


@dataclass(frozen=True, slots=True)
class AccountView:
    """What a wallet needs to sign a signer's next transaction."""

    signer: str
    participant: Participant | None  # None for the Ministry or a stranger
    nonce: int
    next_nonce: int


@dataclass(frozen=True, slots=True)
class HoldingsView:
    """A holder's units per asset class at the height read."""

    holder: str
    height: int | None
    holdings: tuple[Holding, ...]


@dataclass(frozen=True, slots=True)
class HistoryView:
    """One page of a holder's transactions, newest first; `next_before` asks for the next."""

    holder: str
    entries: tuple[HistoryEntry, ...]
    next_before: int | None


@dataclass(frozen=True, slots=True)
class ReceiptView:
    """A committed transaction's block, with the genesis nodes' checkpoints agreeing with it."""

    chain_id: str
    height: int
    block_hash: str
    state_root: str
    nodes: int
    majority: int
    confirmed: bool
    checkpoints: tuple[Checkpoint, ...]
    transaction: TxStatus


@dataclass(frozen=True, slots=True)
class SignatureRulesView:
    """The signature rules of the node's next block, the last switch scheduled, and the
    versions this node's software knows (an operator checks every node knows the next one
    before scheduling it: docs/ledger-network.md)."""

    next_block: int
    scheduled: SignatureRules | None
    known: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NodeStatusView:
    """This node's head, consensus view and divergence (what `kepil cluster status` shows)."""

    name: str
    chain_id: str
    height: int | None
    block_hash: str | None
    state_root: str | None
    pending: int
    applied_log_index: int
    consensus: ConsensusStatus | None
    diverged: Divergence | None
    divergent_peers: Mapping[str, int]
    public_key: str  # the node's checkpoint key (hex): what genesis lists beside its name
    signature_rules: SignatureRulesView


def transaction_status(node: LedgerNode, tx_id: str, wait: float = 0.0) -> TxStatus:
    """The transaction's status, after waiting up to `wait` seconds for it to leave pending."""
    return node.wait(tx_id, wait) if wait > 0 else node.status(tx_id)


def block_at(node: LedgerNode, height: int) -> BlockView | None:
    """The committed block at `height` with this node's checkpoint, or None."""
    block = node.block(height)
    return None if block is None else _block_view(node, block)


def latest_block(node: LedgerNode) -> BlockView | None:
    """The newest committed block with this node's checkpoint, or None before genesis."""
    block = node.latest_block()
    return None if block is None else _block_view(node, block)


def account(node: LedgerNode, signer: str) -> AccountView:
    """The signer's participant record and last nonce."""
    participant, nonce = node.account(signer)
    return AccountView(signer, participant, nonce, nonce + 1)


def permit(node: LedgerNode) -> tuple[Permit, int] | None:
    """The chain's permit and the "ministry" nonce, read together; None before genesis."""
    return node.read(lambda view: _permit_and_nonce(view.permit(), view.nonce(MINISTRY)))


def _permit_and_nonce(permit: Permit | None, nonce: int) -> tuple[Permit, int] | None:
    return None if permit is None else (permit, nonce)


def holdings(node: LedgerNode, holder: str) -> HoldingsView:
    """The holder's free, pledged and escrowed units per asset class now."""
    head = node.head()
    return HoldingsView(holder, None if head is None else head.height, tuple(node.holdings(holder)))


def history(node: LedgerNode, holder: str, limit: int, before: int | None) -> HistoryView:
    """`limit` transactions involving `holder`, newest first, below `before`."""
    page = node.history(holder, limit, before)
    return HistoryView(holder, page.entries, page.next_before)


def receipt(
    node: LedgerNode, tx_id: str, wait: float = 0.0, poll: float = RECEIPT_POLL_SECONDS
) -> ReceiptView:
    """The transaction's receipt; waits up to `wait` seconds for its commit and a majority.

    Raise NotCommittedError when the transaction is not committed once the wait for it ends.
    """
    deadline = time.monotonic() + wait
    status = node.wait(tx_id, wait)
    if status.state is not TxState.COMMITTED or status.height is None:
        raise NotCommittedError(f"transaction {tx_id} is {status.state.value}")
    while True:
        block = node.block(status.height)
        if block is None:  # pragma: no cover - a committed transaction's block exists
            raise NotCommittedError(f"no block at height {status.height}")
        view = receipt_of(block, node.chain(), node.checkpoints(status.height), status)
        if view.confirmed or time.monotonic() >= deadline:
            return view
        time.sleep(poll)


def receipt_of(
    block: Block,
    chain: ChainMeta | None,
    checkpoints: Iterable[Checkpoint],
    transaction: TxStatus,
) -> ReceiptView:
    """The receipt of `block`: the valid checkpoints agreeing with it, and whether they are a
    majority of the nodes genesis lists (one node counts once however many it signed)."""
    nodes = chain.nodes if chain is not None else ()
    members = max(1, len(nodes))
    majority = members // 2 + 1
    agreeing = tuple(c for c in checkpoints if checkpoint_valid(c, nodes) and agrees_with(c, block))
    return ReceiptView(
        chain_id=block.header.chain_id,
        height=block.header.height,
        block_hash=block.hash,
        state_root=block.header.state_root,
        nodes=members,
        majority=majority,
        confirmed=len({c.node for c in agreeing}) >= majority,
        checkpoints=agreeing,
        transaction=transaction,
    )


def node_status(node: LedgerNode) -> NodeStatusView:
    """This node's head, what it waits to commit, its consensus view and any divergence."""
    head = node.head()
    replica = node.replica
    next_block, scheduled = node.signature_rules()
    return NodeStatusView(
        name=node.name,
        chain_id=node.chain_id,
        height=None if head is None else head.height,
        block_hash=None if head is None else head.block_hash,
        state_root=None if head is None else head.state_root,
        pending=node.pending_count(),
        applied_log_index=node.applied_log_index(),
        consensus=None if replica is None else replica.consensus_status(),
        diverged=node.divergence(),
        divergent_peers={} if replica is None else replica.divergent_peers(),
        public_key=node.public_key,
        signature_rules=SignatureRulesView(next_block, scheduled, tuple(sorted(VERIFIERS))),
    )


def _block_view(node: LedgerNode, block: Block) -> BlockView:
    return BlockView(block, node.checkpoint(block.header.height))
