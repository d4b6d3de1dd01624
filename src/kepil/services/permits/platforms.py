"""The platforms registered for a permit, and the outbox of registry changes on their way to them.

A permit's holder (or an official with registry duties, or the operator at the console) names
the platforms that run under the permit: their chain and their nodes' addresses. Every status
change of the registry then writes, in its own transaction, the signed files once and an outbox
row per platform (`queue_for_platforms`); the relay (services/bridge/relay.py) delivers them.

A platform registered after changes gets the permit's latest change only, and only when that
change leaves the permit suspended or revoked: a platform starts from the permit as issued
(active), so the latest word of the Ministry is all it needs, and a reinstatement of an active
permit would be refused as a bad transition. Earlier changes are superseded by the latest one.
"""

from __future__ import annotations

from dataclasses import dataclass

from kepil.domain.auth import Principal
from kepil.domain.clock import Clock
from kepil.domain.permits import PermitRole
from kepil.services.bridge.platforms import (
    Platform,
    PlatformInputError,
    chain_id,
    node_urls,
    platform_name,
)
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.events import PermitStatusChanged
from kepil.services.permits.officials import actor_for, may_see
from kepil.services.permits.platform_ports import SignedStatusChange
from kepil.services.permits.ports import AlreadyStored
from kepil.services.unit_of_work import UnitOfWork

REGISTRY_DUTIES = frozenset({PermitRole.HEAD, PermitRole.CLERK})
"""Officials who may register a platform for any permit (the registry is kept by them)."""
# A change that leaves the permit in one of these is owed to a platform registered later.
_OWED_TO_LATECOMERS = frozenset({"suspend", "revoke"})


@dataclass(frozen=True, slots=True)
class RegisterPlatform(Command[Platform]):
    """Register a platform for a permit; `principal` None is the operator at the console."""

    permit_number: str
    name: str
    chain_id: str
    nodes: tuple[str, ...]
    principal: Principal | None = None
    operator: str = "console"


def register_platform(command: RegisterPlatform, uow: UnitOfWork, clock: Clock) -> Platform:
    """Check the platform, who asks and that the permit is in the registry; then register it."""
    now = clock.now()
    try:
        chain = chain_id(command.chain_id)
        nodes = node_urls(list(command.nodes))
        name = platform_name(command.name, chain)
    except PlatformInputError as error:
        raise InvalidInputError(
            f"invalid_{error.field}", str(error), [{"field": error.field}]
        ) from None
    with uow:
        entry = uow.registry.find_by_permit(command.permit_number)
        if entry is None:
            raise NotFoundError("not_found", f"no permit {command.permit_number} in the registry")
        by = f"operator:{command.operator}"
        principal = command.principal
        if principal is not None:
            if entry.holder_iin_bin in {principal.iin, principal.bin}:
                by = f"holder:{principal.iin}"
            else:
                actor = actor_for(principal, REGISTRY_DUTIES, uow, now)
                by = f"{actor.role}:{actor.iin}"
        try:
            platform = uow.platforms.add(entry.permit_number, name, chain, nodes, by, now)
        except AlreadyStored:
            raise ConflictError(
                "platform_registered",
                f"permit {entry.permit_number} has a platform on chain {chain} already",
            ) from None
        uow.platforms.queue_latest(platform.id, entry.permit_number, _OWED_TO_LATECOMERS)
        uow.commit()
    with uow:
        found = [p for p in uow.platforms.of_permit(entry.permit_number) if p.id == platform.id]
    return found[0] if found else platform


def queue_for_platforms(event: PermitStatusChanged, uow: UnitOfWork) -> None:
    """Issue 21: the change goes to every platform of the permit, written with the change."""
    entry = event.entry
    uow.platforms.record_change(
        SignedStatusChange(
            permit_number=entry.permit_number,
            registry_number=entry.registry_number,
            application_number=entry.application_number,
            holder=entry.holder_iin_bin,
            action=event.action,
            document=event.document,
            cms=event.cms,
            recorded_at=event.at,
            signed_at=event.signed_at,
        )
    )


def platforms_of(permit_number: str, principal: Principal, uow: UnitOfWork) -> list[Platform]:
    """The permit's platforms and their deliveries, for its holder or a Ministry official;
    whoever else asks is told there is no such permit, as for a case they may not see."""
    with uow:
        entry = uow.registry.find_by_permit(permit_number)
        if entry is None or not may_see(principal, entry.holder_iin_bin, uow):
            raise NotFoundError("not_found", f"no permit {permit_number} in the registry")
        return uow.platforms.of_permit(entry.permit_number)
