"""Blocks: a proposal is executed into a block with results and a state root; a follower
re-executes a block and must reach the same results and root.

txs_hash commits to every transaction, its signatures and its result: SHA-256 over one line per
transaction, "tx_id|result|by:key:sig,..." with signatures sorted by signer. Every field is hex,
digits, a reason code or "ministry", so "|", ":" and "," cannot occur inside one. The block hash
is SHA-256 of the header's RFC 8785 bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from kepil.domain.canonical import canonical_bytes
from kepil.ledger.codes import ReasonCode
from kepil.ledger.executor import Executor
from kepil.ledger.fields import is_identifier
from kepil.ledger.sigrules import NOT_CHECKED, rules_at
from kepil.ledger.state import ChainHead, ChangeSet, Prefetching, StateReader
from kepil.ledger.statekeys import StateKey, balance_key, nonce_key, participant_key
from kepil.ledger.tx import MINISTRY, SignedTx, decode_tx
from kepil.ledger.view import LedgerView

GENESIS_PREVIOUS: Final = "0" * 64
OK: Final = "ok"


class BlockRejected(Exception):  # noqa: N818 - names the outcome, like Refusal
    """A proposal that cannot follow the current head (height, previous hash, time, genesis)."""


class BlockMismatch(Exception):  # noqa: N818
    """Re-executing a block gave other results or another state root than it claims."""


@dataclass(frozen=True, slots=True)
class BlockProposal:
    """Transactions ordered for the next height, with the block's timestamp (unix seconds)."""

    height: int
    previous_hash: str
    timestamp: int
    txs: tuple[SignedTx, ...]


@dataclass(frozen=True, slots=True)
class TxResult:
    """The outcome of one transaction in a block: applied, or refused with a reason code."""

    tx_id: str
    reason: ReasonCode | None

    @property
    def ok(self) -> bool:
        """Whether the transaction applied."""
        return self.reason is None

    @property
    def code(self) -> str:
        """ "ok" or the reason code, as blocks record it."""
        return OK if self.reason is None else self.reason.value

    @classmethod
    def from_code(cls, tx_id: str, code: str) -> TxResult:
        """The result a block records as `code` ("ok" or a reason code)."""
        return cls(tx_id, None if code == OK else ReasonCode(code))


