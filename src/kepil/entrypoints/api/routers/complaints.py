"""`/api/v1/complaints`: EDS-signed complaints and the officials' signed steps (Rules §13-§15)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from kepil.domain.permits import ComplaintStatus
from kepil.entrypoints.api.bounds import Offset
from kepil.entrypoints.api.dependencies import BusDep, SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.schemas.complaints import (
    ComplaintOut,
    ComplaintPageOut,
    ComplaintSummaryOut,
    DecisionOut,
)
from kepil.entrypoints.api.schemas.signed import SignedIn
from kepil.services.permits.complaints import DecideOnComplaint, FileComplaint

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])

MAX_PAGE_SIZE = 100


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse} for status in statuses}


@router.post(
    "",
    response_model=ComplaintOut,
    status_code=201,
    responses={
        200: {"model": ComplaintOut, "description": "this signed complaint was filed before"},
        **_errors(401, 403, 404, 409, 413, 422),
    },
)
def file_complaint(
    body: SignedIn, signed_in: SessionDep, bus: BusDep, views: ViewsDep, response: Response
) -> ComplaintOut:
    """File a complaint signed by the applicant; the same CMS again returns the same complaint."""
    filing = bus.handle(FileComplaint(signed_in.principal, body.der()))
    if not filing.created:
        response.status_code = 200
    response.headers["Location"] = f"{router.prefix}/{filing.number}"
    return _out(views, signed_in, filing.number)


@router.get("", response_model=ComplaintPageOut, responses=_errors(401))
def list_complaints(
    signed_in: SessionDep,
    views: ViewsDep,
    status: ComplaintStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Offset = 0,
) -> ComplaintPageOut:
    """One's own complaints; every complaint for the Ministry's officials."""
    page = views.complaints(signed_in.principal, str(status) if status else None, limit, offset)
    return ComplaintPageOut(
        items=[ComplaintSummaryOut.model_validate(s, from_attributes=True) for s in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{number}", response_model=ComplaintOut, responses=_errors(401, 404))
def get_complaint(number: str, signed_in: SessionDep, views: ViewsDep) -> ComplaintOut:
    """A complaint with its history."""
    return _out(views, signed_in, number)


@router.post(
    "/{number}/decisions",
    response_model=DecisionOut,
    responses=_errors(401, 403, 404, 409, 413, 422),
)
def decide(number: str, body: SignedIn, signed_in: SessionDep, bus: BusDep) -> DecisionOut:
    """Apply a signed step: `register`, `satisfy`, `forward`, `uphold` or `reject`."""
    done = bus.handle(DecideOnComplaint(signed_in.principal, number, body.der()))
    return DecisionOut(number=done.number, status=done.status, event=done.event, late=done.late)


def _out(views: ViewsDep, signed_in: SessionDep, number: str) -> ComplaintOut:
    return ComplaintOut.model_validate(
        views.complaint(signed_in.principal, number), from_attributes=True
    )
