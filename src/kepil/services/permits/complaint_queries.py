"""Read side of complaints: a complainant sees its own, officials see all (Rules §13-§15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kepil.services.errors import NotFoundError
from kepil.services.permits.complaint_ports import (
    ComplaintRecord,
    ComplaintSummary,
    StoredComplaint,
)
from kepil.services.permits.queries import Viewer
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """A complaint, its history and whether a deadline was missed, as of the moment read."""

    stored: StoredComplaint
    history: list[ComplaintRecord]
    overdue: bool


def list_complaints(
    who: Viewer, status: str | None, limit: int, offset: int, uow: UnitOfWork
) -> tuple[list[ComplaintSummary], int]:
    """A page of complaints: all for officials, one's own for applicants."""
    own = None if who.is_official else (who.principal.bin or who.principal.iin)
    with uow:
        return uow.complaints.summaries(complainant=own, status=status, limit=limit, offset=offset)


def view_complaint(number: str, who: Viewer, uow: UnitOfWork, now: datetime) -> ComplaintView:
    """One complaint with its history; a stranger's is reported as not found."""
    with uow:
        stored = uow.complaints.get(number)
        if stored is None or not (who.is_official or who.owns(stored.complaint.complainant)):
            raise NotFoundError("complaint_not_found", f"no complaint {number}")
        history = uow.complaints.history(number)
    return ComplaintView(stored, history, stored.complaint.is_overdue(now))
