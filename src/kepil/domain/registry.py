"""The public state registry of permit holders (Rules §11)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime


class RegistryStatus(enum.StrEnum):
    """A registry entry's status; `expired` is never stored, it follows from the validity end."""

    ACTIVE = "active"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


# Stored statuses an official may move an entry between; a revoked permit stays revoked.
_ALLOWED_CHANGES = {
    RegistryStatus.ACTIVE: {RegistryStatus.SUSPENDED, RegistryStatus.REVOKED},
    RegistryStatus.SUSPENDED: {RegistryStatus.ACTIVE, RegistryStatus.REVOKED},
    RegistryStatus.REVOKED: set(),
}


class RegistryStatusChangeNotAllowedError(Exception):
    """A status change the registry does not allow, naming the current status."""


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One line of an entry's history."""

    at: datetime
    status: RegistryStatus
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """A permit holder as the public registry shows it."""

    registry_number: str
    permit_number: str
    application_number: str
    holder_name: str
    holder_iin_bin: str
    platform_name: str
    purpose: str
    addresses: tuple[str, ...]
    issued_on: date
    valid_until: date
    stored_status: RegistryStatus = RegistryStatus.ACTIVE
    status_reason: str = ""
    history: tuple[StatusChange, ...] = field(default=())

    def status_on(self, day: date) -> RegistryStatus:
        """The status a reader sees on the day: an active permit past its end is expired."""
        if self.stored_status is RegistryStatus.ACTIVE and day > self.valid_until:
            return RegistryStatus.EXPIRED
        return self.stored_status

    def change_status(
        self, to: RegistryStatus, reason: str, actor: str, at: datetime
    ) -> RegistryEntry:
        """Suspend, reinstate or revoke, with a stated reason; the history keeps every change."""
        if to not in _ALLOWED_CHANGES[self.stored_status]:
            raise RegistryStatusChangeNotAllowedError(
                f"cannot change a {self.stored_status.value} entry to {to.value}"
            )
        if not reason.strip():
            raise ValueError("a status change needs its legal reason")
        change = StatusChange(at, to, reason.strip(), actor)
        return replace(
            self, stored_status=to, status_reason=change.reason, history=(*self.history, change)
        )
