"""`/api/v1/complaints`: EDS-signed complaints and the officials' signed steps (Rules §13-§15)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from kepil.domain.permits import ComplaintStatus
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.entrypoints.api.signed import SignedIn
from kepil.services.permits import complaint_queries, complaints
from kepil.services.permits.complaint_ports import ComplaintRecord, ComplaintSummary
from kepil.services.permits.complaint_queries import ComplaintView
from kepil.services.permits.queries import viewer

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])

# A complaint of 20,000 characters in Cyrillic plus a certificate chain stays well below this.
MAX_PAGE_SIZE = 100


class HistoryLineOut(BaseModel):
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


class ComplaintSummaryOut(BaseModel):
    """One line of a list of complaints."""

    number: str
    application_number: str
    complainant: str
    subject: str
    filed_with: str
    status: ComplaintStatus
    received_at: datetime
    registered_at: datetime | None
    review_due: datetime


class ComplaintOut(BaseModel):
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
    history: list[HistoryLineOut]


class ComplaintPageOut(BaseModel):
    """A page of complaints and the count of all that match."""

    items: list[ComplaintSummaryOut]
    total: int
    limit: int
    offset: int


class DecisionOut(BaseModel):
    """What a signed step did."""

    number: str
    status: str
    event: str
    late: bool


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse} for status in statuses}


@router.post(
    "",
    response_model=ComplaintOut,
    status_code=201,
    responses={
        200: {"model": ComplaintOut, "description": "this signed complaint was filed before"},
        **_errors(401, 404, 413, 422),
    },
)
def file_complaint(
    body: SignedIn, signed_in: SessionDep, app: ContainerDep, response: Response
) -> ComplaintOut:
    """File a complaint signed by the applicant; the same CMS again returns the same complaint."""
    principal = signed_in[1].principal
    command = complaints.FileComplaint(principal, body.der())
    filing = complaints.file_complaint(command, app.uow(), app.permits)
    if not filing.created:
        response.status_code = 200
    response.headers["Location"] = f"{router.prefix}/{filing.number}"
    who = viewer(principal, app.uow())
    return _out(complaint_queries.view_complaint(filing.number, who, app.uow(), app.clock.now()))


@router.get("", response_model=ComplaintPageOut, responses=_errors(401))
def list_complaints(
    signed_in: SessionDep,
    app: ContainerDep,
    status: ComplaintStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ComplaintPageOut:
    """One's own complaints; every complaint for the Ministry's officials."""
    who = viewer(signed_in[1].principal, app.uow())
    status_text = str(status) if status else None
    found, total = complaint_queries.list_complaints(who, status_text, limit, offset, app.uow())
    return ComplaintPageOut(
        items=[_summary(s) for s in found], total=total, limit=limit, offset=offset
    )


@router.get("/{number}", response_model=ComplaintOut, responses=_errors(401, 404))
def get_complaint(number: str, signed_in: SessionDep, app: ContainerDep) -> ComplaintOut:
    """A complaint with its history."""
    who = viewer(signed_in[1].principal, app.uow())
    return _out(complaint_queries.view_complaint(number, who, app.uow(), app.clock.now()))


@router.post(
    "/{number}/decisions",
    response_model=DecisionOut,
    responses=_errors(401, 403, 404, 409, 413, 422),
)
def decide(number: str, body: SignedIn, signed_in: SessionDep, app: ContainerDep) -> DecisionOut:
    """Apply a signed step: `register`, `satisfy`, `forward`, `uphold` or `reject`."""
    command = complaints.DecideOnComplaint(signed_in[1].principal, number, body.der())
    done = complaints.decide_on_complaint(command, app.uow(), app.permits)
    return DecisionOut(number=done.number, status=done.status, event=done.event, late=done.late)


def _summary(summary: ComplaintSummary) -> ComplaintSummaryOut:
    return ComplaintSummaryOut(
        number=summary.number,
        application_number=summary.application_number,
        complainant=summary.complainant,
        subject=summary.subject,
        filed_with=summary.filed_with,
        status=ComplaintStatus(summary.status),
        received_at=summary.received_at,
        registered_at=summary.registered_at,
        review_due=summary.review_due,
    )


def _line(record: ComplaintRecord) -> HistoryLineOut:
    return HistoryLineOut(
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


def _out(view: ComplaintView) -> ComplaintOut:
    stored, complaint = view.stored, view.stored.complaint
    return ComplaintOut(
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
        overdue=view.overdue,
        pre_trial_appeal_exhausted=complaint.pre_trial_appeal_exhausted,
        history=[_line(record) for record in view.history],
    )
