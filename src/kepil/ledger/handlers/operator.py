"""The operator's legal powers: freeze, unfreeze and forced transfer, each on a stated legal
basis with a court decision reference.

A freeze stops the holder disposing of the frozen units (transfer, swap, pledge, escrow,
redemption) and stops a pledgee foreclosing on them or an escrow delivering them; the holder may
still receive units. A forced transfer moves free units even from a frozen holder: executing a
court decision is what it is for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import Fields
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import (
    known_asset,
    known_participant,
    operator_id,
    require_can_hold,
    require_distinct,
    require_operator_signed,
)
from kepil.ledger.records import Freeze
from kepil.ledger.shapes import AMOUNT, AssetId, Field, Identifier, Obj, PayloadShape, Text
from kepil.ledger.statekeys import freeze_key
from kepil.ledger.view import LedgerView


def read_legal_basis(reader: Fields) -> tuple[str, str]:
    """The legal basis and the court decision reference, both required."""
    for key in ("legal_basis", "court_ref"):
        value = reader.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise Refusal(ReasonCode.LEGAL_BASIS_MISSING, key)
    return reader.text("legal_basis"), reader.text("court_ref", 200)


_LEGAL_BASIS = (
    Field("legal_basis", Text(), "the law the order rests on"),
    Field("court_ref", Text(200), "the court decision's reference"),
)


def _freeze_shape(type_name: str, title: str) -> PayloadShape:
    fields = (
        Field("holder", Identifier()),
        Field("asset", AssetId(), "null: every asset class", nullable=True),
        *_LEGAL_BASIS,
    )
    return PayloadShape(type_name, title, Obj(fields), ("operator",))


@dataclass(frozen=True, slots=True)
class FreezeOrder(Payload):
    """Freeze (or, as Unfreeze, lift the freeze of) a holder's units of one or all assets."""

    TYPE: ClassVar[str] = "freeze"
    SHAPE: ClassVar[PayloadShape] = _freeze_shape(
        "freeze", "Freeze a holder's units of one or all asset classes by a court's order."
    )
    holder: str
    asset: str | None  # None: every asset class
    legal_basis: str
    court_ref: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a freeze order strictly."""
        reader = Fields(data)
        holder = reader.identifier("holder")
        asset = None if reader.raw("asset") is None else reader.asset("asset")
        legal_basis, court_ref = read_legal_basis(reader)
        reader.done()
        return cls(holder, asset, legal_basis, court_ref)


@dataclass(frozen=True, slots=True)
class Unfreeze(FreezeOrder):
    """Lift a freeze of exactly this holder and asset scope."""

    TYPE: ClassVar[str] = "unfreeze"
    SHAPE: ClassVar[PayloadShape] = _freeze_shape(
        "unfreeze", "Lift a freeze of exactly that scope (one asset class, or all)."
    )


class FreezeHandler(TxHandler[FreezeOrder]):
    """The operator freezes units; the same scope cannot be frozen twice."""

    payload_type = FreezeOrder

    def authorise(self, payload: FreezeOrder, signers: frozenset[str], view: LedgerView) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(self, payload: FreezeOrder, ctx: TxContext, view: LedgerView) -> None:
        """A known holder, a known asset, not already frozen in this scope."""
        known_participant(view, payload.holder)
        if payload.asset is not None:
            known_asset(view, payload.asset)
        if view.freeze(payload.holder, payload.asset) is not None:
            raise Refusal(ReasonCode.ALREADY_FROZEN)

    def apply(self, payload: FreezeOrder, ctx: TxContext, view: LedgerView) -> None:
        """Record the freeze."""
        freeze = Freeze(
            payload.holder, payload.asset, payload.legal_basis, payload.court_ref, ctx.timestamp
        )
        view.put(freeze_key(payload.holder, payload.asset), freeze)


class UnfreezeHandler(TxHandler[FreezeOrder]):
    """The operator lifts a freeze it recorded."""

    payload_type = Unfreeze

    def authorise(self, payload: FreezeOrder, signers: frozenset[str], view: LedgerView) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(self, payload: FreezeOrder, ctx: TxContext, view: LedgerView) -> None:
        """That exact scope is frozen."""
        if view.freeze(payload.holder, payload.asset) is None:
            raise Refusal(ReasonCode.NOT_FROZEN)

    def apply(self, payload: FreezeOrder, ctx: TxContext, view: LedgerView) -> None:
        """Remove the freeze."""
        view.put(freeze_key(payload.holder, payload.asset), None)


@dataclass(frozen=True, slots=True)
class ForcedTransfer(Payload):
    """Move a holder's free units by order of a court, without the holder's signature."""

    TYPE: ClassVar[str] = "forced_transfer"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "forced_transfer",
        "Move a holder's free units by order of a court, without the holder's signature.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("sender", Identifier(), "whose units move"),
                Field("recipient", Identifier(), "not the sender"),
                Field("amount", AMOUNT, "base units"),
                *_LEGAL_BASIS,
            )
        ),
        ("operator",),
    )
    asset: str
    sender: str
    recipient: str
    amount: int
    legal_basis: str
    court_ref: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a forced transfer strictly."""
        reader = Fields(data)
        asset = reader.asset("asset")
        sender = reader.identifier("sender")
        recipient = reader.identifier("recipient")
        amount = reader.amount("amount")
        legal_basis, court_ref = read_legal_basis(reader)
        reader.done()
        return cls(asset, sender, recipient, amount, legal_basis, court_ref)


class ForcedTransferHandler(TxHandler[ForcedTransfer]):
    """The operator moves free units; pledged and escrowed units stay where they are."""

    payload_type = ForcedTransfer

    def check_static(self, payload: ForcedTransfer) -> None:
        """Sender and recipient differ."""
        require_distinct(payload.sender, payload.recipient)

    def authorise(self, payload: ForcedTransfer, signers: frozenset[str], view: LedgerView) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(self, payload: ForcedTransfer, ctx: TxContext, view: LedgerView) -> None:
        """The holder has the free units (a freeze does not stop this); the recipient may hold."""
        known_asset(view, payload.asset)
        if view.balance(payload.sender, payload.asset) < payload.amount:
            raise Refusal(ReasonCode.INSUFFICIENT_UNITS)
        if payload.recipient != operator_id(view):
            require_can_hold(view, payload.recipient)

    def apply(self, payload: ForcedTransfer, ctx: TxContext, view: LedgerView) -> None:
        """Debit the holder, credit the recipient."""
        view.debit(payload.sender, payload.asset, payload.amount)
        view.credit(payload.recipient, payload.asset, payload.amount)
