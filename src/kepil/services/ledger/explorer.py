"""Read models of the public explorer: the chain at a glance, a block, a transaction, an
account, an asset class, a pledge and an escrow, as flat frozen views over one node.

Everything here is what the ledger API already answers without authentication (blocks,
transactions with their payloads, holdings, history), gathered the way a person reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from kepil.ledger import Block, Checkpoint, SignedTx
from kepil.ledger.checkpoint import agrees_with, checkpoint_valid
from kepil.ledger.records import (
    Agreement,
    AssetClass,
    ChainMeta,
    Encumbrance,
    Escrow,
    Participant,
    Permit,
    Supply,
)
from kepil.ledger.view import LedgerView
from kepil.services.ledger.consensus import ConsensusStatus
from kepil.services.ledger.node import LedgerNode, TxState, TxStatus
from kepil.services.ledger.storage import HistoryEntry, Holding, Lock

LATEST_BLOCKS: Final = 10
# How far back from the head the overview looks for each genesis node's newest checkpoint: a
# node further behind than this is shown as having none near the head.
CHECKPOINT_LOOKBACK: Final = 50

# The transaction types that open a pledge or an escrow (its id is theirs) and the payload
# fields that name the one a later transaction settles.
_OPENS: Final = {"encumber": "pledge", "escrow_open": "escrow"}
_SETTLES: Final = ("pledge", "escrow")


@dataclass(frozen=True, slots=True)
class BlockSummary:
    """One line of the latest blocks."""

    height: int
    hash: str
    timestamp: int
    tx_count: int
    state_root: str


@dataclass(frozen=True, slots=True)
class NodeCheckpointView:
    """A node genesis lists, with the newest checkpoint of it this node holds (None: none)."""

    name: str
    key: str
    checkpoint: Checkpoint | None


@dataclass(frozen=True, slots=True)
class MemberView:
    """A member of the node's consensus network as this node sees it right now."""

    address: str
    this_node: bool
    leader: bool
    connected: bool  # this node itself counts as connected


@dataclass(frozen=True, slots=True)
class OverviewView:
    """The chain at a glance: the platform, its permit, this node's head and every node's."""

    node_name: str
    chain_id: str
    chain: ChainMeta | None  # None before genesis
    permit: Permit | None
    height: int | None
    block_hash: str | None
    state_root: str | None
    nodes: tuple[NodeCheckpointView, ...]
    latest: tuple[BlockSummary, ...]
    members: tuple[MemberView, ...] = ()  # empty for a node alone (the embedded one)
    has_quorum: bool | None = None  # None for a node alone


@dataclass(frozen=True, slots=True)
class BlockPage:
    """A block with the valid checkpoints of it that agree with it, one per node."""

    block: Block
    checkpoints: tuple[Checkpoint, ...]


@dataclass(frozen=True, slots=True)
class TransactionView:
    """A transaction's status and, once in a block, the transaction and that block's moment."""

    status: TxStatus
    tx: SignedTx | None
    timestamp: int | None
    record: tuple[str, str] | None  # ("pledge" | "escrow", id) it opens or settles


@dataclass(frozen=True, slots=True)
class AccountPage:
    """A participant (or anyone holding units), their holdings, the pledges and escrows locking
    them, and one page of history."""

    account: str
    participant: Participant | None
    holdings: tuple[Holding, ...]
    locks: tuple[Lock, ...]  # the pledges and escrows locking the account's units
    assets: dict[str, AssetClass]  # the classes of the holdings, for their units and decimals
    history: tuple[HistoryEntry, ...]
    next_before: int | None


@dataclass(frozen=True, slots=True)
class AssetPage:
    """An asset class with its supply, its issuer and the issuer's agreement."""

    asset: AssetClass
    supply: Supply
    issuer: Participant | None
    agreement: Agreement | None


@dataclass(frozen=True, slots=True)
class PledgePage:
    """An encumbrance the state holds, with its asset class."""

    pledge: Encumbrance
    asset: AssetClass | None


@dataclass(frozen=True, slots=True)
class EscrowPage:
    """An open escrow the state holds, with its asset class."""

    escrow: Escrow
    asset: AssetClass | None


