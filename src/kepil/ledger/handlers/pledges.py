"""Pledges: encumber units to a pledgee, release them, or enforce (foreclose).

Pledged units leave the pledgor's free balance for an Encumbrance record, so no transfer, swap,
escrow or redemption can touch them; only release and enforce move them. Until `expires_at` the
pledgee alone may release, and may enforce. From `expires_at` on the pledge has lapsed: enforce
is refused and the pledgor (or the pledgee) may release. Nothing happens by itself at expiry, so
every node moves units only on a signed transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import Fields
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
from kepil.ledger.records import Encumbrance
from kepil.ledger.shapes import (
    AMOUNT,
    AssetId,
    Field,
    Hex64,
    Identifier,
    Integer,
    Obj,
    PayloadShape,
)
from kepil.ledger.statekeys import pledge_key
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import Role


@dataclass(frozen=True, slots=True)
class Encumber(Payload):
    """Pledge free units to a pledgee on terms (by hash) until an expiry."""

    TYPE: ClassVar[str] = "encumber"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "encumber",
        "Pledge free units to a pledgee on terms (by hash) until an expiry.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("pledgor", Identifier(), "whose units are pledged"),
                Field("pledgee", Identifier(), "an active participant with the pledgee role"),
                Field("amount", AMOUNT, "base units"),
                Field("terms_hash", Hex64("SHA-256 of the pledge agreement")),
                Field("expires_at", Integer(), "Unix time; still ahead at block time"),
            ),
            "pledgor and pledgee differ",
        ),
        ("pledgor", "pledgee"),
    )
    asset: str
    pledgor: str
    pledgee: str
    amount: int
    terms_hash: str
    expires_at: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a pledge strictly."""
        reader = Fields(data)
        payload = cls(
            reader.asset("asset"),
            reader.identifier("pledgor"),
            reader.identifier("pledgee"),
            reader.amount("amount"),
            reader.hex64("terms_hash"),
            reader.integer("expires_at"),
        )
        reader.done()
        return payload


def held_pledge(view: LedgerView, pledge_id: str) -> Encumbrance:
    """The encumbrance, or UNKNOWN_ENCUMBRANCE."""
    found = view.encumbrance(pledge_id)
    if found is None:
        raise Refusal(ReasonCode.UNKNOWN_ENCUMBRANCE, pledge_id)
    return found


class EncumberHandler(TxHandler[Encumber]):
    """Pledgor and pledgee both sign the pledge; its id is the transaction id."""

    payload_type = Encumber

    def check_static(self, payload: Encumber) -> None:
        """Nobody pledges to itself."""
        require_distinct(payload.pledgor, payload.pledgee)

    def authorise(self, payload: Encumber, signers: frozenset[str], view: LedgerView) -> None:
        """Pledgor and pledgee sign."""
        require_signers(signers, (payload.pledgor, payload.pledgee))

    def dynamic_validate(self, payload: Encumber, ctx: TxContext, view: LedgerView) -> None:
        """Free units, an active pledgee, an expiry still ahead."""
        known_asset(view, payload.asset)
        require_free_units(view, payload.pledgor, payload.asset, payload.amount)
        active_participant(view, payload.pledgee, Role.PLEDGEE)
        if payload.expires_at <= ctx.timestamp:
            raise Refusal(ReasonCode.PLEDGE_EXPIRED, "the expiry has already passed")

    def apply(self, payload: Encumber, ctx: TxContext, view: LedgerView) -> None:
        """Move the units from the free balance into the encumbrance."""
        view.debit(payload.pledgor, payload.asset, payload.amount)
        pledge = Encumbrance(
            ctx.tx_id,
            payload.pledgor,
            payload.pledgee,
            payload.asset,
            payload.amount,
            payload.terms_hash,
            payload.expires_at,
            ctx.timestamp,
        )
        view.put(pledge_key(ctx.tx_id), pledge)


