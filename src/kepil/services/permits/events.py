"""Facts of the permit wing that the domain does not raise itself: a complaint's recorded step,
a registry status change, an overdue stage. Application events come from the domain
(`ApplicationEvent`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kepil.domain.permits import Complaint, PermitRole, Stage
from kepil.domain.registry import RegistryEntry
from kepil.services.permits.complaint_ports import ComplaintRecord


@dataclass(frozen=True, slots=True)
class ComplaintStepRecorded:
    """A complaint was filed, registered or settled; `line` is its history line."""

    complaint: Complaint
    line: ComplaintRecord


@dataclass(frozen=True, slots=True)
class PermitStatusChanged:
    """The head suspended, reinstated or revoked a permit in the state registry (Rules §11)."""

    entry: RegistryEntry
    """The entry as it is after the change."""
    action: str
    reason: str
    actor_iin: str
    at: datetime
    document: bytes = b""
    """The signed `permit_status_change` bytes, as the platforms' nodes verify them."""
    cms: bytes = b""
    """The head's CMS over `document`."""
    signed_at: int | None = None
    """Unix seconds of the CMS signing time: the order the platforms apply changes in."""


@dataclass(frozen=True, slots=True)
class StageWentOverdue:
    """The sweeper found a stage past its deadline and reported it, once (Rules §10)."""

    application_number: str
    stage: Stage
    due: datetime
    responsible: PermitRole
    at: datetime