def overview(node: LedgerNode, consensus: ConsensusStatus | None = None) -> OverviewView:
    """The platform, its permit, this node's head, each genesis node's newest checkpoint, the
    latest blocks and, for a member of a network, the members as its `consensus` sees them."""
    chain, permit = node.read(lambda view: (view.chain(), view.permit()))
    head = node.head()
    latest: list[BlockSummary] = []
    newest: dict[str, Checkpoint] = {}
    if head is not None:
        for height in range(head.height, max(-1, head.height - LATEST_BLOCKS), -1):
            block = node.block(height)
            if block is not None:
                latest.append(_summary(block))
        listed = chain.nodes if chain is not None else ()
        for height in range(head.height, max(-1, head.height - CHECKPOINT_LOOKBACK), -1):
            for checkpoint in node.checkpoints(height):
                if checkpoint.node not in newest and checkpoint_valid(checkpoint, listed):
                    newest[checkpoint.node] = checkpoint
            if len(newest) == len(listed):
                break
    nodes = tuple(
        NodeCheckpointView(entry.name, entry.key, newest.get(entry.name))
        for entry in (chain.nodes if chain is not None else ())
    )
    return OverviewView(
        node_name=node.name,
        chain_id=node.chain_id,
        chain=chain,
        permit=permit,
        height=None if head is None else head.height,
        block_hash=None if head is None else head.block_hash,
        state_root=None if head is None else head.state_root,
        nodes=nodes,
        latest=tuple(latest),
        members=() if consensus is None else members(consensus),
        has_quorum=None if consensus is None else consensus.has_quorum,
    )


def members(status: ConsensusStatus) -> tuple[MemberView, ...]:
    """This node and its peers by address, in address order, with the leader it follows."""
    known = {**status.peers, status.address: True}
    return tuple(
        MemberView(
            address,
            address == status.address,
            address == status.leader,
            connected,
        )
        for address, connected in sorted(known.items())
    )


def block_page(node: LedgerNode, height: int) -> BlockPage | None:
    """The block at `height` with the checkpoints agreeing with it, or None."""
    block = node.block(height)
    if block is None:
        return None
    chain = node.chain()
    listed = chain.nodes if chain is not None else ()
    agreeing: dict[str, Checkpoint] = {}
    for checkpoint in node.checkpoints(height):
        if checkpoint_valid(checkpoint, listed) and agrees_with(checkpoint, block):
            agreeing.setdefault(checkpoint.node, checkpoint)
    return BlockPage(block, tuple(agreeing[name] for name in sorted(agreeing)))


def transaction(node: LedgerNode, tx_id: str) -> TransactionView:
    """The transaction's status; with its body, signers and block moment once committed."""
    status = node.status(tx_id)
    if status.state is not TxState.COMMITTED or status.height is None or status.index is None:
        return TransactionView(status, None, None, None)
    block = node.block(status.height)
    if block is None or status.index >= len(block.txs):  # pragma: no cover - committed means kept
        return TransactionView(status, None, None, None)
    tx = block.txs[status.index]
    return TransactionView(status, tx, block.header.timestamp, _record(tx))


def account_page(node: LedgerNode, account: str, limit: int, before: int | None) -> AccountPage:
    """`account`'s participant record, holdings now and `limit` transactions below `before`."""
    participant = node.read(lambda view: view.participant(account))
    holdings = tuple(node.holdings(account))
    locks = tuple(node.locks(account))
    names = {holding.asset for holding in holdings}
    assets = node.read(lambda view: _assets(view, names))
    page = node.history(account, limit, before)
    return AccountPage(
        account, participant, holdings, locks, assets, page.entries, page.next_before
    )


def asset_page(node: LedgerNode, asset: str) -> AssetPage | None:
    """The asset class with its supply, issuer and the issuer's agreement, or None."""

    def read(view: LedgerView) -> AssetPage | None:
        found = view.asset(asset)
        if found is None:
            return None
        issuer = view.participant(found.issuer)
        return AssetPage(found, view.supply(asset), issuer, view.agreement(found.issuer))

    return node.read(read)


def pledge_page(node: LedgerNode, pledge_id: str) -> PledgePage | None:
    """The encumbrance with this id while the state holds it, or None."""

    def read(view: LedgerView) -> PledgePage | None:
        found = view.encumbrance(pledge_id)
        return None if found is None else PledgePage(found, view.asset(found.asset))

    return node.read(read)


def escrow_page(node: LedgerNode, escrow_id: str) -> EscrowPage | None:
    """The open escrow with this id while the state holds it, or None."""

    def read(view: LedgerView) -> EscrowPage | None:
        found = view.escrow(escrow_id)
        return None if found is None else EscrowPage(found, view.asset(found.asset))

    return node.read(read)


def _summary(block: Block) -> BlockSummary:
    header = block.header
    return BlockSummary(
        header.height, block.hash, header.timestamp, header.tx_count, header.state_root
    )


def _assets(view: LedgerView, names: set[str]) -> dict[str, AssetClass]:
    found = {name: view.asset(name) for name in sorted(names)}
    return {name: asset for name, asset in found.items() if asset is not None}


def _record(tx: SignedTx) -> tuple[str, str] | None:
    opened = _OPENS.get(tx.unsigned.type)
    if opened is not None:
        return opened, tx.tx_id
    for field in _SETTLES:
        value = tx.unsigned.payload.get(field)
        if isinstance(value, str):
            return field, value
    return None
