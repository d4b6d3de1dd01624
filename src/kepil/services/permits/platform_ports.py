"""The ports of the platforms registered for a permit and of the outbox of registry changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kepil.services.bridge.platforms import Platform


@dataclass(frozen=True, slots=True)
class SignedStatusChange:
    """A registry status change as the relay sends it: the Ministry's files and whom it concerns."""

    permit_number: str
    registry_number: str
    application_number: str
    holder: str
    action: str
    document: bytes
    cms: bytes
    recorded_at: datetime
    signed_at: int | None = None
    """Unix seconds of the CMS signing time (the platforms' "ministry" nonce)."""


class PlatformRegister(Protocol):
    """Platforms per permit and the outbox of changes, in the unit of work's transaction."""

    def hold(self, permit_number: str) -> None:
        """Lock the permit's registry entry until the transaction ends, as a status change
        does by updating it: a platform registered meanwhile then sees the change, or the
        change sees the platform (never neither)."""

    def add(
        self,
        permit_number: str,
        name: str,
        chain_id: str,
        nodes: tuple[str, ...],
        registered_by: str,
        at: datetime,
    ) -> Platform:
        """Register a platform; AlreadyStored if the permit has that chain already."""

    def of_permit(self, permit_number: str) -> list[Platform]:
        """The permit's platforms (not removed) with their deliveries, in registration order."""

    def change(self, platform_id: int, name: str, nodes: tuple[str, ...], at: datetime) -> None:
        """Give the platform these nodes and name; its rows not settled are due at `at`."""

    def remove(self, platform_id: int, at: datetime) -> None:
        """Remove the platform (kept with its history); its rows not settled are abandoned."""

    def abandon(self, platform_id: int, change_id: int, at: datetime) -> bool:
        """Abandon the change's row for the platform; False if it is settled or not there."""

    def record_change(self, change: SignedStatusChange) -> None:
        """Keep the signed files and queue them for every platform of the permit."""

    def last_signed_at(self, permit_number: str) -> int | None:
        """The signing moment of the permit's last recorded change that has one."""

    def queue_latest(self, platform_id: int, permit_number: str, actions: frozenset[str]) -> None:
        """Queue the permit's latest change for the platform if its action is one of these."""
