"""Issuers: the agreement with the operator, asset class definitions, and issue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import MAX_AMOUNT, Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.rules import (
    active_participant,
    known_asset,
    operator_id,
    require_can_hold,
    require_signers,
)
from kepil.ledger.permits import require_permit_valid
from kepil.ledger.records import Agreement, AssetClass, Backing
from kepil.ledger.shapes import (
    AMOUNT,
    AssetId,
    Choice,
    Field,
    Hex64,
    Identifier,
    Integer,
    ListOf,
    Obj,
    PayloadShape,
    Text,
)
from kepil.ledger.statekeys import agreement_key, asset_key, supply_key
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import AssetKind, RightCategory, Role, right_refusal

MAX_DECIMALS = 18
MAX_BACKING = 32


@dataclass(frozen=True, slots=True)
class IssuerAgreement(Payload):
    """The operator and an issuer both sign the hash of their agreement (Order 407 §3)."""

    TYPE: ClassVar[str] = "issuer_agreement"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "issuer_agreement",
        "The operator and an issuer both sign the hash of their agreement (Order 407 §3).",
        Obj(
            (
                Field("issuer", Identifier(), "an active participant with the issuer role"),
                Field("agreement_hash", Hex64("SHA-256 of the signed agreement")),
            )
        ),
        ("operator", "issuer"),
    )
    issuer: str
    agreement_hash: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an issuer agreement strictly."""
        reader = Fields(data)
        payload = cls(reader.identifier("issuer"), reader.hex64("agreement_hash"))
        reader.done()
        return payload


class IssuerAgreementHandler(TxHandler[IssuerAgreement]):
    """Records (or replaces) an issuer's agreement."""

    payload_type = IssuerAgreement

    def authorise(
        self, payload: IssuerAgreement, signers: frozenset[str], view: LedgerView
    ) -> None:
        """The operator and the issuer both sign."""
        require_signers(signers, (operator_id(view), payload.issuer))

    def dynamic_validate(self, payload: IssuerAgreement, ctx: TxContext, view: LedgerView) -> None:
        """The issuer is active and holds the issuer role."""
        active_participant(view, payload.issuer, Role.ISSUER)

    def apply(self, payload: IssuerAgreement, ctx: TxContext, view: LedgerView) -> None:
        """Record the agreement."""
        agreement = Agreement(
            payload.issuer, operator_id(view), payload.agreement_hash, ctx.timestamp, ctx.tx_id
        )
        view.put(agreement_key(payload.issuer), agreement)


