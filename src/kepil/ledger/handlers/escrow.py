"""Escrow against an off-ledger e-money payment.

The seller locks units for a buyer and names a payment agent. Before the deadline the agent may
confirm the payment and the units go to the buyer. From the deadline on, confirmation is refused
and anyone active may submit `escrow_refund`: the units go back to the seller. Refunds are
transactions rather than a sweep at block time, so a node never scans for expired escrows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import (
    active_participant,
    known_asset,
    require_can_hold,
    require_distinct,
    require_free_units,
    require_not_frozen,
    require_signers,
)
from kepil.ledger.records import Escrow
from kepil.ledger.shapes import (
    AMOUNT,
    AssetId,
    Currency,
    Field,
    Hex64,
    Identifier,
    Integer,
    Obj,
    PayloadShape,
    Text,
)
from kepil.ledger.statekeys import escrow_key
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import Role

_CURRENCY_LENGTH = 3


@dataclass(frozen=True, slots=True)
class EscrowOpen(Payload):
    """Lock units for a buyer until a payment agent confirms the payment, or the deadline."""

    TYPE: ClassVar[str] = "escrow_open"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "escrow_open",
        "Lock units for a buyer until a payment agent confirms the payment, or the deadline.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("seller", Identifier(), "whose units are locked"),
                Field("buyer", Identifier(), "a participant who may hold units"),
                Field("agent", Identifier(), "a payment agent who confirms the payment"),
                Field("amount", AMOUNT, "base units"),
                Field("price_amount", AMOUNT, "minor units (tiyn for KZT)"),
                Field("price_currency", Currency(), "ISO 4217 code, e.g. KZT"),
                Field("payment_ref", Text(200), "the agent's reference of the payment"),
                Field("deadline", Integer(), "Unix time; still ahead at block time"),
            ),
            "seller, buyer and agent differ",
        ),
        ("seller",),
    )
    asset: str
    seller: str
    buyer: str
    agent: str
    amount: int
    price_amount: int  # minor units (tiyn for KZT); the e-money itself never enters the ledger
    price_currency: str
    payment_ref: str
    deadline: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an escrow opening strictly."""
        reader = Fields(data)
        payload = cls(
            reader.asset("asset"),
            reader.identifier("seller"),
            reader.identifier("buyer"),
            reader.identifier("agent"),
            reader.amount("amount"),
            reader.amount("price_amount"),
            reader.text("price_currency", _CURRENCY_LENGTH),
            reader.text("payment_ref", 200),
            reader.integer("deadline"),
        )
        reader.done()
        currency = payload.price_currency
        if len(currency) != _CURRENCY_LENGTH or not (currency.isascii() and currency.isupper()):
            raise malformed("price_currency must be an ISO 4217 code such as KZT")
        return payload


def open_escrow(view: LedgerView, escrow_id: str) -> Escrow:
    """The open escrow, or UNKNOWN_ESCROW (settled and refunded escrows are gone)."""
    found = view.escrow(escrow_id)
    if found is None:
        raise Refusal(ReasonCode.UNKNOWN_ESCROW, escrow_id)
    return found


class EscrowOpenHandler(TxHandler[EscrowOpen]):
    """The seller signs; the units leave its free balance for the escrow."""

    payload_type = EscrowOpen

    def check_static(self, payload: EscrowOpen) -> None:
        """Seller, buyer and agent are three different parties."""
        require_distinct(payload.seller, payload.buyer, payload.agent)

    def authorise(self, payload: EscrowOpen, signers: frozenset[str], view: LedgerView) -> None:
        """The seller signs."""
        require_signers(signers, (payload.seller,))

    def dynamic_validate(self, payload: EscrowOpen, ctx: TxContext, view: LedgerView) -> None:
        """Free units, a buyer that may hold, a registered payment agent, a future deadline."""
        known_asset(view, payload.asset)
        require_free_units(view, payload.seller, payload.asset, payload.amount)
        require_can_hold(view, payload.buyer)
        active_participant(view, payload.agent, Role.PAYMENT_AGENT)
        if payload.deadline <= ctx.timestamp:
            raise Refusal(ReasonCode.DEADLINE_IN_PAST)

    def apply(self, payload: EscrowOpen, ctx: TxContext, view: LedgerView) -> None:
        """Lock the units under the transaction id."""
        view.debit(payload.seller, payload.asset, payload.amount)
        escrow = Escrow(
            ctx.tx_id,
            payload.seller,
            payload.buyer,
            payload.agent,
            payload.asset,
            payload.amount,
            payload.price_amount,
            payload.price_currency,
            payload.payment_ref,
            payload.deadline,
            ctx.timestamp,
        )
        view.put(escrow_key(ctx.tx_id), escrow)


