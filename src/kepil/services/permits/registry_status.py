"""Rules §11: the head suspends, reinstates or revokes a permit by an EDS-signed decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from kepil.domain.auth import Principal
from kepil.domain.permits import Actor, PermitRole
from kepil.domain.registry import (
    RegistryEntry,
    RegistryStatus,
    RegistryStatusChangeNotAllowedError,
)
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.context import PermitContext
from kepil.services.permits.events import PermitStatusChanged
from kepil.services.permits.officials import actor_for
from kepil.services.permits.signed_acts import use_act, verify_act
from kepil.services.unit_of_work import UnitOfWork

# The signed content names the document type so a platform node can recognise it (the bridge).
DOCUMENT_TYPE = "permit_status_change"
_TARGETS = {
    "suspend": RegistryStatus.SUSPENDED,
    "reinstate": RegistryStatus.ACTIVE,
    "revoke": RegistryStatus.REVOKED,
}


@dataclass(frozen=True, slots=True)
class ChangePermitStatus(Command[RegistryEntry]):
    """Apply a signed `permit_status_change` document to a registry entry."""

    principal: Principal
    registry_number: str
    signed_change: bytes


@dataclass(frozen=True, slots=True)
class StatusChangeAct:
    """What a signed status change says: what to do with the entry and the legal reason."""

    action: str
    reason: str
    permit_number: str


def change_permit_status(
    command: ChangePermitStatus, uow: UnitOfWork, context: PermitContext
) -> RegistryEntry:
    """Verify the head's signature and the stated legal reason; record it in the history."""
    now = context.clock.now()
    act = verify_act(
        command.signed_change,
        command.principal,
        context.verifier,
        now,
        lambda content: read_status_change(content, command.registry_number),
        "decision",
    )
    change = act.payload
    with uow:
        actor = actor_for(act.signer, frozenset({PermitRole.HEAD}), uow, now)
        entry = uow.registry.get(command.registry_number)
        if entry is None:
            raise NotFoundError("not_found", f"no registry entry {command.registry_number}")
        if change.permit_number != entry.permit_number:
            # The platforms know the permit by its number, not the registry's: a change naming
            # another permit would be applied to that permit's platform (services/bridge).
            raise InvalidInputError(
                "decision_for_another_permit",
                f"the signed decision names permit {change.permit_number}, "
                f"not {entry.permit_number}",
            )
        try:
            updated = entry.change_status(
                _TARGETS[change.action], change.reason, public_actor(actor), now
            )
        except RegistryStatusChangeNotAllowedError as error:
            raise ConflictError("status_change_not_allowed", str(error)) from None
        uow.registry.save_status(updated, updated.history[-1])
        result = f"{change.action} of {entry.registry_number}"
        use_act(uow, act, "status change", result, now)
        # After use_act: a captured decision sent again is told it was used, not that it is old.
        signed_at = _signing_order(
            act.signing_time, uow.platforms.last_signed_at(entry.permit_number)
        )
        uow.emit(
            PermitStatusChanged(
                updated,
                change.action,
                change.reason,
                actor.iin,
                now,
                act.content,
                act.cms,
                signed_at,
            )
        )
        uow.commit()
        return updated


def _signing_order(signing_time: datetime | None, last: int | None) -> int:
    """The decision's signing moment in unix seconds, if later than the permit's last recorded
    change's: a platform's ledger applies the Ministry's changes in signing order (the
    "ministry" nonce), so one signed earlier would be refused there as a replay."""
    if signing_time is None:
        raise InvalidInputError(
            "signing_time_required",
            "the signed decision carries no signing time: the platforms apply the Ministry's "
            "changes in the order they were signed",
        )
    moment = int(signing_time.timestamp())
    if last is not None and moment <= last:
        raise ConflictError(
            "decision_signed_before_last_change",
            f"the decision was signed at {_utc(moment)}, not after the permit's last recorded "
            f"change (signed at {_utc(last)}); the platforms apply changes in signing order, "
            "so sign the decision again now",
        )
    return moment


def _utc(moment: int) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def public_actor(actor: Actor) -> str:
    """How the public registry names who decided: the role and the position, never an IIN."""
    return f"{actor.role}: {actor.position}" if actor.position else str(actor.role)


def read_status_change(content: bytes, registry_number: str) -> StatusChangeAct:
    """The signed bytes as a `permit_status_change` document about `registry_number`, with its
    legal reason and the permit's number (what the platforms' nodes check it against)."""
    try:
        change = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        change = None
    if not isinstance(change, dict) or change.get("document_type") != DOCUMENT_TYPE:
        raise InvalidInputError(
            "invalid_decision", f"the signed content must be a {DOCUMENT_TYPE} JSON object"
        )
    if change.get("registry_number") != registry_number:
        raise InvalidInputError(
            "decision_for_another_entry", f"the signed decision is not about {registry_number}"
        )
    if change.get("action") not in _TARGETS:
        raise InvalidInputError("unknown_action", f"action: one of {', '.join(_TARGETS)}")
    reason = change.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInputError("reason_required", "a status change needs its legal reason")
    permit_number = change.get("permit_number")
    if not isinstance(permit_number, str) or not permit_number:
        raise InvalidInputError(
            "permit_number_required",
            "a status change names the permit (permit_number): the platforms apply it by that",
        )
    return StatusChangeAct(change["action"], reason, permit_number)