@dataclass(frozen=True, slots=True)
class DefineAsset(Payload):
    """Define a class of secured digital assets: what right it certifies and how it divides."""

    TYPE: ClassVar[str] = "define_asset"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "define_asset",
        "Define a class of secured digital assets: the right it certifies and how it divides.",
        Obj(
            (
                Field("asset", AssetId(), "a new asset class id"),
                Field("issuer", Identifier()),
                Field("name", Text()),
                Field("kind", Choice.of(AssetKind)),
                Field("right", Choice.of(RightCategory), "money, securities and the like refused"),
                Field("unit", Text(40), "e.g. tonne"),
                Field("decimals", Integer(0, MAX_DECIMALS)),
                Field("cap", Integer(1), "most units ever issued", required=False, nullable=True),
                Field(
                    "backing",
                    ListOf(
                        Obj(
                            (
                                Field("sha256", Hex64("SHA-256 of the document")),
                                Field("title", Text()),
                            )
                        ),
                        MAX_BACKING,
                    ),
                    "documents that back the asset",
                ),
            )
        ),
        ("issuer",),
    )
    asset: str
    issuer: str
    name: str
    kind: AssetKind
    right: RightCategory
    unit: str
    decimals: int
    cap: int | None
    backing: tuple[Backing, ...]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an asset class definition strictly."""
        reader = Fields(data)
        backing = []
        for index, item in enumerate(reader.array("backing", MAX_BACKING)):
            document = Fields(item, f"{reader.path('backing')}[{index}]")
            backing.append(Backing(document.hex64("sha256"), document.text("title")))
            document.done()
        payload = cls(
            reader.asset("asset"),
            reader.identifier("issuer"),
            reader.text("name"),
            reader.choice("kind", AssetKind),
            reader.choice("right", RightCategory),
            reader.text("unit", 40),
            reader.integer("decimals", 0, MAX_DECIMALS),
            reader.optional_integer("cap", 1, MAX_AMOUNT),
            tuple(backing),
        )
        reader.done()
        return payload


class DefineAssetHandler(TxHandler[DefineAsset]):
    """An issuer defines an asset class; money, securities, profit shares and management
    rights are refused with a code naming the prohibition."""

    payload_type = DefineAsset

    def check_static(self, payload: DefineAsset) -> None:
        """The right is permitted and fits the kind; at least one distinct backing document."""
        refusal = right_refusal(payload.kind, payload.right, payload.unit)
        if refusal is not None:
            raise Refusal(refusal, f"{payload.right} in {payload.unit}")
        if not payload.backing:
            raise Refusal(ReasonCode.BACKING_MISSING)
        hashes = [b.sha256 for b in payload.backing]
        if len(set(hashes)) != len(hashes):
            raise malformed("a backing document is listed twice")

    def authorise(self, payload: DefineAsset, signers: frozenset[str], view: LedgerView) -> None:
        """The issuer signs."""
        require_signers(signers, (payload.issuer,))

    def dynamic_validate(self, payload: DefineAsset, ctx: TxContext, view: LedgerView) -> None:
        """The issuer holds the role and the asset id is free."""
        active_participant(view, payload.issuer, Role.ISSUER)
        if view.asset(payload.asset) is not None:
            raise Refusal(ReasonCode.ASSET_EXISTS, payload.asset)

    def apply(self, payload: DefineAsset, ctx: TxContext, view: LedgerView) -> None:
        """Record the asset class."""
        asset = AssetClass(
            payload.asset,
            payload.issuer,
            payload.name,
            payload.kind,
            payload.right,
            payload.unit,
            payload.decimals,
            payload.cap,
            payload.backing,
            ctx.timestamp,
        )
        view.put(asset_key(payload.asset), asset)


@dataclass(frozen=True, slots=True)
class Issue(Payload):
    """Issue new units of an asset class to a holder (the issuer itself, or another)."""

    TYPE: ClassVar[str] = "issue"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "issue",
        "Issue new units of an asset class to a holder, while the operator's permit is in force.",
        Obj(
            (
                Field("asset", AssetId()),
                Field("recipient", Identifier(), "a participant who may hold units"),
                Field("amount", AMOUNT, "base units; the cap is kept"),
            )
        ),
        ("the asset class's issuer",),
    )
    asset: str
    recipient: str
    amount: int

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an issue strictly."""
        reader = Fields(data)
        payload = cls(
            reader.asset("asset"), reader.identifier("recipient"), reader.amount("amount")
        )
        reader.done()
        return payload


class IssueHandler(TxHandler[Issue]):
    """Issue: only the asset's issuer, under an agreement, while the operator's permit is valid."""

    payload_type = Issue

    def authorise(self, payload: Issue, signers: frozenset[str], view: LedgerView) -> None:
        """The asset's issuer signs (checked against the asset in dynamic validation)."""
        if len(signers) != 1:
            raise Refusal(ReasonCode.UNEXPECTED_SIGNER, "issue has one signer, the issuer")

    def dynamic_validate(self, payload: Issue, ctx: TxContext, view: LedgerView) -> None:
        """Permit in force, issuer's own asset, agreement signed, recipient may hold, cap kept."""
        require_permit_valid(view.permit(), ctx.timestamp)
        asset = known_asset(view, payload.asset)
        if ctx.signers != {asset.issuer}:
            raise Refusal(ReasonCode.NOT_ASSET_ISSUER)
        active_participant(view, asset.issuer, Role.ISSUER)
        if view.agreement(asset.issuer) is None:
            raise Refusal(ReasonCode.NO_AGREEMENT)
        require_can_hold(view, payload.recipient)
        outstanding = view.supply(payload.asset).outstanding + payload.amount
        if asset.cap is not None and outstanding > asset.cap:
            raise Refusal(ReasonCode.CAP_EXCEEDED)
        if view.supply(payload.asset).issued + payload.amount > MAX_AMOUNT:
            raise Refusal(ReasonCode.SUPPLY_OVERFLOW)

    def apply(self, payload: Issue, ctx: TxContext, view: LedgerView) -> None:
        """Credit the recipient and count the units as issued."""
        supply = view.supply(payload.asset)
        view.put(supply_key(payload.asset), replace(supply, issued=supply.issued + payload.amount))
        view.credit(payload.recipient, payload.asset, payload.amount)
