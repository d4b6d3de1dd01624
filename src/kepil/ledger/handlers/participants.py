"""Access to the platform: the operator admits, suspends, reinstates and revokes participants;
keys are rotated by their holder or by the operator."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Self

from kepil.ledger.codes import ReasonCode, Refusal
from kepil.ledger.fields import Fields, malformed
from kepil.ledger.handler import Payload, TxContext, TxHandler
from kepil.ledger.handlers.genesis import read_roles
from kepil.ledger.handlers.rules import (
    known_participant,
    operator_id,
    require_operator_signed,
    require_signers,
)
from kepil.ledger.records import Participant
from kepil.ledger.shapes import Field, Hex64, Identifier, Obj, PayloadShape, Text, roles
from kepil.ledger.statekeys import participant_key
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import ParticipantStatus, Role


@dataclass(frozen=True, slots=True)
class Admit(Payload):
    """Admit a participant: bind an IIN/BIN to a key and roles."""

    TYPE: ClassVar[str] = "admit"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "admit",
        "Admit a participant: bind an IIN/BIN to an Ed25519 key and roles.",
        Obj(
            (
                Field("participant", Identifier(), "not yet on the platform"),
                Field("name", Text()),
                Field("key", Hex64("Ed25519 public key")),
                Field("roles", roles(1)),
            )
        ),
        ("operator",),
    )
    participant: str
    name: str
    key: str
    roles: tuple[Role, ...]

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read an admission strictly."""
        reader = Fields(data)
        payload = cls(
            reader.identifier("participant"),
            reader.text("name"),
            reader.hex64("key"),
            read_roles(reader),
        )
        reader.done()
        if not payload.roles:
            raise malformed("payload.roles needs at least one role")
        return payload


class AdmitHandler(TxHandler[Admit]):
    """The operator admits a participant it has identified."""

    payload_type = Admit

    def authorise(self, payload: Admit, signers: frozenset[str], view: LedgerView) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(self, payload: Admit, ctx: TxContext, view: LedgerView) -> None:
        """The IIN/BIN is not yet on the platform (a revoked one never returns)."""
        if view.participant(payload.participant) is not None:
            raise Refusal(ReasonCode.PARTICIPANT_EXISTS, payload.participant)

    def apply(self, payload: Admit, ctx: TxContext, view: LedgerView) -> None:
        """Record the participant as active."""
        participant = Participant(
            payload.participant,
            payload.name,
            payload.key,
            payload.roles,
            ParticipantStatus.ACTIVE,
            ctx.timestamp,
        )
        view.put(participant_key(payload.participant), participant)


def _status_shape(type_name: str, title: str) -> PayloadShape:
    fields = (
        Field("participant", Identifier(), "not the operator"),
        Field("basis", Text(), "why, as the operator's records state it"),
    )
    return PayloadShape(type_name, title, Obj(fields), ("operator",))


@dataclass(frozen=True, slots=True)
class StatusChange(Payload):
    """Change a participant's access on a stated basis."""

    TYPE: ClassVar[str] = ""
    participant: str
    basis: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a status change strictly."""
        reader = Fields(data)
        payload = cls(reader.identifier("participant"), reader.text("basis"))
        reader.done()
        return payload


@dataclass(frozen=True, slots=True)
class Suspend(StatusChange):
    """Suspend an active participant: it can neither sign nor receive units."""

    TYPE: ClassVar[str] = "suspend"
    SHAPE: ClassVar[PayloadShape] = _status_shape(
        "suspend", "Suspend an active participant: it can neither sign nor receive units."
    )


@dataclass(frozen=True, slots=True)
class Reinstate(StatusChange):
    """Lift a suspension."""

    TYPE: ClassVar[str] = "reinstate"
    SHAPE: ClassVar[PayloadShape] = _status_shape("reinstate", "Lift a participant's suspension.")


@dataclass(frozen=True, slots=True)
class Revoke(StatusChange):
    """Revoke a participant's access for good; its units stay where they are."""

    TYPE: ClassVar[str] = "revoke"
    SHAPE: ClassVar[PayloadShape] = _status_shape(
        "revoke", "Revoke a participant's access for good; its units stay where they are."
    )


