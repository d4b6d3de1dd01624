"""Movements: who gave units of which asset class to whom, per applied transaction.

A movement is an index row, not consensus data: it is derived from the block's applied
transactions, reading pledges and escrows from the state as the block found it and following
their changes within the block. `sender` and `recipient` are parties; None stands for the
mint (issue) or the burn (redeem). Locks name the party the units are locked for:

    issue             None -> recipient
    transfer          sender -> recipient       (forced_transfer: ref is the court reference)
    swap              a.party -> b.party, and b.party -> a.party (two movements)
    redeem            holder -> None            (burned; ref is the redemption id)
    encumber          pledgor -> pledgee        (pledged; ref is the pledge id)
    release           pledgee -> pledgor        (back to the pledgor's free units)
    enforce           pledgor -> buyer or pledgee (foreclosed)
    escrow_open       seller -> buyer           (locked for the buyer; ref is the escrow id)
    escrow_confirm    seller -> buyer           (delivered)
    escrow_refund     buyer -> seller           (returned)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Final

from kepil.ledger.block import Block
from kepil.ledger.build import PAYLOAD_TYPES
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen, EscrowRefund
from kepil.ledger.handlers.holdings import Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import Issue
from kepil.ledger.handlers.operator import ForcedTransfer
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release
from kepil.ledger.records import Encumbrance, Escrow
from kepil.ledger.statekeys import StateKey, Value, escrow_key, pledge_key


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement of units; `id` grows in chain order (0 until stored)."""

    height: int
    tx_index: int
    tx_id: str
    asset: str
    kind: str
    sender: str | None
    recipient: str | None
    amount: int
    ref: str | None = None
    id: int = 0

    def parties(self) -> set[str]:
        """The holders this movement concerns."""
        return {p for p in (self.sender, self.recipient) if p is not None}


_MOVING_TYPES: Final = frozenset(
    p.TYPE
    for p in (
        Issue, Transfer, ForcedTransfer, Swap, Redeem, Encumber, Release, Enforce,
        EscrowOpen, EscrowConfirm, EscrowRefund,
    )
)  # fmt: skip


class _Locks:
    """Pledges and escrows as the block sees them: the committed state, then in-block changes."""

    def __init__(self, read: Callable[[StateKey], Value | None]) -> None:
        self._read = read
        self._pledges: dict[str, Encumbrance | None] = {}
        self._escrows: dict[str, Escrow | None] = {}

    def pledge(self, pledge_id: str) -> Encumbrance:
        if pledge_id not in self._pledges:
            found = self._read(pledge_key(pledge_id))
            self._pledges[pledge_id] = found if isinstance(found, Encumbrance) else None
        pledge = self._pledges[pledge_id]
        if pledge is None:  # an applied release or enforce always found its pledge
            raise LookupError(f"pledge {pledge_id} is not in the state")
        return pledge

    def set_pledge(self, pledge_id: str, pledge: Encumbrance | None) -> None:
        self._pledges[pledge_id] = pledge

    def escrow(self, escrow_id: str) -> Escrow:
        if escrow_id not in self._escrows:
            found = self._read(escrow_key(escrow_id))
            self._escrows[escrow_id] = found if isinstance(found, Escrow) else None
        escrow = self._escrows[escrow_id]
        if escrow is None:
            raise LookupError(f"escrow {escrow_id} is not in the state")
        return escrow

    def set_escrow(self, escrow_id: str, escrow: Escrow | None) -> None:
        self._escrows[escrow_id] = escrow


def block_movements(block: Block, read: Callable[[StateKey], Value | None]) -> list[Movement]:
    """Every movement of the block's applied transactions, in order.

    `read` reads the committed state the block was executed on (before its changes).
    """
    height, txs = block.header.height, block.txs
    return [
        Movement(height, index, txs[index].tx_id, asset, kind, sender, recipient, amount, ref)
        for index, asset, kind, sender, recipient, amount, ref in block_moves(block, read)
    ]


