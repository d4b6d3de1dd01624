"""Rules §11: the head suspends, reinstates or revokes a permit by an EDS-signed decision."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kepil.domain.auth import Principal
from kepil.domain.monitoring import StageRecord
from kepil.domain.permits import PermitRole
from kepil.domain.registry import (
    RegistryEntry,
    RegistryStatus,
    RegistryStatusChangeNotAllowedError,
)
from kepil.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SignatureRefusedError,
)
from kepil.services.permits.context import PermitContext
from kepil.services.permits.officials import actor_for
from kepil.services.permits.ports import Notification
from kepil.services.unit_of_work import UnitOfWork

# The signed content names the document type so a platform node can recognise it (DESIGN §1.3).
DOCUMENT_TYPE = "permit_status_change"
_TARGETS = {
    "suspend": RegistryStatus.SUSPENDED,
    "reinstate": RegistryStatus.ACTIVE,
    "revoke": RegistryStatus.REVOKED,
}


@dataclass(frozen=True, slots=True)
class ChangePermitStatus:
    """Apply a signed `permit_status_change` document to a registry entry."""

    principal: Principal
    registry_number: str
    signed_change: bytes


def change_permit_status(
    command: ChangePermitStatus, uow: UnitOfWork, context: PermitContext
) -> RegistryEntry:
    """Verify the head's signature and the stated legal reason; record it in the history."""
    now = context.clock.now()
    signed = context.verifier.verify(command.signed_change, now)
    if signed.principal.iin != command.principal.iin:
        raise SignatureRefusedError(
            "signer_mismatch", "the decision is signed by someone other than the signed-in user"
        )
    change = _change(signed.content, command.registry_number)
    with uow:
        actor = actor_for(signed.principal, frozenset({PermitRole.HEAD}), uow)
        entry = uow.registry.get(command.registry_number)
        if entry is None:
            raise NotFoundError("not_found", f"no registry entry {command.registry_number}")
        try:
            updated = entry.change_status(
                _TARGETS[change["action"]], change["reason"], f"head:{actor.iin}", now
            )
        except RegistryStatusChangeNotAllowedError as error:
            raise ConflictError("status_change_not_allowed", str(error)) from None
        uow.registry.save_status(updated, updated.history[-1])
        uow.stage_log.append(
            StageRecord(
                case=entry.application_number,
                stage=f"permit_{change['action']}",
                actor=f"head:{actor.iin}",
                occurred_at=now,
                details={"registry_number": entry.registry_number, "reason": change["reason"]},
            )
        )
        uow.notifications.add(
            Notification(
                recipient=entry.holder_iin_bin,
                case_number=entry.application_number,
                kind=f"permit_{change['action']}",
                message=f"Статус разрешения {entry.permit_number}: {updated.stored_status}",
                created_at=now,
            )
        )
        uow.commit()
        return updated


def _change(content: bytes, registry_number: str) -> dict[str, Any]:
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
    return change