_TRANSITIONS: dict[str, tuple[frozenset[ParticipantStatus], ParticipantStatus]] = {
    Suspend.TYPE: (frozenset({ParticipantStatus.ACTIVE}), ParticipantStatus.SUSPENDED),
    Reinstate.TYPE: (frozenset({ParticipantStatus.SUSPENDED}), ParticipantStatus.ACTIVE),
    Revoke.TYPE: (
        frozenset({ParticipantStatus.ACTIVE, ParticipantStatus.SUSPENDED}),
        ParticipantStatus.REVOKED,
    ),
}


class StatusChangeHandler(TxHandler[StatusChange]):
    """Suspend, reinstate or revoke: one handler per payload type, same rules."""

    def __init__(self, payload_type: type[StatusChange]) -> None:
        """Handle `payload_type` (Suspend, Reinstate or Revoke)."""
        self.payload_type = payload_type
        self._allowed_from, self._to = _TRANSITIONS[payload_type.TYPE]

    def authorise(self, payload: StatusChange, signers: frozenset[str], view: LedgerView) -> None:
        """The operator signs."""
        require_operator_signed(signers, view)

    def dynamic_validate(self, payload: StatusChange, ctx: TxContext, view: LedgerView) -> None:
        """The participant exists, is not the operator, and may move to the new status."""
        found = known_participant(view, payload.participant)
        if payload.participant == operator_id(view):
            raise Refusal(ReasonCode.OPERATOR_PROTECTED)
        if found.status not in self._allowed_from:
            raise Refusal(ReasonCode.BAD_PARTICIPANT_TRANSITION, f"it is {found.status}")

    def apply(self, payload: StatusChange, ctx: TxContext, view: LedgerView) -> None:
        """Record the new status."""
        found = known_participant(view, payload.participant)
        view.put(participant_key(payload.participant), replace(found, status=self._to))


@dataclass(frozen=True, slots=True)
class RotateKey(Payload):
    """Replace a participant's key."""

    TYPE: ClassVar[str] = "rotate_key"
    SHAPE: ClassVar[PayloadShape] = PayloadShape(
        "rotate_key",
        "Replace a participant's key.",
        Obj(
            (
                Field("participant", Identifier()),
                Field("new_key", Hex64("Ed25519 public key"), "differs from the current key"),
            )
        ),
        ("participant, or else the operator alone",),
    )
    participant: str
    new_key: str

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Self:
        """Read a key rotation strictly."""
        reader = Fields(data)
        payload = cls(reader.identifier("participant"), reader.hex64("new_key"))
        reader.done()
        return payload


class RotateKeyHandler(TxHandler[RotateKey]):
    """The participant (with its current key) or the operator (a lost key) rotates a key."""

    payload_type = RotateKey

    def authorise(self, payload: RotateKey, signers: frozenset[str], view: LedgerView) -> None:
        """The participant alone, or the operator alone, signs."""
        if signers != {payload.participant}:
            require_signers(signers, (operator_id(view),))

    def dynamic_validate(self, payload: RotateKey, ctx: TxContext, view: LedgerView) -> None:
        """The participant is not revoked and the key really changes."""
        found = known_participant(view, payload.participant)
        if found.status is ParticipantStatus.REVOKED:
            raise Refusal(ReasonCode.PARTICIPANT_INACTIVE, payload.participant)
        if found.key == payload.new_key:
            raise Refusal(ReasonCode.SAME_KEY)

    def apply(self, payload: RotateKey, ctx: TxContext, view: LedgerView) -> None:
        """Record the new key."""
        found = known_participant(view, payload.participant)
        view.put(participant_key(payload.participant), replace(found, key=payload.new_key))
