"""The platforms registered for a permit, and the outbox of registry changes on their way to them.

A permit's holder (or an official with registry duties, or the operator at the console) names
the platforms that run under the permit: their chain and their nodes' addresses. Every status
change of the registry then writes, in its own transaction, the signed files once and an outbox
row per platform (`queue_for_platforms`); the relay (services/bridge/relay.py) delivers them.

A platform registered after changes gets the permit's latest change only, and only when that
change leaves the permit suspended or revoked: a platform starts from the permit as issued
(active), so the latest word of the Ministry is all it needs, and a reinstatement of an active
permit would be refused as a bad transition. Earlier changes are superseded by the latest one.

The holder acts here only with the EDS of a person who may sign for it (as for filing): an
employee's certificate cannot point the Ministry's changes elsewhere. The same people change a
platform's nodes (its changes on their way are tried again at once) or remove it (its changes
not yet delivered are abandoned); an official with registry duties may abandon one change that
cannot be delivered, so the platform's later changes go on (a platform gets them in order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from kepil.domain.auth import Principal
from kepil.domain.clock import Clock
from kepil.domain.permits import PermitRole
from kepil.domain.registry import RegistryEntry
from kepil.services.bridge.platforms import (
    MAX_PLATFORMS,
    NodeAddresses,
    Platform,
    PlatformInputError,
    chain_id,
    node_urls,
    platform_name,
)
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.events import PermitStatusChanged
from kepil.services.permits.officials import actor_for, may_see, require_signing_right
from kepil.services.permits.platform_ports import SignedStatusChange
from kepil.services.permits.ports import AlreadyStored
from kepil.services.unit_of_work import UnitOfWork

REGISTRY_DUTIES = frozenset({PermitRole.HEAD, PermitRole.CLERK})
"""Officials who may register a platform for any permit (the registry is kept by them)."""
# A change that leaves the permit in one of these is owed to a platform registered later.
_OWED_TO_LATECOMERS = frozenset({"suspend", "revoke"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class RegisterPlatform(Command[Platform]):
    """Register a platform for a permit; `principal` None is the operator at the console."""

    permit_number: str
    name: str
    chain_id: str
    nodes: tuple[str, ...]
    principal: Principal | None = None
    operator: str = "console"
    replace: bool = False
    """The permit has a platform on this chain already: give it these nodes and name instead."""


@dataclass(frozen=True, slots=True)
class ChangePlatform(Command[Platform]):
    """Give a platform other nodes (and a name); its changes on their way are tried at once."""

    permit_number: str
    platform_id: int
    name: str
    nodes: tuple[str, ...]
    principal: Principal | None = None
    operator: str = "console"


@dataclass(frozen=True, slots=True)
class RemovePlatform(Command[None]):
    """Stop relaying the permit's changes to a platform; what is not delivered is abandoned."""

    permit_number: str
    platform_id: int
    principal: Principal | None = None
    operator: str = "console"


@dataclass(frozen=True, slots=True)
class AbandonDelivery(Command[Platform]):
    """An official stops one change's delivery to a platform, so the later ones may go."""

    permit_number: str
    platform_id: int
    change_id: int
    principal: Principal | None = None
    operator: str = "console"


def register_platform(
    command: RegisterPlatform,
    uow: UnitOfWork,
    clock: Clock,
    node_guard: NodeAddresses | None = None,
) -> Platform:
    """Check the platform, who asks and that the permit is in the registry; then register it
    (or, with `replace`, give the registered one these nodes). `node_guard` (wired by
    bootstrap) refuses node addresses the relay may not reach."""
    now = clock.now()
    chain = _checked(lambda: chain_id(command.chain_id))
    nodes = _checked(lambda: _reachable(node_urls(list(command.nodes)), node_guard))
    name = _checked(lambda: platform_name(command.name, chain))
    with uow:
        entry = _entry(command.permit_number, uow)
        by = _acting(command.principal, command.operator, entry.holder_iin_bin, uow, now)
        registered = uow.platforms.of_permit(entry.permit_number)
        existing = [p for p in registered if p.chain_id == chain]
        if existing and command.replace:
            uow.platforms.change(existing[0].id, name, nodes, now)
            uow.commit()
            return _read(entry.permit_number, existing[0].id, uow)
        if len(registered) >= MAX_PLATFORMS:
            raise ConflictError(
                "too_many_platforms",
                f"permit {entry.permit_number} has {MAX_PLATFORMS} platforms, the most one "
                "permit may have; remove one first",
            )
        try:
            platform = uow.platforms.add(entry.permit_number, name, chain, nodes, by, now)
        except AlreadyStored:
            raise ConflictError(
                "platform_registered",
                f"permit {entry.permit_number} has a platform on chain {chain} already; change "
                "its nodes instead (PUT on the platform, `kepil platform register --replace`)",
            ) from None
        uow.platforms.queue_latest(platform.id, entry.permit_number, _OWED_TO_LATECOMERS)
        uow.commit()
    return _read(entry.permit_number, platform.id, uow)


