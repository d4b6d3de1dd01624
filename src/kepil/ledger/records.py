"""The records the ledger state holds, each with one JSON form (what is hashed and stored)."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, TypeVar

from kepil.ledger.vocab import (
    AssetKind,
    ParticipantStatus,
    PermitStatus,
    RightCategory,
    Role,
)

R = TypeVar("R", bound="Record")


class Record:
    """Base of state records: frozen dataclasses whose JSON form is derived from their fields."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (enums as their values, nested records as objects)."""
        return {f: _to_json(getattr(self, f)) for f in _field_types(type(self))}

    @classmethod
    def from_json(cls: type[R], data: dict[str, Any]) -> R:
        """Rebuild a record from its JSON form (trusted input: the node's own store)."""
        hints = _field_types(cls)
        return cls(**{name: _from_json(hint, data[name]) for name, hint in hints.items()})


_FIELD_TYPES: dict[type, dict[str, Any]] = {}


def _field_types(cls: type[Record]) -> dict[str, Any]:
    known = _FIELD_TYPES.get(cls)
    if known is None:
        hints = typing.get_type_hints(cls)
        known = {f.name: hints[f.name] for f in dataclasses.fields(cls)}
        _FIELD_TYPES[cls] = known
    return known


def _to_json(value: object) -> Any:
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, tuple):
        return [_to_json(item) for item in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


def _from_json(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin is types.UnionType:
        (inner,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
        return _from_json(inner, value)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_from_json(item, v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_json(value)
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return hint(value)
    return value


@dataclass(frozen=True, slots=True)
class NodeKey(Record):
    """A validator node's name and checkpoint key."""

    name: str
    key: str


@dataclass(frozen=True, slots=True)
class ChainMeta(Record):
    """What genesis fixed: the chain, the platform, its operator, the Ministry and the nodes."""

    chain_id: str
    platform: str
    operator: str
    # What genesis named as the Ministry's key and certificate (legacy, "" if none): kept as
    # genesis wrote them, trusted for nothing (the node's anchors and Ministry BIN are).
    ministry_key: str
    ministry_certificate: str
    nodes: tuple[NodeKey, ...]
    genesis_time: int


@dataclass(frozen=True, slots=True)
class Permit(Record):
    """The operator's permit to issue and circulate secured digital assets, as last declared."""

    number: str
    holder: str
    valid_from: int
    valid_until: int
    status: PermitStatus
    reference: str  # the Ministry's act behind the last status change, or "genesis"
    changed_at: int


@dataclass(frozen=True, slots=True)
class Participant(Record):
    """An admitted participant: IIN/BIN, current key, roles and access status."""

    id: str
    name: str
    key: str
    roles: tuple[Role, ...]
    status: ParticipantStatus
    admitted_at: int

    def has(self, role: Role) -> bool:
        """Whether the participant holds `role`."""
        return role in self.roles


@dataclass(frozen=True, slots=True)
class Agreement(Record):
    """The issuer agreement both the operator and the issuer signed (Order 407 §3)."""

    issuer: str
    operator: str
    agreement_hash: str
    signed_at: int
    tx_id: str


@dataclass(frozen=True, slots=True)
class Backing(Record):
    """A document backing an asset class, by SHA-256 (the document stays off-ledger)."""

    sha256: str
    title: str


@dataclass(frozen=True, slots=True)
class AssetClass(Record):
    """A class of secured digital assets defined by an issuer."""

    id: str
    issuer: str
    name: str
    kind: AssetKind
    right: RightCategory
    unit: str
    decimals: int  # amounts are integers of 10**-decimals units
    cap: int | None  # the most units outstanding at once, in base units
    backing: tuple[Backing, ...]
    defined_at: int


@dataclass(frozen=True, slots=True)
class Supply(Record):
    """Units of one asset class ever issued and ever redeemed (burned)."""

    issued: int
    redeemed: int

    @property
    def outstanding(self) -> int:
        """Units in existence now."""
        return self.issued - self.redeemed


@dataclass(frozen=True, slots=True)
class Encumbrance(Record):
    """Units pledged by a pledgor to a pledgee; they leave the pledgor's free balance."""

    id: str
    pledgor: str
    pledgee: str
    asset: str
    amount: int
    terms_hash: str
    expires_at: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Escrow(Record):
    """Units a seller locked for a buyer until a payment agent confirms the off-ledger payment."""

    id: str
    seller: str
    buyer: str
    agent: str
    asset: str
    amount: int
    price_amount: int  # in minor units of price_currency; informational, paid off-ledger
    price_currency: str
    payment_ref: str
    deadline: int
    created_at: int


@dataclass(frozen=True, slots=True)
class Redemption(Record):
    """Units a holder returned to the issuer for the goods or service; they were burned."""

    id: str
    holder: str
    issuer: str
    asset: str
    amount: int
    claim_ref: str | None
    at: int


@dataclass(frozen=True, slots=True)
class Freeze(Record):
    """An operator's freeze of a holder's units (all, or one asset class) on a legal basis."""

    holder: str
    asset: str | None
    legal_basis: str
    court_ref: str
    at: int


@dataclass(frozen=True, slots=True)
class SignatureRules(Record):
    """The last switch of signature rules: scheduled by the operator, or named by genesis.

    From `height` on, blocks are verified under `version`; before it, under version - 1. A chain
    that started under 1 and never switched has no such record, so its state roots are what they
    always were.
    """

    version: int
    height: int
    scheduled_at: int  # the height of the block that carried the schedule