@dataclass(frozen=True, slots=True)
class Release(Payload):
    """Release a pledge: the units return to the pledgor's free balance."""

    TYPE: ClassVar[str] = "release"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "release",
        "Release a pledge: the units return to the pledgor's free balance.",
        Obj((Field("pledge", Hex64("id of the encumber transaction")),)),
        ("the pledge's pledgee alone, or its pledgor alone once the pledge has expired",),
    )
    pledge: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a release strictly."""
        reader = Fields(data)
        payload = cls(reader.hex64("pledge"))
        reader.done()
        return payload


class ReleaseHandler(TxHandler[Release]):
    """The pledgee releases at any time; the pledgor only once the pledge has expired."""

    payload_type = Release

    def authorise(self, payload: Release, signers: frozenset[str], view: LedgerView) -> None:
        """One signer: the pledgee or the pledgor (which one may is decided at block time)."""
        pledge = held_pledge(view, payload.pledge)
        if signers not in ({pledge.pledgee}, {pledge.pledgor}):
            raise Refusal(ReasonCode.NOT_PLEDGEE)

    def dynamic_validate(self, payload: Release, ctx: TxContext, view: LedgerView) -> None:
        """A pledgor may release only a lapsed pledge."""
        pledge = held_pledge(view, payload.pledge)
        if ctx.signers == {pledge.pledgor} and ctx.timestamp < pledge.expires_at:
            raise Refusal(ReasonCode.PLEDGE_NOT_EXPIRED)

    def apply(self, payload: Release, ctx: TxContext, view: LedgerView) -> None:
        """Return the units to the pledgor and close the pledge."""
        pledge = held_pledge(view, payload.pledge)
        view.put(pledge_key(pledge.id), None)
        view.credit(pledge.pledgor, pledge.asset, pledge.amount)


@dataclass(frozen=True, slots=True)
class Enforce(Payload):
    """Foreclose: the pledgee takes pledged units, or has them delivered to a buyer."""

    TYPE: ClassVar[str] = "enforce"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "enforce",
        "Foreclose: the pledgee takes pledged units, or has them delivered to a buyer.",
        Obj(
            (
                Field("pledge", Hex64("id of the encumber transaction")),
                Field("amount", AMOUNT, "null: every pledged unit", nullable=True),
                Field("buyer", Identifier(), "null: the pledgee takes the units", nullable=True),
            )
        ),
        ("the pledge's pledgee",),
    )
    pledge: str
    amount: int | None = None  # None: all pledged units; the rest stays pledged
    buyer: str | None = None  # None: the pledgee takes the units itself

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an enforcement strictly."""
        reader = Fields(data)
        amount = None if reader.raw("amount") is None else reader.amount("amount")
        buyer = None if reader.raw("buyer") is None else reader.identifier("buyer")
        payload = cls(reader.hex64("pledge"), amount, buyer)
        reader.done()
        return payload


class EnforceHandler(TxHandler[Enforce]):
    """The pledgee forecloses before expiry, on the terms it and the pledgor signed."""

    payload_type = Enforce

    def authorise(self, payload: Enforce, signers: frozenset[str], view: LedgerView) -> None:
        """The pledgee signs."""
        pledge = held_pledge(view, payload.pledge)
        if signers != {pledge.pledgee}:
            raise Refusal(ReasonCode.NOT_PLEDGEE)

    def dynamic_validate(self, payload: Enforce, ctx: TxContext, view: LedgerView) -> None:
        """Not lapsed, no more than pledged, pledgor not frozen, the taker may hold."""
        pledge = held_pledge(view, payload.pledge)
        if ctx.timestamp >= pledge.expires_at:
            raise Refusal(ReasonCode.PLEDGE_EXPIRED)
        if (payload.amount or pledge.amount) > pledge.amount:
            raise Refusal(ReasonCode.INSUFFICIENT_UNITS)
        # A court's freeze of the pledgor's units outranks the pledgee's foreclosure.
        require_not_frozen(view, pledge.pledgor, pledge.asset)
        require_can_hold(view, payload.buyer or pledge.pledgee)

    def apply(self, payload: Enforce, ctx: TxContext, view: LedgerView) -> None:
        """Move the units to the taker; keep any remainder pledged."""
        pledge = held_pledge(view, payload.pledge)
        taken = payload.amount or pledge.amount
        left = pledge.amount - taken
        view.put(pledge_key(pledge.id), replace(pledge, amount=left) if left else None)
        view.credit(payload.buyer or pledge.pledgee, pledge.asset, taken)