def change_platform(
    command: ChangePlatform,
    uow: UnitOfWork,
    clock: Clock,
    node_guard: NodeAddresses | None = None,
) -> Platform:
    """Give the platform the nodes (and the name) asked for; its rows not delivered are due now."""
    now = clock.now()
    nodes = _checked(lambda: _reachable(node_urls(list(command.nodes)), node_guard))
    with uow:
        entry = _entry(command.permit_number, uow)
        _acting(command.principal, command.operator, entry.holder_iin_bin, uow, now)
        platform = _platform(entry.permit_number, command.platform_id, uow)
        name = _checked(lambda: platform_name(command.name, platform.name))
        uow.platforms.change(platform.id, name, nodes, now)
        uow.commit()
    return _read(entry.permit_number, platform.id, uow)


def remove_platform(command: RemovePlatform, uow: UnitOfWork, clock: Clock) -> None:
    """Remove the platform from the permit; its undelivered changes are abandoned."""
    now = clock.now()
    with uow:
        entry = _entry(command.permit_number, uow)
        _acting(command.principal, command.operator, entry.holder_iin_bin, uow, now)
        platform = _platform(entry.permit_number, command.platform_id, uow)
        uow.platforms.remove(platform.id, now)
        uow.commit()


def abandon_delivery(command: AbandonDelivery, uow: UnitOfWork, clock: Clock) -> Platform:
    """Mark one change's delivery abandoned (officials with registry duties, or the console)."""
    now = clock.now()
    with uow:
        entry = _entry(command.permit_number, uow)
        if command.principal is not None:
            actor_for(command.principal, REGISTRY_DUTIES, uow, now)
        platform = _platform(entry.permit_number, command.platform_id, uow)
        if not uow.platforms.abandon(platform.id, command.change_id, now):
            raise ConflictError(
                "delivery_settled",
                f"change {command.change_id} is not on its way to platform {platform.id}: "
                "delivered, refused or abandoned already, or never queued for it",
            )
        uow.commit()
    return _read(entry.permit_number, platform.id, uow)


def _checked(read: Callable[[], _T]) -> _T:
    try:
        return read()
    except PlatformInputError as error:
        raise InvalidInputError(
            f"invalid_{error.field}", str(error), [{"field": error.field}]
        ) from None


def _reachable(nodes: tuple[str, ...], guard: NodeAddresses | None) -> tuple[str, ...]:
    if guard is not None:
        for url in nodes:
            guard.check(url)
    return nodes


def _entry(permit_number: str, uow: UnitOfWork) -> RegistryEntry:
    # Locked first: a status change in flight commits before we read the permit's changes
    # (queue_latest), or waits for our platform to commit before it queues its rows.
    uow.platforms.hold(permit_number)
    entry = uow.registry.find_by_permit(permit_number)
    if entry is None:
        raise NotFoundError("not_found", f"no permit {permit_number} in the registry")
    return entry


def _acting(
    principal: Principal | None, operator: str, holder: str, uow: UnitOfWork, now: datetime
) -> str:
    """Who acts on the permit's platforms: the holder with the right of signature, an official
    with registry duties, or the operator at the console (`principal` None)."""
    if principal is None:
        return f"operator:{operator}"
    if holder in {principal.iin, principal.bin}:
        # An employee's certificate sees the holder's cases; pointing the Ministry's changes
        # at other nodes is acting for the holder, as filing is.
        require_signing_right(principal, holder)
        return f"holder:{principal.iin}"
    actor = actor_for(principal, REGISTRY_DUTIES, uow, now)
    return f"{actor.role}:{actor.iin}"


def _platform(permit_number: str, platform_id: int, uow: UnitOfWork) -> Platform:
    found = [p for p in uow.platforms.of_permit(permit_number) if p.id == platform_id]
    if not found:
        raise NotFoundError("not_found", f"permit {permit_number} has no platform {platform_id}")
    return found[0]


def _read(permit_number: str, platform_id: int, uow: UnitOfWork) -> Platform:
    with uow:
        return _platform(permit_number, platform_id, uow)


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
