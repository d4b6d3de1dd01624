"""`/api/v1/applications`: file, follow and decide permit applications (Rules §3-§9)."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Response, UploadFile

from kepil.entrypoints.api.bounds import Offset
from kepil.entrypoints.api.dependencies import BusDep, SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.schemas.applications import (
    ApplicationOut,
    DecisionOut,
    DraftIn,
    DraftOut,
    HearingLimitsOut,
    PageOut,
    SummaryOut,
)
from kepil.entrypoints.api.schemas.signed import MAX_CMS_BYTES, SignedIn
from kepil.services.permits.decisions import DecideOnApplication, DocumentDraft
from kepil.services.permits.submission import SubmitApplication, UploadedFile

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422)
}


@router.post("", status_code=201, response_model=ApplicationOut, responses=_ERRORS)
def submit(
    bus: BusDep,
    views: ViewsDep,
    signed_in: SessionDep,
    response: Response,
    signed_form: Annotated[UploadFile, File(description="CMS over the App.2 form JSON")],
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    files: Annotated[list[UploadFile] | None, File(description="the attachments")] = None,
) -> ApplicationOut:
    """File an EDS-signed application; retrying with the same Idempotency-Key is safe."""
    limits = views.upload_limits()
    cms = _read(signed_form, MAX_CMS_BYTES)
    uploads = tuple(
        UploadedFile(
            upload.filename or "",
            upload.content_type or "application/octet-stream",
            _read(upload, limits.max_file_bytes),
        )
        for upload in files or []
    )
    command = SubmitApplication(
        principal=signed_in.principal,
        signed_form=cms,
        files=uploads,
        idempotency_key=idempotency_key,
    )
    result = bus.handle(command)
    if not result.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{router.prefix}/{result.number}"
    return _out(views, signed_in, result.number)


@router.get("", response_model=PageOut, responses=_ERRORS)
def list_applications(
    views: ViewsDep,
    signed_in: SessionDep,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> PageOut:
    """Applicants see their own applications; officials see all."""
    page = views.applications(signed_in.principal, status, limit, offset)
    return PageOut(
        total=page.total,
        limit=page.limit,
        offset=page.offset,
        items=[SummaryOut.model_validate(item, from_attributes=True) for item in page.items],
    )


@router.get("/{number}", response_model=ApplicationOut, responses=_ERRORS)
def get_application(number: str, views: ViewsDep, signed_in: SessionDep) -> ApplicationOut:
    """One application with its deadlines, history and documents."""
    return _out(views, signed_in, number)


@router.get("/{number}/attachments/{sha256}", responses=_ERRORS)
def get_attachment(number: str, sha256: str, views: ViewsDep, signed_in: SessionDep) -> Response:
    """An attached file, byte for byte as filed."""
    found = views.attachment(signed_in.principal, number, sha256)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.sha256}"'},
    )


@router.post("/{number}/drafts", response_model=DraftOut, responses=_ERRORS)
def draft(number: str, body: DraftIn, views: ViewsDep, signed_in: SessionDep) -> DraftOut:
    """The exact bytes of a result document the head signs now (Rules §9)."""
    query = DocumentDraft(
        principal=signed_in.principal,
        application_number=number,
        document_type=body.document_type,
        grounds=tuple(body.grounds),
        motivation=body.motivation,
    )
    content = views.draft(query)
    return DraftOut(
        document=json.loads(content), content_b64=base64.b64encode(content).decode("ascii")
    )


@router.post("/{number}/decisions", response_model=DecisionOut, responses=_ERRORS)
def decide(number: str, body: SignedIn, bus: BusDep, signed_in: SessionDep) -> DecisionOut:
    """Apply an EDS-signed decision: a procedural step, or a signed result document.

    A step's signed content is a JSON object `{"action", "application_number", ...}`:
    `register`, `start_review`; `issue_preliminary_refusal` with `grounds` (App.1 §10 numbers),
    `motivation`, `hearing_at` (ISO moment with its offset) and `place` (Rules §8: the notice
    carries the hearing's time and place; the hearing within 2 working days of it);
    `schedule_hearing` with `hearing_at` and `place` (a case stored as preliminary_refusal
    without them, or a move, once, of a scheduled hearing); `hold_hearing` with
    `applicant_attended` and optional `applicant_position`; `withdraw` with optional `reason`.
    A hearing outside the limits is `409 transition_not_allowed` naming the limit; see
    `GET /hearing-limits`.
    """
    command = DecideOnApplication(
        principal=signed_in.principal, application_number=number, signed_decision=body.der()
    )
    return DecisionOut.model_validate(bus.handle(command), from_attributes=True)


@router.get("/{number}/hearing-limits", response_model=HearingLimitsOut, responses=_ERRORS)
def hearing_limits(number: str, views: ViewsDep, signed_in: SessionDep) -> HearingLimitsOut:
    """Rules §8 limits for setting or moving the hearing now; 409 when no step sets it."""
    found = views.hearing_limits(signed_in.principal, number)
    if found is None:
        status = views.application(signed_in.principal, number).status
        raise ApiError(409, "no_hearing_step", f"no step sets the hearing from {status}")
    return HearingLimitsOut.model_validate(found, from_attributes=True)


def _read(upload: UploadFile, limit: int) -> bytes:
    # Read one byte past the limit: enough to refuse, without holding a huge upload in memory.
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, "too_large", f"{upload.filename} exceeds {limit} bytes")
    return content


def _out(views: ViewsDep, signed_in: SessionDep, number: str) -> ApplicationOut:
    return ApplicationOut.model_validate(
        views.application(signed_in.principal, number), from_attributes=True
    )
