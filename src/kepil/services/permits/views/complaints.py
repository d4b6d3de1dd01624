"""Views of complaints: a complainant sees its own, officials see all (Rules §13-§15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.permits import ComplaintStatus
from kepil.services.errors import NotFoundError
from kepil.services.permits.complaint_ports import ComplaintRecord, ComplaintSummary
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ComplaintLineView:
    """One step of a complaint: who, when, against which deadline."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    actor_iin: str
    stage_deadline: datetime | None
    late: bool
    decision: str
    pre_trial_appeal_exhausted: bool


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """A complaint with its terms (§13, §14), its history and whether court is open (§15)."""

    number: str
    application_number: str
    complainant: str
    filed_by_iin: str
    subject: str
    filed_with: str
    target: str
    text: str
    status: ComplaintStatus
    received_at: datetime
    registration_day: date
    registered_at: datetime | None
    provider_response_due: datetime | None
    review_due: datetime
    settled_at: datetime | None
    overdue: bool
    pre_trial_appeal_exhausted: bool
    history: list[ComplaintLineView]


@dataclass(frozen=True, slots=True)
class ComplaintPage:
    """A page of complaints and the count of all that match."""

    items: list[ComplaintSummary]
    total: int
    limit: int
    offset: int


def complaint_view(uow: UnitOfWork, who: Viewer, number: str, now: datetime) -> ComplaintView:
    """One complaint with its history; a stranger's is reported as not found."""
    stored = uow.complaints.get(number)
    if stored is None or not who.may_see(stored.complaint.complainant):
        raise NotFoundError("complaint_not_found", f"no complaint {number}")
    complaint = stored.complaint
    return ComplaintView(
        number=complaint.number,
        application_number=complaint.application_number or "",
        complainant=complaint.complainant,
        filed_by_iin=stored.filed_by_iin,
        subject=str(complaint.subject),
        filed_with=str(complaint.filed_with),
        target=stored.target,
        text=stored.text,
        status=complaint.status,
        received_at=complaint.received_at,
        registration_day=complaint.registration_day,
        registered_at=stored.registered_at,
        provider_response_due=complaint.provider_response_due,
        review_due=complaint.review_due,
        settled_at=complaint.settled_at,
        overdue=complaint.is_overdue(now),
        pre_trial_appeal_exhausted=complaint.pre_trial_appeal_exhausted,
        history=[_line(record) for record in uow.complaints.history(number)],
    )


def complaint_page(
    uow: UnitOfWork, who: Viewer, status: str | None, limit: int, offset: int
) -> ComplaintPage:
    """A page of complaints: all for officials, one's own for applicants."""
    # The same rule as the single view (Viewer.owns): the IIN or the certificate's BIN.
    own = None if who.is_official else who.principal.identifiers
    items, total = uow.complaints.summaries(
        complainants=own, status=status, limit=limit, offset=offset
    )
    return ComplaintPage(items, total, limit, offset)


def _line(record: ComplaintRecord) -> ComplaintLineView:
    return ComplaintLineView(
        kind=record.kind,
        at=record.at,
        status=record.status,
        actor_role=record.actor_role,
        actor_name=record.actor_name,
        actor_iin=record.actor_iin,
        stage_deadline=record.stage_deadline,
        late=record.late,
        decision=record.decision,
        pre_trial_appeal_exhausted=bool(record.details.get("pre_trial_appeal_exhausted")),
    )