@dataclass(frozen=True, slots=True)
class BlockHeader:
    """What a block hash covers."""

    chain_id: str
    height: int
    previous_hash: str
    timestamp: int
    tx_count: int
    txs_hash: str
    state_root: str

    def to_json(self) -> dict[str, Any]:
        """The header as a JSON object."""
        return {
            "chain_id": self.chain_id,
            "height": self.height,
            "previous_hash": self.previous_hash,
            "timestamp": self.timestamp,
            "tx_count": self.tx_count,
            "txs_hash": self.txs_hash,
            "state_root": self.state_root,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BlockHeader:
        """Rebuild a header from to_json's object (trusted input: a store or a checked peer)."""
        return cls(
            data["chain_id"],
            data["height"],
            data["previous_hash"],
            data["timestamp"],
            data["tx_count"],
            data["txs_hash"],
            data["state_root"],
        )

    def block_hash(self) -> str:
        """SHA-256 hex of the header's canonical bytes."""
        return hashlib.sha256(canonical_bytes(self.to_json())).hexdigest()


@dataclass(frozen=True, slots=True)
class Block:
    """A header, its hash, and the transactions with their results, in order."""

    header: BlockHeader
    hash: str
    txs: tuple[SignedTx, ...]
    results: tuple[TxResult, ...]

    def head(self) -> ChainHead:
        """The chain head this block makes."""
        h = self.header
        return ChainHead(h.height, self.hash, h.timestamp, h.state_root)

    def to_json(self) -> dict[str, Any]:
        """The block as a JSON object (for storage and peers)."""
        return {
            "header": self.header.to_json(),
            "hash": self.hash,
            "txs": [tx.to_json() for tx in self.txs],
            "results": [r.code for r in self.results],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        """Rebuild a block from to_json's object; raise ValueError when it does not hold together.

        Transactions are decoded strictly (decode_tx raises Refusal on a malformed envelope);
        the hash must be the header's. Results are not re-executed here: replay_block does that.
        """
        header = BlockHeader.from_json(data["header"])
        txs = tuple(decode_tx(tx) for tx in data["txs"])
        codes = data["results"]
        if len(codes) != len(txs) or header.tx_count != len(txs):
            raise ValueError(f"block {header.height}: {len(txs)} txs, {len(codes)} results")
        results = tuple(TxResult.from_code(tx.tx_id, c) for tx, c in zip(txs, codes, strict=True))
        if data["hash"] != header.block_hash():
            raise ValueError(f"block {header.height}: the hash is not the header's")
        return cls(header, data["hash"], txs, results)


@dataclass(frozen=True, slots=True)
class BlockOutcome:
    """An executed block and the state changes to commit with it."""

    block: Block
    changes: ChangeSet


def txs_hash(txs: Sequence[SignedTx], results: Sequence[TxResult]) -> str:
    """The commitment to a block's transactions, signatures and results."""
    digest = hashlib.sha256()
    for tx, result in zip(txs, results, strict=True):
        sigs = ",".join(f"{s.by}:{s.key}:{s.sig}" for s in sorted(tx.sigs, key=lambda s: s.by))
        digest.update(f"{tx.tx_id}|{result.code}|{sigs}\n".encode())
    return digest.hexdigest()


def envelope_keys(txs: Sequence[SignedTx]) -> list[StateKey]:
    """Keys a block's transactions are likely to read: signers' nonces, participants, balances.

    The signers' nonces and records are what every envelope check reads; the IIN/BINs a
    payload names at its top level (sender, recipient, holder...) are participants too, with
    their balances of the payload's asset. A store on disk reads them all in one query before
    the block runs instead of one query each; a key listed but never read costs only a row.
    """
    keys: list[StateKey] = []
    for tx in txs:
        unsigned = tx.unsigned
        for signer in unsigned.nonces:
            keys.append(nonce_key(signer))
        named = {signer for signer in unsigned.nonces if signer != MINISTRY}
        named.update(
            value
            for value in unsigned.payload.values()
            if type(value) is str and is_identifier(value)
        )
        asset = unsigned.payload.get("asset")
        for party in named:
            keys.append(participant_key(party))
            if type(asset) is str:
                keys.append(balance_key(party, asset))
    return keys


def apply_block(
    state: StateReader,
    proposal: BlockProposal,
    executor: Executor,
    signatures_checked: Sequence[int] | None = None,
) -> BlockOutcome:
    """Execute a proposal on top of `state`; `state` itself is not changed.

    The block's signatures are verified under the signature rules in force at its height
    (sigrules.py). `signatures_checked[i]` is the rules version the caller already verified
    proposal.txs[i]'s signatures under (say, in a worker pool) with signatures_valid, 0 for
    none (True counts as version 1). Those verified under a later version than the block's,
    and those not verified, are verified here.
    """
    _check_attachment(state.head(), proposal, executor.chain_id)
    if isinstance(state, Prefetching):
        state.prefetch(envelope_keys(proposal.txs))
    checked = signatures_checked or [NOT_CHECKED] * len(proposal.txs)
    view = LedgerView(state)
    # Fixed by the state before the block: a schedule activates at least MIN_RULES_NOTICE later,
    # and rules a genesis names from the block after it.
    rules = block_rules(state, proposal.height)
    height, timestamp = proposal.height, proposal.timestamp
    results = tuple(
        TxResult(tx.tx_id, executor.execute(tx, view, height, timestamp, done, rules))
        for tx, done in zip(proposal.txs, checked, strict=True)
    )
    if proposal.height == 0 and (not results or not results[0].ok):
        reason = results[0].code if results else "no transactions"
        raise BlockRejected(f"the genesis block's first transaction must apply ({reason})")
    changes = view.changes()
    header = BlockHeader(
        executor.chain_id,
        proposal.height,
        proposal.previous_hash,
        proposal.timestamp,
        len(proposal.txs),
        txs_hash(proposal.txs, results),
        changes.state_root,
    )
    block = Block(header, header.block_hash(), proposal.txs, results)
    return BlockOutcome(block, changes)


def block_rules(state: StateReader, height: int) -> int:
    """The signature rules version a block at `height` on top of `state` is verified under."""
    return rules_at(LedgerView(state).signature_rules(), height)


def preverify_rules(state: StateReader) -> int:
    """The rules to pre-verify with before a transaction's block is known (admission and its
    worker pool): those of the next height, since a later block is only ever under
    the same or a later version, and a later version accepts all an earlier one does. A check
    under a version the block turns out not to have is redone by apply_block."""
    head = state.head()
    return block_rules(state, 0 if head is None else head.height + 1)


def replay_block(state: StateReader, block: Block, executor: Executor) -> BlockOutcome:
    """Re-execute a block received from a peer; raise BlockMismatch unless it is reproduced."""
    header = block.header
    if header.chain_id != executor.chain_id:
        raise BlockMismatch(f"block of chain {header.chain_id!r}")
    proposal = BlockProposal(header.height, header.previous_hash, header.timestamp, block.txs)
    outcome = apply_block(state, proposal, executor)
    mine = outcome.block
    if mine.results != block.results:
        differing = [
            (theirs.tx_id, theirs.code, ours.code)
            for theirs, ours in zip(block.results, mine.results, strict=True)
            if theirs != ours
        ]
        raise BlockMismatch(f"results differ at height {header.height}: {differing[:5]}")
    if mine.header != header or mine.hash != block.hash:
        raise BlockMismatch(
            f"height {header.height}: state root {mine.header.state_root} "
            f"against {header.state_root}, hash {mine.hash} against {block.hash}"
        )
    return outcome


def _check_attachment(head: ChainHead | None, proposal: BlockProposal, chain_id: str) -> None:
    if head is None:
        if proposal.height != 0 or proposal.previous_hash != GENESIS_PREVIOUS:
            raise BlockRejected(f"chain {chain_id!r} starts with height 0 after {GENESIS_PREVIOUS}")
        return
    if proposal.height != head.height + 1:
        raise BlockRejected(f"height {proposal.height} does not follow {head.height}")
    if proposal.previous_hash != head.block_hash:
        raise BlockRejected(f"previous hash {proposal.previous_hash} is not {head.block_hash}")
    if proposal.timestamp < head.timestamp:
        raise BlockRejected(f"timestamp {proposal.timestamp} is before {head.timestamp}")