def block_moves(block: Block, read: Callable[[StateKey], Value | None]) -> list[list[Any]]:
    """block_movements() as the block row stores them: [tx_index, asset, kind, sender,
    recipient, amount, ref] (no Movement objects on the commit's path)."""
    locks = _Locks(read)
    found: list[list[Any]] = []
    for index, (tx, result) in enumerate(zip(block.txs, block.results, strict=True)):
        if not result.ok or tx.type not in _MOVING_TYPES:
            continue
        if tx.type == Transfer.TYPE:  # the hot path; an applied transfer's payload is sound
            data = tx.unsigned.payload
            found.append(
                [index, data["asset"], Transfer.TYPE, data["sender"], data["recipient"],
                 data["amount"], None]
            )  # fmt: skip
        else:
            payload = PAYLOAD_TYPES[tx.type].parse(tx.unsigned.payload)
            for asset, kind, sender, recipient, amount, ref in _moves(payload, tx.tx_id, locks):
                found.append([index, asset, kind, sender, recipient, amount, ref])
    return found


_Move = tuple[str, str, str | None, str | None, int, str | None]


def _moves(payload: Any, tx_id: str, locks: _Locks) -> Iterator[_Move]:
    kind = payload.TYPE
    if isinstance(payload, Transfer):
        yield payload.asset, kind, payload.sender, payload.recipient, payload.amount, None
    elif isinstance(payload, Issue):
        yield payload.asset, kind, None, payload.recipient, payload.amount, None
    elif isinstance(payload, ForcedTransfer):
        forced = payload
        yield forced.asset, kind, forced.sender, forced.recipient, forced.amount, forced.court_ref
    elif isinstance(payload, Swap):
        yield payload.a.asset, kind, payload.a.party, payload.b.party, payload.a.amount, None
        yield payload.b.asset, kind, payload.b.party, payload.a.party, payload.b.amount, None
    elif isinstance(payload, Redeem):
        yield payload.asset, kind, payload.holder, None, payload.amount, tx_id
    elif isinstance(payload, Encumber):
        pledged = Encumbrance(
            tx_id, payload.pledgor, payload.pledgee, payload.asset, payload.amount, "", 0, 0
        )
        locks.set_pledge(tx_id, pledged)
        yield pledged.asset, kind, pledged.pledgor, pledged.pledgee, pledged.amount, tx_id
    elif isinstance(payload, Release):
        pledge = locks.pledge(payload.pledge)
        locks.set_pledge(pledge.id, None)
        yield pledge.asset, kind, pledge.pledgee, pledge.pledgor, pledge.amount, pledge.id
    elif isinstance(payload, Enforce):
        pledge = locks.pledge(payload.pledge)
        taken = payload.amount or pledge.amount
        left = pledge.amount - taken
        locks.set_pledge(pledge.id, replace(pledge, amount=left) if left else None)
        taker = payload.buyer or pledge.pledgee
        yield pledge.asset, kind, pledge.pledgor, taker, taken, pledge.id
    elif isinstance(payload, EscrowOpen):
        opened = Escrow(
            tx_id, payload.seller, payload.buyer, payload.agent, payload.asset, payload.amount,
            0, "", "", 0, 0,
        )  # fmt: skip
        locks.set_escrow(tx_id, opened)
        yield opened.asset, kind, opened.seller, opened.buyer, opened.amount, tx_id
    elif isinstance(payload, EscrowConfirm | EscrowRefund):
        escrow = locks.escrow(payload.escrow)
        locks.set_escrow(escrow.id, None)
        sender, recipient = (
            (escrow.seller, escrow.buyer)
            if isinstance(payload, EscrowConfirm)
            else (escrow.buyer, escrow.seller)
        )
        yield escrow.asset, kind, sender, recipient, escrow.amount, escrow.id
