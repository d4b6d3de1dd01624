"""The contract of a transaction type: static validation, dynamic validation, apply.

One handler per type, registered by type name (after Hyperledger Indy Plenum's request handlers).
static_validate needs no state, so it may run anywhere and in any order; dynamic_validate reads
the state at block time and raises Refusal; apply only writes and must not refuse.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Self, TypeVar, cast

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.records import Record
from kepil.ledger.tx import SignedTx
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import ParticipantStatus


class Payload(Record):
    """Base of typed payloads: the builder's input and the parsed form of a body's payload."""

    __slots__ = ()
    TYPE: ClassVar[str]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a payload strictly from JSON, or raise Refusal."""
        raise NotImplementedError


P = TypeVar("P", bound=Payload)


@dataclass(frozen=True, slots=True)
class TxContext:
    """Where a transaction executes: its id, its signers, and the block it is in."""

    tx_id: str
    chain_id: str
    height: int
    timestamp: int
    signers: frozenset[str]


class TxHandler(ABC, Generic[P]):
    """Validates and applies one transaction type."""

    payload_type: type[Payload]
    needs_chain: ClassVar[bool] = True  # False only for genesis, which creates the chain

    @property
    def type_name(self) -> str:
        """The type name this handler is registered under."""
        return self.payload_type.TYPE

    def static_validate(self, tx: SignedTx) -> P:
        """Check the payload's shape and every rule that needs no state; return it parsed."""
        payload = cast(P, self.payload_type.parse(tx.unsigned.payload))
        self.check_static(payload)
        return payload

    def check_static(self, payload: P) -> None:
        """Rules on the parsed payload alone (none by default)."""

    def signer_key(self, signer: str, payload: P, view: LedgerView) -> str:
        """The key `signer` must have signed with; refuse unknown or inactive signers."""
        participant = view.participant(signer)
        if participant is None:
            raise Refusal(ReasonCode.UNKNOWN_SIGNER, signer)
        if participant.status is not ParticipantStatus.ACTIVE:
            raise Refusal(ReasonCode.SIGNER_INACTIVE, signer)
        return participant.key

    def admission_check(self, payload: P, signers: frozenset[str], view: LedgerView) -> None:
        """What a node refuses before a transaction reaches the log (nothing by default: the
        block decides). A type only the newest software knows overrides it, since old nodes
        refuse it as unknown_type where new ones run it, and only the party meant to start
        that split must be able to."""

    @abstractmethod
    def authorise(self, payload: P, signers: frozenset[str], view: LedgerView) -> None:
        """Refuse unless exactly the parties this payload needs have signed."""

    @abstractmethod
    def dynamic_validate(self, payload: P, ctx: TxContext, view: LedgerView) -> None:
        """Check the payload against the state at block time; raise Refusal."""

    @abstractmethod
    def apply(self, payload: P, ctx: TxContext, view: LedgerView) -> None:
        """Write the transaction's effect; called only after dynamic_validate passed."""


class Registry:
    """Handlers by type name."""

    def __init__(self, handlers: Iterable[TxHandler[Any]]) -> None:
        """Register `handlers`; two handlers for one type name are a programming error."""
        self._handlers: dict[str, TxHandler[Any]] = {}
        for handler in handlers:
            if handler.type_name in self._handlers:
                raise ValueError(f"two handlers for {handler.type_name!r}")
            self._handlers[handler.type_name] = handler

    def get(self, type_name: str) -> TxHandler[Any] | None:
        """The handler for `type_name`, or None."""
        return self._handlers.get(type_name)

    def names(self) -> list[str]:
        """Every registered type name, sorted."""
        return sorted(self._handlers)