@dataclass(frozen=True, slots=True)
class EscrowConfirm(Payload):
    """The payment agent confirms the buyer paid; the units go to the buyer."""

    TYPE: ClassVar[str] = "escrow_confirm"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "escrow_confirm",
        "The payment agent confirms the buyer paid; the units go to the buyer.",
        Obj(
            (
                Field("escrow", Hex64("id of the escrow_open transaction")),
                Field("payment_ref", Text(200), "the escrow's payment reference, again"),
            )
        ),
        ("the escrow's payment agent",),
    )
    escrow: str
    payment_ref: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a confirmation strictly."""
        reader = Fields(data)
        payload = cls(reader.hex64("escrow"), reader.text("payment_ref", 200))
        reader.done()
        return payload


class EscrowConfirmHandler(TxHandler[EscrowConfirm]):
    """Only the named agent, still a payment agent, before the deadline."""

    payload_type = EscrowConfirm

    def authorise(self, payload: EscrowConfirm, signers: frozenset[str], view: LedgerView) -> None:
        """The escrow's payment agent signs."""
        if signers != {open_escrow(view, payload.escrow).agent}:
            raise Refusal(ReasonCode.NOT_ESCROW_AGENT)

    def dynamic_validate(self, payload: EscrowConfirm, ctx: TxContext, view: LedgerView) -> None:
        """Before the deadline, the agent still a payment agent, the same payment reference."""
        escrow = open_escrow(view, payload.escrow)
        if ctx.timestamp >= escrow.deadline:
            raise Refusal(ReasonCode.DEADLINE_PASSED)
        active_participant(view, escrow.agent, Role.PAYMENT_AGENT)
        if payload.payment_ref != escrow.payment_ref:
            raise Refusal(ReasonCode.PAYMENT_REF_MISMATCH)
        require_not_frozen(view, escrow.seller, escrow.asset)
        require_can_hold(view, escrow.buyer)

    def apply(self, payload: EscrowConfirm, ctx: TxContext, view: LedgerView) -> None:
        """Deliver the units to the buyer and close the escrow."""
        escrow = open_escrow(view, payload.escrow)
        view.put(escrow_key(escrow.id), None)
        view.credit(escrow.buyer, escrow.asset, escrow.amount)


@dataclass(frozen=True, slots=True)
class EscrowRefund(Payload):
    """Return an unconfirmed escrow's units to the seller once its deadline has come."""

    TYPE: ClassVar[str] = "escrow_refund"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "escrow_refund",
        "Return an unconfirmed escrow's units to the seller once its deadline has come.",
        Obj((Field("escrow", Hex64("id of the escrow_open transaction")),)),
        ("any one participant",),
    )
    escrow: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a refund strictly."""
        reader = Fields(data)
        payload = cls(reader.hex64("escrow"))
        reader.done()
        return payload


class EscrowRefundHandler(TxHandler[EscrowRefund]):
    """Any one active participant may submit it (the seller, the operator, a keeper)."""

    payload_type = EscrowRefund

    def authorise(self, payload: EscrowRefund, signers: frozenset[str], view: LedgerView) -> None:
        """One signer, whoever it is: the refund's effect is fixed by the escrow."""
        if len(signers) != 1:
            raise Refusal(ReasonCode.UNEXPECTED_SIGNER, "a refund has one signer")

    def dynamic_validate(self, payload: EscrowRefund, ctx: TxContext, view: LedgerView) -> None:
        """The deadline has come."""
        if ctx.timestamp < open_escrow(view, payload.escrow).deadline:
            raise Refusal(ReasonCode.DEADLINE_NOT_REACHED)

    def apply(self, payload: EscrowRefund, ctx: TxContext, view: LedgerView) -> None:
        """Return the units to the seller and close the escrow."""
        escrow = open_escrow(view, payload.escrow)
        view.put(escrow_key(escrow.id), None)
        view.credit(escrow.seller, escrow.asset, escrow.amount)
