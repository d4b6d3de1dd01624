"""Moving free units: transfer, swap (two legs, atomic) and redeem (back to the issuer, burned)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from kepil.ledger.fields import Fields
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import (
    known_asset,
    require_can_hold,
    require_distinct,
    require_free_units,
    require_signers,
)
from kepil.ledger.records import Record, Redemption
from kepil.ledger.shapes import AMOUNT, AssetId, Field, Identifier, Obj, PayloadShape, Text
from kepil.ledger.statekeys import redemption_key, supply_key
from kepil.ledger.view import LedgerView


@dataclass(frozen=True, slots=True)
class Transfer(Payload):
    """Move some or all of a holder's free units of an asset class to another holder."""

    TYPE: ClassVar[str] = "transfer"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "transfer",
        "Move free units of an asset class from the sender to another holder.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("sender", Identifier(), "who gives the units"),
                Field("recipient", Identifier(), "who receives them; not the sender"),
                Field("amount", AMOUNT, "base units"),
                Field("memo", Text(), required=False, nullable=True),
            )
        ),
        ("sender",),
    )
    asset: str
    sender: str
    recipient: str
    amount: int
    memo: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a transfer strictly."""
        reader = Fields(data)
        payload = cls(
            reader.asset("asset"),
            reader.identifier("sender"),
            reader.identifier("recipient"),
            reader.amount("amount"),
            reader.optional_text("memo"),
        )
        reader.done()
        return payload


class TransferHandler(TxHandler[Transfer]):
    """The sender signs; only free (unpledged, not escrowed, not frozen) units move."""

    payload_type = Transfer

    def check_static(self, payload: Transfer) -> None:
        """Sender and recipient differ."""
        require_distinct(payload.sender, payload.recipient)

    def authorise(self, payload: Transfer, signers: frozenset[str], view: LedgerView) -> None:
        """The sender signs."""
        require_signers(signers, (payload.sender,))

    def dynamic_validate(self, payload: Transfer, ctx: TxContext, view: LedgerView) -> None:
        """The asset exists, the sender has the free units, the recipient may hold."""
        known_asset(view, payload.asset)
        require_free_units(view, payload.sender, payload.asset, payload.amount)
        require_can_hold(view, payload.recipient)

    def apply(self, payload: Transfer, ctx: TxContext, view: LedgerView) -> None:
        """Debit the sender, credit the recipient."""
        view.debit(payload.sender, payload.asset, payload.amount)
        view.credit(payload.recipient, payload.asset, payload.amount)


@dataclass(frozen=True, slots=True)
class Leg(Record):
    """What one party of a swap gives."""

    party: str
    asset: str
    amount: int


_LEG = Obj((Field("party", Identifier()), Field("asset", AssetId()), Field("amount", AMOUNT)))


@dataclass(frozen=True, slots=True)
class Swap(Payload):
    """Two parties exchange units: leg `a` goes to b's party, leg `b` to a's, or nothing moves."""

    TYPE: ClassVar[str] = "swap"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "swap",
        "Two parties exchange units atomically: leg a goes to b's party, leg b to a's.",
        Obj(
            tuple(Field(name, _LEG, f"what party {name} gives") for name in ("a", "b")),
            "a.party and b.party differ",
        ),
        ("a.party", "b.party"),
    )
    a: Leg
    b: Leg

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a swap strictly."""
        reader = Fields(data)
        legs = []
        for name in ("a", "b"):
            leg = reader.nested(name)
            legs.append(Leg(leg.identifier("party"), leg.asset("asset"), leg.amount("amount")))
            leg.done()
        reader.done()
        return cls(legs[0], legs[1])


class SwapHandler(TxHandler[Swap]):
    """Both parties sign one transaction, so both legs apply or neither does."""

    payload_type = Swap

    def check_static(self, payload: Swap) -> None:
        """Two different parties."""
        require_distinct(payload.a.party, payload.b.party)

    def authorise(self, payload: Swap, signers: frozenset[str], view: LedgerView) -> None:
        """Both parties sign."""
        require_signers(signers, (payload.a.party, payload.b.party))

    def dynamic_validate(self, payload: Swap, ctx: TxContext, view: LedgerView) -> None:
        """Each party has its leg's free units and may hold the other's."""
        for giver, taker in ((payload.a, payload.b), (payload.b, payload.a)):
            known_asset(view, giver.asset)
            require_free_units(view, giver.party, giver.asset, giver.amount)
            require_can_hold(view, taker.party)

    def apply(self, payload: Swap, ctx: TxContext, view: LedgerView) -> None:
        """Move both legs."""
        for giver, taker in ((payload.a, payload.b), (payload.b, payload.a)):
            view.debit(giver.party, giver.asset, giver.amount)
            view.credit(taker.party, giver.asset, giver.amount)


@dataclass(frozen=True, slots=True)
class Redeem(Payload):
    """Return units to the issuer for the goods or service they certify; they are burned."""

    TYPE: ClassVar[str] = "redeem"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "redeem",
        "Return units to the issuer for the goods or service they certify; they are burned.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("holder", Identifier(), "who redeems"),
                Field("amount", AMOUNT, "base units"),
                Field(
                    "claim_ref",
                    Text(),
                    "the holder's delivery or service request, off-ledger",
                    required=False,
                    nullable=True,
                ),
            )
        ),
        ("holder",),
    )
    asset: str
    holder: str
    amount: int
    claim_ref: str | None = None  # the holder's delivery or service request, off-ledger

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a redemption strictly."""
        reader = Fields(data)
        payload = cls(
            reader.asset("asset"),
            reader.identifier("holder"),
            reader.amount("amount"),
            reader.optional_text("claim_ref"),
        )
        reader.done()
        return payload


class RedeemHandler(TxHandler[Redeem]):
    """The holder signs; the redemption is recorded and the asset's supply falls."""

    payload_type = Redeem

    def authorise(self, payload: Redeem, signers: frozenset[str], view: LedgerView) -> None:
        """The holder signs."""
        require_signers(signers, (payload.holder,))

    def dynamic_validate(self, payload: Redeem, ctx: TxContext, view: LedgerView) -> None:
        """The asset exists and the holder has the free units."""
        known_asset(view, payload.asset)
        require_free_units(view, payload.holder, payload.asset, payload.amount)

    def apply(self, payload: Redeem, ctx: TxContext, view: LedgerView) -> None:
        """Burn the units and record the redemption under the transaction id."""
        asset = known_asset(view, payload.asset)
        view.debit(payload.holder, payload.asset, payload.amount)
        supply = view.supply(payload.asset)
        view.put(
            supply_key(payload.asset), replace(supply, redeemed=supply.redeemed + payload.amount)
        )
        redemption = Redemption(
            ctx.tx_id,
            payload.holder,
            asset.issuer,
            payload.asset,
            payload.amount,
            payload.claim_ref,
            ctx.timestamp,
        )
        view.put(redemption_key(ctx.tx_id), redemption)
